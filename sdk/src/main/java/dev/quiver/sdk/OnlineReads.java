package dev.quiver.sdk;

import dev.quiver.EpochNanos;
import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.ValueCodec;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.online.tiles.TileSet;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.ondemand.OnDemandEvaluator;
import dev.quiver.registry.ondemand.Variable;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Answers an online request with one read of the store: checks the entity rows against the join
 * keys the requested views need, reads every (view, key) at once, and decides each feature's status
 * against "now". An aggregation view's key holds its tile set, read in the same round trip and
 * merged per window ending at "now" (the request's {@code as_of}).
 */
final class OnlineReads {

  private OnlineReads() {}

  /**
   * What reading an aggregation view's tiles needs, made once per view definition: building the
   * layout and the features' names per request was a measurable part of a lookup.
   */
  private record ViewTiles(
      FeatureView view, TileLayout layout, Map<String, AggregateFeature> features) {

    static ViewTiles of(FeatureView view) {
      Map<String, AggregateFeature> features = new HashMap<>();
      for (AggregateFeature feature : view.aggregateFeatures()) {
        features.put(feature.name(), feature);
      }
      return new ViewTiles(view, TileLayout.of(view.aggregateFeatures()), features);
    }
  }

  /** By view name; an entry made for another definition of the view is made again. */
  private static final Map<String, ViewTiles> VIEW_TILES =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static ViewTiles viewTiles(FeatureView view) {
    ViewTiles known = VIEW_TILES.get(view.name());
    if (known != null && known.view() == view) {
      return known;
    }
    ViewTiles made = ViewTiles.of(view);
    VIEW_TILES.put(view.name(), made);
    return made;
  }

  /** Reads {@code plan}'s stored features and computes its on-demand ones (when it has any). */
  static OnlineResponse read(
      OnlineRequest request,
      EmbeddedRegistry.OnlineSelection plan,
      OnlineStore store,
      Instant now) {
    FeatureSelection selection = plan.selection();
    OnDemandPlan onDemand = plan.onDemand();
    List<FeatureView> views = plan.views();
    for (FeatureView view : views) {
      if (!view.online()) {
        throw new InvalidRequestException(
            "Cannot read online features: feature view '"
                + view.name()
                + "' is offline only (online: false)");
      }
    }
    int rows = rowCount(request.entities());
    Map<String, List<Object>> keyValues = new LinkedHashMap<>();
    for (int v = 0; v < views.size(); v++) {
      FeatureView view = views.get(v);
      for (Entity entity : plan.viewEntities().get(v)) {
        List<Object> given = request.entities().get(entity.joinKey());
        if (given == null) {
          throw new InvalidEntityException(
              "Cannot read online features: the entity rows have no '"
                  + entity.joinKey()
                  + "' (the join key of entity '"
                  + entity.name()
                  + "', needed by feature view '"
                  + view.name()
                  + "')"
                  + givenInstead(entity, request.entities().keySet()));
        }
        keyValues.computeIfAbsent(entity.joinKey(), k -> normalize(entity, given));
      }
    }
    List<String> names =
        plan.outputNames(request.fullFeatureNames(), List.copyOf(request.entities().keySet()));
    Map<String, List<Object>> requestValues =
        onDemand == null ? Map.of() : requestValues(onDemand.evaluator(), request.entities());

    // One round trip: every (view, entity row) key at once. Views of the same entities (the
    // plan shares their list) share the encoded keys.
    List<OnlineStore.Key> keys = new ArrayList<>(views.size() * rows);
    Map<List<Entity>, byte[][]> encoded = new IdentityHashMap<>();
    for (int v = 0; v < views.size(); v++) {
      byte[][] entityKeys =
          encoded.computeIfAbsent(plan.viewEntities().get(v), e -> entityKeys(e, keyValues, rows));
      String view = views.get(v).name();
      for (int row = 0; row < rows; row++) {
        keys.add(new OnlineStore.Key(view, entityKeys[row]));
      }
    }
    List<byte[]> stored = store.read(keys);
    if (!EpochNanos.holds(now)) {
      throw new InvalidRequestException(
          "Cannot read online features as of "
              + now
              + ": Quiver's timestamps span the years 1677"
              + " to 2262");
    }
    long nowNanos = EpochNanos.of(now);
    Map<String, ViewRows> decoded = new HashMap<>();
    Map<String, TileSet[]> tileSets = new HashMap<>();
    for (int v = 0; v < views.size(); v++) {
      FeatureView view = views.get(v);
      if (view.isAggregation()) {
        TileLayout layout = viewTiles(view).layout();
        TileSet[] setsOfView = new TileSet[rows];
        for (int row = 0; row < rows; row++) {
          byte[] bytes = stored.get(v * rows + row);
          setsOfView[row] = bytes == null ? null : TileSet.decode(bytes, layout);
        }
        tileSets.put(view.name(), setsOfView);
        continue;
      }
      decoded.put(view.name(), ViewRows.of(view, stored, v * rows, rows, now));
    }

    List<OnlineResponse.Column> columns = new ArrayList<>(names.size());
    for (Map.Entry<String, List<Object>> entity : request.entities().entrySet()) {
      List<Object> values =
          keyValues.getOrDefault(
              entity.getKey(), requestValues.getOrDefault(entity.getKey(), entity.getValue()));
      // A request field sent as null is NULL_VALUE, as a feature's null is.
      List<FeatureStatus> statuses =
          !requestValues.containsKey(entity.getKey()) || !values.contains(null)
              ? java.util.Collections.nCopies(rows, FeatureStatus.PRESENT)
              : values.stream()
                  .map(v -> v == null ? FeatureStatus.NULL_VALUE : FeatureStatus.PRESENT)
                  .toList();
      columns.add(
          new OnlineResponse.Column(
              values, statuses, java.util.Collections.nCopies(rows, OnlineResponse.NO_TIME)));
    }
    List<FeatureSelection.Selected> toRead = selection.features();
    OnlineResponse.Column[] read = new OnlineResponse.Column[toRead.size()];
    for (int f = 0; f < read.length; f++) {
      read[f] = storedColumn(toRead.get(f), decoded, tileSets, nowNanos);
    }
    if (onDemand == null) {
      // Without on-demand features, the features read are the ones requested, in order.
      columns.addAll(Arrays.asList(read));
    } else {
      OnlineResponse.Column[] computed = computed(onDemand, read, requestValues, rows);
      int next = 0;
      for (int output : onDemand.outputs()) {
        columns.add(output >= 0 ? read[output] : computed[next++]);
      }
    }
    return new OnlineResponse(names, columns);
  }

  /** The encoded entity key of every row, for views of {@code entities}. */
  private static byte[][] entityKeys(
      List<Entity> entities, Map<String, List<Object>> keyValues, int rows) {
    byte[][] keys = new byte[rows][];
    if (entities.size() == 1) {
      Entity entity = entities.get(0);
      Map<String, ScalarType> types = Map.of(entity.joinKey(), entity.type());
      List<Object> values = keyValues.get(entity.joinKey());
      for (int row = 0; row < rows; row++) {
        keys[row] = EntityKeyCodec.encode(Map.of(entity.joinKey(), values.get(row)), types);
      }
      return keys;
    }
    Map<String, ScalarType> types = new HashMap<>();
    entities.forEach(e -> types.put(e.joinKey(), e.type()));
    for (int row = 0; row < rows; row++) {
      Map<String, Object> key = new HashMap<>();
      for (Entity entity : entities) {
        key.put(entity.joinKey(), keyValues.get(entity.joinKey()).get(row));
      }
      keys[row] = EntityKeyCodec.encode(key, types);
    }
    return keys;
  }

  /**
   * A view's stored rows, decoded, with each row's event time and whether it is older than the
   * view's ttl at "now", worked out once per row rather than once per feature.
   */
  private record ViewRows(ValueCodec.Decoded[] rows, Instant[] times, boolean[] stale) {

    static ViewRows of(FeatureView view, List<byte[]> stored, int from, int rows, Instant now) {
      Duration ttl = view.ttl();
      ValueCodec.Decoded[] decoded = new ValueCodec.Decoded[rows];
      Instant[] times = new Instant[rows];
      boolean[] stale = new boolean[rows];
      for (int row = 0; row < rows; row++) {
        byte[] bytes = stored.get(from + row);
        if (bytes == null) {
          continue;
        }
        decoded[row] = ValueCodec.decode(bytes);
        times[row] = EpochNanos.toInstant(decoded[row].eventTs());
        stale[row] = !ttl.isZero() && Duration.between(times[row], now).compareTo(ttl) > 0;
      }
      return new ViewRows(decoded, times, stale);
    }
  }

  /** One stored feature's column: its values, statuses and event times. */
  private static OnlineResponse.Column storedColumn(
      FeatureSelection.Selected selected,
      Map<String, ViewRows> decoded,
      Map<String, TileSet[]> tileSets,
      long nowNanos) {
    if (selected.view().isAggregation()) {
      return aggregated(
          viewTiles(selected.view()).features().get(selected.feature().name()),
          tileSets.get(selected.view().name()),
          nowNanos);
    }
    ViewRows rowsOfView = decoded.get(selected.view().name());
    int rows = rowsOfView.rows().length;
    Object[] values = new Object[rows];
    FeatureStatus[] statuses = new FeatureStatus[rows];
    Instant[] times = new Instant[rows];
    for (int row = 0; row < rows; row++) {
      ValueCodec.Decoded found = rowsOfView.rows()[row];
      Optional<Optional<Object>> value =
          found == null ? Optional.empty() : found.value(selected.feature());
      if (value.isEmpty()) {
        statuses[row] = FeatureStatus.NOT_FOUND;
        times[row] = OnlineResponse.NO_TIME;
        continue;
      }
      times[row] = rowsOfView.times()[row];
      if (rowsOfView.stale()[row]) {
        statuses[row] = FeatureStatus.OUTSIDE_MAX_AGE;
      } else if (value.get().isEmpty()) {
        statuses[row] = FeatureStatus.NULL_VALUE;
      } else {
        values[row] = value.get().get();
        statuses[row] = FeatureStatus.PRESENT;
      }
    }
    return new OnlineResponse.Column(
        Arrays.asList(values), Arrays.asList(statuses), Arrays.asList(times));
  }

  /**
   * The on-demand features of every row, by reference: each input bound to the value the stored
   * column holds (null when not found, outside max age or null; an empty window's count is 0), each
   * request field to its value. A null result is {@code NULL_VALUE}; on-demand features have no
   * event time.
   */
  private static OnlineResponse.Column[] computed(
      OnDemandPlan plan,
      OnlineResponse.Column[] read,
      Map<String, List<Object>> requestValues,
      int rows) {
    OnDemandEvaluator evaluator = plan.evaluator();
    List<Variable> variables = evaluator.variables();
    List<List<Object>> inputs = new ArrayList<>(variables.size());
    for (int v = 0; v < variables.size(); v++) {
      int from = plan.inputs()[v];
      inputs.add(from >= 0 ? read[from].values() : requestValues.get(variables.get(v).name()));
    }
    int features = evaluator.features().size();
    List<List<Object>> values = new ArrayList<>(features);
    List<List<FeatureStatus>> statuses = new ArrayList<>(features);
    for (int f = 0; f < features; f++) {
      values.add(new ArrayList<>(rows));
      statuses.add(new ArrayList<>(rows));
    }
    OnDemandEvaluator.Bindings bindings = evaluator.bindings();
    for (int row = 0; row < rows; row++) {
      for (int v = 0; v < inputs.size(); v++) {
        bindings.set(v, inputs.get(v).get(row));
      }
      for (int f = 0; f < features; f++) {
        Object value = evaluator.evaluate(f, bindings);
        values.get(f).add(value);
        statuses.get(f).add(value == null ? FeatureStatus.NULL_VALUE : FeatureStatus.PRESENT);
      }
    }
    OnlineResponse.Column[] columns = new OnlineResponse.Column[features];
    List<Instant> noTimes = java.util.Collections.nCopies(rows, OnlineResponse.NO_TIME);
    for (int f = 0; f < features; f++) {
      columns[f] = new OnlineResponse.Column(values.get(f), statuses.get(f), noTimes);
    }
    return columns;
  }

  /**
   * The values of the request fields the on-demand features read, as their declared types: sent
   * beside the join keys, in Feast's shape.
   */
  private static Map<String, List<Object>> requestValues(
      OnDemandEvaluator evaluator, Map<String, List<Object>> entities) {
    Map<String, List<Object>> values = new HashMap<>();
    for (Variable field : evaluator.requestFields()) {
      List<Object> given = entities.get(field.name());
      if (given == null) {
        throw new InvalidEntityException(
            "Cannot read online features: the entity rows have no '"
                + field.name()
                + "' (a request field of on-demand feature view '"
                + evaluator.viewOf(field)
                + "'); send it beside the join keys (HTTP: in \"entities\"; CLI: --request "
                + field.name()
                + "=V1,V2,...)"
                + dev.quiver.registry.load.Suggestions.closest(field.name(), entities.keySet())
                    .map(key -> "; the rows have '" + key + "': is it misspelled?")
                    .orElse(""));
      }
      List<Object> converted = new ArrayList<>(given.size());
      for (int row = 0; row < given.size(); row++) {
        Object value = given.get(row);
        Object typed = RequestValues.convert(field.type(), value);
        if (typed == null && value != null) {
          throw new InvalidEntityException(
              "Cannot read online features: entity row "
                  + (row + 1)
                  + " has "
                  + field.name()
                  + " = "
                  + (value instanceof String ? "'" + value + "'" : String.valueOf(value))
                  + ", which is not a valid "
                  + field.type()
                  + " (request field of on-demand feature view '"
                  + evaluator.viewOf(field)
                  + "')");
        }
        converted.add(typed);
      }
      values.put(field.name(), converted);
    }
    return values;
  }

  /**
   * One aggregate feature per entity row: {@code NOT_FOUND} (0 for count and sum, else null) when
   * its window at {@code now} holds no row of the key, {@code NULL_VALUE} when it does but the
   * value is null, else {@code PRESENT}; the time is the window's newest event.
   */
  private static OnlineResponse.Column aggregated(
      AggregateFeature feature, TileSet[] sets, long now) {
    Object empty =
        !feature.function().zeroWhenEmpty()
            ? null
            : feature.outputType() == ScalarType.FLOAT64 ? (Object) 0.0 : (Object) 0L;
    int rows = sets.length;
    List<Object> values = new ArrayList<>(rows);
    List<FeatureStatus> statuses = new ArrayList<>(rows);
    List<Instant> times = new ArrayList<>(rows);
    for (TileSet set : sets) {
      TileSet.Window window = set == null ? null : set.window(feature, now);
      if (window == null || window.rows() == 0) {
        values.add(empty);
        statuses.add(FeatureStatus.NOT_FOUND);
        times.add(OnlineResponse.NO_TIME);
        continue;
      }
      values.add(window.value());
      statuses.add(window.value() == null ? FeatureStatus.NULL_VALUE : FeatureStatus.PRESENT);
      times.add(EpochNanos.toInstant(window.newestEvent()));
    }
    return new OnlineResponse.Column(values, statuses, times);
  }

  private static int rowCount(Map<String, List<Object>> entities) {
    int rows = -1;
    String first = null;
    for (Map.Entry<String, List<Object>> entity : entities.entrySet()) {
      if (entity.getValue() == null) {
        throw new InvalidEntityException(
            "Cannot read online features: join key '" + entity.getKey() + "' has no values");
      }
      if (rows < 0) {
        rows = entity.getValue().size();
        first = entity.getKey();
      } else if (entity.getValue().size() != rows) {
        throw new InvalidEntityException(
            "Cannot read online features: '"
                + first
                + "' has "
                + rows
                + " values but '"
                + entity.getKey()
                + "' has "
                + entity.getValue().size()
                + "; every join key and request field needs one value per entity row");
      }
    }
    return Math.max(rows, 0);
  }

  /** The values as the entity's type, or an error naming the first that does not fit. */
  private static List<Object> normalize(Entity entity, List<Object> values) {
    List<Object> normalized = new ArrayList<>(values.size());
    for (int row = 0; row < values.size(); row++) {
      Object value = values.get(row);
      Object converted = convert(entity.type(), value);
      if (converted == null) {
        throw new InvalidEntityException(
            "Cannot read online features: entity row "
                + (row + 1)
                + " has "
                + entity.joinKey()
                + " = "
                + (value instanceof String ? "'" + value + "'" : String.valueOf(value))
                + ", which is not a valid "
                + entity.type().yamlName());
      }
      normalized.add(converted);
    }
    return normalized;
  }

  /** A value as an entity key of {@code type}, or null when it is not one. */
  static Object convert(ScalarType type, Object value) {
    if (value == null) {
      return null;
    }
    try {
      return switch (type) {
        case INT64 ->
            value instanceof Long || value instanceof Integer || value instanceof Short
                ? ((Number) value).longValue()
                : null;
        case INT32 -> {
          if (value instanceof Integer || value instanceof Short) {
            yield ((Number) value).intValue();
          }
          if (value instanceof Long l && l == l.intValue()) {
            yield l.intValue();
          }
          yield null;
        }
        case STRING -> value instanceof String ? value : null;
        case BOOL -> value instanceof Boolean ? value : null;
        case BYTES ->
            value instanceof byte[]
                ? value
                : value instanceof String s ? Base64.getDecoder().decode(s) : null;
        case TIMESTAMP -> {
          Instant instant =
              value instanceof Instant i ? i : value instanceof String s ? Instant.parse(s) : null;
          // Keys are stored as nanoseconds since the epoch: an instant beyond them is a bad value.
          yield instant != null && EpochNanos.holds(instant) ? instant : null;
        }
        default -> null;
      };
    } catch (IllegalArgumentException | DateTimeParseException e) {
      return null;
    }
  }

  /**
   * A hint when the request names the entity instead of its join key ({@code card} for {@code
   * card_id}), or a key spelled close to it.
   */
  private static String givenInstead(Entity entity, java.util.Set<String> given) {
    if (given.contains(entity.name())) {
      return "; '"
          + entity.name()
          + "' is the entity's name: give its join key '"
          + entity.joinKey()
          + "' instead";
    }
    return dev.quiver.registry.load.Suggestions.closest(entity.joinKey(), given)
        .map(key -> "; the rows have '" + key + "': is it '" + entity.joinKey() + "' misspelled?")
        .orElse("");
  }
}
