package dev.quiver.streaming;

import dev.quiver.EpochNanos;
import dev.quiver.QuiverException;
import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineRow;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.SupportsTiles;
import dev.quiver.online.ValueCodec;
import dev.quiver.online.tiles.TileFold;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.rules.RuleChecker;
import dev.quiver.registry.rules.ValidationReport;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one partition's events of a batch to one view's online state, so that writing them again
 * changes nothing: a plain view's rows newer-wins with the event's offset as created time (a
 * partition's later event wins a tie of event times, and a replayed one never replaces what it
 * wrote), an aggregation view's tiles through {@link TileFold}, which skips folded offsets.
 */
abstract class OnlineApplier {

  final FeatureView view;
  private final List<String> joinKeys;
  private final Map<String, ScalarType> keyTypes;
  private final RuleChecker rules;

  private OnlineApplier(FeatureView view, Definitions definitions) {
    this.view = view;
    this.rules = RuleChecker.of(view);
    this.joinKeys = new ArrayList<>();
    this.keyTypes = new HashMap<>();
    for (Entity entity : definitions.entitiesOf(view)) {
      joinKeys.add(entity.joinKey());
      keyTypes.put(entity.joinKey(), entity.type());
    }
  }

  /**
   * The applier of a view.
   *
   * @throws QuiverException when the view aggregates and the store keeps no tiles
   */
  static OnlineApplier of(FeatureView view, Definitions definitions, OnlineStore store) {
    if (!view.isAggregation()) {
      return new Rows(view, definitions, store);
    }
    if (!(store instanceof SupportsTiles tiles)) {
      throw new QuiverException(
          "Cannot ingest aggregation view '"
              + view.name()
              + "': the online store keeps no tiles; use RocksDB, Redis or memory");
    }
    return new Tiles(view, definitions, tiles);
  }

  /**
   * Checks the events, as rows of the view, against its features' rules: null when it has none. The
   * batch is one partition's poll, so {@code max_null_fraction} counts on it.
   */
  final ValidationReport validate(List<StreamEvent> events) {
    if (!rules.hasRules() || events.isEmpty()) {
      return null;
    }
    RuleChecker.Tally tally = rules.tally();
    for (StreamEvent event : events) {
      tally.add(
          new RuleChecker.Row() {
            @Override
            public Object value(String feature) {
              return event.values().get(feature);
            }

            @Override
            public Map<String, Object> keys() {
              Map<String, Object> keys = new LinkedHashMap<>();
              joinKeys.forEach(k -> keys.put(k, event.values().get(k)));
              return keys;
            }

            @Override
            public long eventNanos() {
              return event.eventNanos();
            }
          });
    }
    return tally.report();
  }

  /**
   * Writes the events (one partition's, in offset order).
   *
   * @return how many stored rows or tile sets changed
   */
  abstract long apply(List<StreamEvent> events);

  final ByteBuffer key(StreamEvent event) {
    Map<String, Object> values = new HashMap<>(joinKeys.size() * 2);
    for (String joinKey : joinKeys) {
      values.put(joinKey, event.values().get(joinKey));
    }
    return ByteBuffer.wrap(EntityKeyCodec.encode(values, keyTypes));
  }

  private static final class Rows extends OnlineApplier {
    private final OnlineStore store;

    Rows(FeatureView view, Definitions definitions, OnlineStore store) {
      super(view, definitions);
      this.store = store;
    }

    @Override
    long apply(List<StreamEvent> events) {
      // Of a key's events, only the newest (event time, then offset) can be stored.
      Map<ByteBuffer, StreamEvent> newest = new LinkedHashMap<>();
      for (StreamEvent event : events) {
        newest.merge(
            key(event),
            event,
            (kept, next) ->
                next.eventNanos() > kept.eventNanos()
                        || next.eventNanos() == kept.eventNanos() && next.offset() > kept.offset()
                    ? next
                    : kept);
      }
      List<OnlineStore.Record> records = new ArrayList<>(newest.size());
      for (Map.Entry<ByteBuffer, StreamEvent> entry : newest.entrySet()) {
        StreamEvent event = entry.getValue();
        Map<String, Object> values = new HashMap<>();
        for (Feature feature : view.features()) {
          values.put(feature.name(), event.values().get(feature.name()));
        }
        records.add(
            new OnlineStore.Record(
                entry.getKey().array(),
                ValueCodec.encode(
                    new OnlineRow(event.eventNanos(), event.offset(), values), view.features())));
      }
      return store.write(view.name(), records);
    }
  }

  private static final class Tiles extends OnlineApplier {
    private final SupportsTiles store;
    private final TileLayout layout;
    private final TileFold fold;
    private long newestEvent = Long.MIN_VALUE;

    Tiles(FeatureView view, Definitions definitions, SupportsTiles store) {
      super(view, definitions);
      this.store = store;
      this.layout = TileLayout.of(view.aggregateFeatures());
      this.fold = new TileFold(layout);
    }

    @Override
    long apply(List<StreamEvent> events) {
      List<Map.Entry<ByteBuffer, TileFold.Event>> prepared =
          Parallel.map(events, event -> Map.entry(key(event), tileEvent(event)));
      Map<ByteBuffer, List<TileFold.Event>> byKey = new LinkedHashMap<>();
      for (Map.Entry<ByteBuffer, TileFold.Event> event : prepared) {
        newestEvent = Math.max(newestEvent, event.getValue().eventNanos());
        byKey.computeIfAbsent(event.getKey(), k -> new ArrayList<>(2)).add(event.getValue());
      }
      List<byte[]> keys = new ArrayList<>(byKey.size());
      List<List<TileFold.Event>> folded = new ArrayList<>(byKey.size());
      byKey.forEach(
          (key, keyEvents) -> {
            keys.add(key.array());
            folded.add(keyEvents);
          });
      long newest = newestEvent;
      return store.updateTiles(
          view.name(), keys, (i, stored) -> fold.fold(stored, folded.get(i), newest));
    }

    private TileFold.Event tileEvent(StreamEvent event) {
      List<TileLayout.Slot> slots = layout.slots();
      Object[] values = new Object[slots.size()];
      for (int x = 0; x < values.length; x++) {
        values[x] = slotValue(slots.get(x).inputType(), event.values().get(slots.get(x).column()));
      }
      return new TileFold.Event(event.partition(), event.offset(), event.eventNanos(), values);
    }

    /** A column's value as tiles hold it: Long, Double or byte[]. */
    private static Object slotValue(ScalarType type, Object value) {
      if (value == null) {
        return null;
      }
      return switch (type) {
        case BOOL -> ((Boolean) value) ? 1L : 0L;
        case INT32, INT64 -> ((Number) value).longValue();
        case TIMESTAMP -> EpochNanos.of((Instant) value);
        case FLOAT32, FLOAT64 -> ((Number) value).doubleValue();
        case STRING -> ((String) value).getBytes(StandardCharsets.UTF_8);
        case BYTES -> value;
      };
    }
  }
}
