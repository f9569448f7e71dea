package dev.quiver.monitoring.consistency;

import dev.quiver.EpochNanos;
import dev.quiver.monitoring.logging.FeatureLogSchema;
import dev.quiver.monitoring.logging.FeatureLogs;
import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.ArrowValues;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.NoSuchObjectException;
import dev.quiver.registry.load.Suggestions;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.store.MaterializationState;
import dev.quiver.sdk.FeatureStatus;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.HistoricalRequest;
import dev.quiver.sdk.TrainingSet;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Online/offline consistency: replays a service's logged rows through the point-in-time join (the
 * logged join keys and request data as entity rows, each row's request time as its entity
 * timestamp) and compares, per feature and row, the value served with the value training would have
 * seen. On-demand features are computed offline from the logged request data, as training computes
 * them; aggregation features from the source's events, exact where serving merges tiles (float sums
 * then differ in their last digits, within the 1e-6 tolerance).
 *
 * <p>A mismatch of a plain feature view is put down to materialization lag when the row was served
 * after the end of the view's newest materialized interval and the join, replayed at that end,
 * gives the value served (or the view was never materialized and nothing was served): the online
 * store had not been materialized as far as the request time. The materialization log keeps the
 * intervals, not when each was written, so a view materialized later than a request is judged by
 * its interval now.
 */
public final class ConsistencyCheck {

  /** Floats are equal within this relative difference. */
  public static final double RELATIVE_TOLERANCE = 1e-6;

  private final FeatureStore store;
  private final ProjectConfig config;

  /**
   * @param store the embedded store of the repo, which runs the join
   * @param config the repo's config, which says where logs are
   */
  public ConsistencyCheck(FeatureStore store, ProjectConfig config) {
    this.store = store;
    this.config = config;
  }

  /**
   * Replays {@code service}'s logs (with {@code since}, the rows served at or after it).
   *
   * @throws NoSuchObjectException for an unknown service
   * @throws InvalidRequestException for a service without {@code logging:}, or without logs
   */
  public ConsistencyReport run(String service, Instant since) {
    Definitions definitions = store.registry().definitions();
    FeatureService defined =
        definitions
            .featureService(service)
            .orElseThrow(
                () ->
                    new NoSuchObjectException(
                        "Cannot check consistency: there is no feature service '"
                            + service
                            + "'"
                            + Suggestions.hint(
                                service, definitions.names(ObjectKind.FEATURE_SERVICE))));
    if (defined.logging() == null) {
      throw new InvalidRequestException(
          "Cannot check consistency of feature service '"
              + service
              + "': it has no logging, so no served rows are logged; add 'logging: {sample_rate:"
              + " 1.0}' to it, apply, and serve lookups first");
    }
    Path folder = config.logFolder(service);
    List<Path> files = FeatureLogs.files(folder, since);
    if (files.isEmpty()) {
      throw new InvalidRequestException(
          "Cannot check consistency of feature service '"
              + service
              + "': there are no feature logs in "
              + folder
              + (since == null ? "" : " with rows since " + since)
              + " (the server writes them as it serves lookups of the service, and finishes a"
              + " file every few minutes and when it stops)");
    }
    FeatureLogSchema schema = FeatureLogSchema.of(definitions, service);
    Map<String, MaterializationState> states = store.materializationStates();
    Tally tally = new Tally(schema);
    try (BufferAllocator allocator =
        MemoryBudget.process().root().newChildAllocator("consistency", 0, Long.MAX_VALUE)) {
      for (Path file : files) {
        // Each file is read with its own columns: one written before a change of the definitions
        // lacks a join key (skipped, with a note) or holds features of another type (left out).
        try (VectorSchemaRoot logged = FeatureLogs.read(file, since, allocator)) {
          if (logged.getRowCount() == 0) {
            continue;
          }
          String missing = missingKey(schema, logged);
          if (missing != null) {
            tally.skipped += logged.getRowCount();
            tally.skippedFiles++;
            tally.missingKeys.add(missing);
          } else {
            compare(schema, logged, states, tally, allocator);
          }
        }
      }
    }
    return tally.report(service, files.size());
  }

  /**
   * A join key or request field of the service now that the file lacks (or holds as another type).
   */
  private static String missingKey(FeatureLogSchema schema, VectorSchemaRoot logged) {
    for (Feature key : schema.keys()) {
      FieldVector vector = logged.getVector(key.name());
      if (vector == null || !sameType(schema, key.name(), vector)) {
        return key.name();
      }
    }
    return null;
  }

  /** Whether the file's column has the type the service's column has now. */
  private static boolean sameType(FeatureLogSchema schema, String column, FieldVector vector) {
    return schema.arrow().getFields().stream()
        .anyMatch(
            f -> f.getName().equals(column) && f.getType().equals(vector.getField().getType()));
  }

  private void compare(
      FeatureLogSchema schema,
      VectorSchemaRoot logged,
      Map<String, MaterializationState> states,
      Tally tally,
      BufferAllocator allocator) {
    int rows = logged.getRowCount();
    tally.rows += rows;
    TimeStampVector times = (TimeStampVector) logged.getVector(FeatureLogSchema.REQUEST_TIME);
    long perUnit =
        ArrowTypes.nanosPerUnit(((ArrowType.Timestamp) times.getField().getType()).getUnit());
    try (TrainingSet offline = join(schema, logged, null, null, allocator)) {
      VectorSchemaRoot joined = offline.table();
      // Per view, the rows and features that mismatched while the view lagged its requests.
      Map<String, List<int[]>> lagCandidates = new LinkedHashMap<>();
      for (int f = 0; f < schema.features().size(); f++) {
        FeatureSelection.Requested feature = schema.features().get(f);
        FieldVector servedVector = logged.getVector(FeatureLogSchema.valueColumn(feature));
        FieldVector statusVector = logged.getVector(FeatureLogSchema.statusColumn(feature));
        FieldVector offlineVector = joined.getVector(feature.fullName());
        if (servedVector == null
            || statusVector == null
            || offlineVector == null
            || !sameType(schema, FeatureLogSchema.valueColumn(feature), servedVector)) {
          continue;
        }
        ValueType type = feature.feature().type();
        ArrowValues.Reader served = ArrowValues.reader(servedVector, type);
        ArrowValues.Reader expected = ArrowValues.reader(offlineVector, type);
        ArrowValues.Reader status =
            ArrowValues.reader(statusVector, ValueType.scalar(ScalarType.STRING));
        FeatureTally counts = tally.features.get(f);
        MaterializationState state =
            feature instanceof FeatureSelection.Selected s ? states.get(s.viewName()) : null;
        for (int row = 0; row < rows; row++) {
          counts.rows++;
          Object servedValue = servedValue(status.read(row), served.read(row));
          Object offlineValue = expected.read(row);
          if (servedValue == null && offlineValue == null) {
            continue;
          }
          if (servedValue != null && offlineValue != null) {
            counts.addSmape(servedValue, offlineValue);
            if (equal(servedValue, offlineValue)) {
              continue;
            }
          } else if (servedValue == null) {
            counts.servedMissing++;
          } else {
            counts.offlineMissing++;
          }
          counts.mismatches++;
          if (feature instanceof FeatureSelection.Selected selected) {
            tally.viewMismatches.merge(selected.viewName(), 1L, Long::sum);
            long requestNanos = times.get(row) * perUnit;
            if (state == null) {
              if (servedValue == null && !selected.view().isAggregation()) {
                tally.lagged.merge(selected.viewName(), 1L, Long::sum);
                tally.materializedUpTo.put(selected.viewName(), null);
              }
            } else if (!selected.view().isAggregation()
                && requestNanos > EpochNanos.of(state.materializedUpTo())) {
              lagCandidates
                  .computeIfAbsent(selected.viewName(), v -> new ArrayList<>())
                  .add(new int[] {row, f});
            }
          }
        }
      }
      for (Map.Entry<String, List<int[]>> view : lagCandidates.entrySet()) {
        countLag(
            schema,
            logged,
            view.getKey(),
            view.getValue(),
            states.get(view.getKey()).materializedUpTo(),
            tally,
            allocator);
      }
    }
  }

  /**
   * Replays the candidate rows of one view at the end of its materialization: a row whose served
   * value the join gives there was served from a store not materialized as far as its request.
   */
  private void countLag(
      FeatureLogSchema schema,
      VectorSchemaRoot logged,
      String view,
      List<int[]> candidates,
      Instant materializedUpTo,
      Tally tally,
      BufferAllocator allocator) {
    int[] rows = candidates.stream().mapToInt(c -> c[0]).distinct().sorted().toArray();
    List<String> references = new ArrayList<>();
    for (FeatureSelection.Requested feature : schema.features()) {
      if (feature instanceof FeatureSelection.Selected s && s.viewName().equals(view)) {
        references.add(feature.reference());
      }
    }
    try (TrainingSet capped = join(schema, logged, rows, materializedUpTo, references, allocator)) {
      VectorSchemaRoot joined = capped.table();
      for (int[] candidate : candidates) {
        FeatureSelection.Requested feature = schema.features().get(candidate[1]);
        ValueType type = feature.feature().type();
        Object served =
            servedValue(
                ArrowValues.reader(
                        logged.getVector(FeatureLogSchema.statusColumn(feature)),
                        ValueType.scalar(ScalarType.STRING))
                    .read(candidate[0]),
                ArrowValues.reader(logged.getVector(FeatureLogSchema.valueColumn(feature)), type)
                    .read(candidate[0]));
        Object atMaterialization =
            ArrowValues.reader(joined.getVector(feature.fullName()), type)
                .read(Arrays.binarySearch(rows, candidate[0]));
        if (served == null ? atMaterialization == null : equal(served, atMaterialization)) {
          tally.lagged.merge(view, 1L, Long::sum);
          tally.materializedUpTo.put(view, materializedUpTo);
        }
      }
    }
  }

  private TrainingSet join(
      FeatureLogSchema schema,
      VectorSchemaRoot logged,
      int[] rows,
      Instant at,
      BufferAllocator allocator) {
    return join(schema, logged, rows, at, null, allocator);
  }

  /**
   * The point-in-time join of the logged rows (all, or {@code rows}) at their request times (or all
   * at {@code at}), for the service's features (or {@code references}), full feature names.
   */
  private TrainingSet join(
      FeatureLogSchema schema,
      VectorSchemaRoot logged,
      int[] rows,
      Instant at,
      List<String> references,
      BufferAllocator allocator) {
    List<Field> fields = new ArrayList<>();
    List<FieldVector> from = new ArrayList<>();
    for (Feature key : schema.keys()) {
      FieldVector vector = logged.getVector(key.name());
      if (vector != null) {
        fields.add(vector.getField());
        from.add(vector);
      }
    }
    FieldVector times = logged.getVector(FeatureLogSchema.REQUEST_TIME);
    fields.add(
        new Field(
            FeatureLogSchema.REQUEST_TIME, FieldType.nullable(FeatureLogSchema.MICROS_UTC), null));
    int count = rows == null ? logged.getRowCount() : rows.length;
    try (VectorSchemaRoot entities = VectorSchemaRoot.create(new Schema(fields), allocator)) {
      entities.allocateNew();
      for (int r = 0; r < count; r++) {
        int row = rows == null ? r : rows[r];
        for (int c = 0; c < from.size(); c++) {
          entities.getVector(c).copyFromSafe(row, r, from.get(c));
        }
        TimeStampVector time = (TimeStampVector) entities.getVector(from.size());
        if (at == null) {
          time.copyFromSafe(row, r, times);
        } else {
          time.setSafe(r, Math.floorDiv(EpochNanos.of(at), 1000L));
        }
      }
      entities.setRowCount(count);
      HistoricalRequest.Builder request =
          HistoricalRequest.builder()
              .entities(entities)
              .fullFeatureNames(true)
              .timestampColumn(FeatureLogSchema.REQUEST_TIME);
      if (references == null) {
        request.featureService(schema.service());
      } else {
        request.features(references);
      }
      return store.historicalFeatures(request.build());
    }
  }

  /**
   * The value a caller received: the one logged, whatever the status, except under a status that
   * says there is none (NULL_VALUE, or a row not found or too old, which serve null). An empty
   * window of a count or a sum is served as 0 with status NOT_FOUND: the model got 0, which is what
   * training computes too.
   */
  private static Object servedValue(Object status, Object value) {
    if (value == null || FeatureStatus.NULL_VALUE.name().equals(status)) {
      return null;
    }
    return value;
  }

  /** Equal values: floats within {@link #RELATIVE_TOLERANCE}, lists item by item. */
  static boolean equal(Object a, Object b) {
    if (a instanceof Double || a instanceof Float || b instanceof Double || b instanceof Float) {
      if (!(a instanceof Number x) || !(b instanceof Number y)) {
        return false;
      }
      double p = x.doubleValue();
      double q = y.doubleValue();
      if (p == q || Double.isNaN(p) && Double.isNaN(q)) {
        return true;
      }
      return Math.abs(p - q) <= RELATIVE_TOLERANCE * Math.max(Math.abs(p), Math.abs(q));
    }
    if (a instanceof byte[] x && b instanceof byte[] y) {
      return Arrays.equals(x, y);
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        Object p = x.get(i);
        Object q = y.get(i);
        if (p == null ? q != null : q == null || !equal(p, q)) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  private static final class FeatureTally {
    final String feature;
    final boolean numeric;
    long rows;
    long mismatches;
    long servedMissing;
    long offlineMissing;
    double smapeSum;
    long smapeRows;

    FeatureTally(FeatureSelection.Requested requested) {
      this.feature = requested.reference();
      ValueType type = requested.feature().type();
      this.numeric =
          !type.list()
              && switch (type.element()) {
                case INT32, INT64, FLOAT32, FLOAT64 -> true;
                default -> false;
              };
    }

    /**
     * Adds a pair of numbers to the SMAPE; a pair with a NaN or infinite value is left out (its
     * SMAPE term is not a number; the pair still counts as a mismatch when the values differ), so
     * the SMAPE is a number, or null when no pair is finite.
     */
    void addSmape(Object served, Object offline) {
      if (!numeric) {
        return;
      }
      double a = ((Number) served).doubleValue();
      double b = ((Number) offline).doubleValue();
      if (!Double.isFinite(a) || !Double.isFinite(b)) {
        return;
      }
      double scale = (Math.abs(a) + Math.abs(b)) / 2;
      smapeSum += scale == 0 ? 0 : Math.abs(a - b) / scale;
      smapeRows++;
    }

    ConsistencyReport.FeatureConsistency result() {
      return new ConsistencyReport.FeatureConsistency(
          feature,
          rows,
          mismatches,
          servedMissing,
          offlineMissing,
          numeric && smapeRows > 0 ? 100 * smapeSum / smapeRows : null);
    }
  }

  private static final class Tally {
    final List<FeatureTally> features = new ArrayList<>();
    final Map<String, Long> viewMismatches = new LinkedHashMap<>();
    final Map<String, Long> lagged = new LinkedHashMap<>();
    final Map<String, Instant> materializedUpTo = new LinkedHashMap<>();
    final java.util.Set<String> missingKeys = new java.util.TreeSet<>();
    long rows;
    long skipped;
    int skippedFiles;

    Tally(FeatureLogSchema schema) {
      schema.features().forEach(f -> features.add(new FeatureTally(f)));
    }

    ConsistencyReport report(String service, int files) {
      List<ConsistencyReport.Lag> lag = new ArrayList<>();
      lagged.forEach(
          (view, count) ->
              lag.add(
                  new ConsistencyReport.Lag(
                      view, count, viewMismatches.get(view), materializedUpTo.get(view))));
      List<String> notes = new ArrayList<>();
      if (skipped > 0) {
        notes.add(
            skipped
                + " rows in "
                + skippedFiles
                + (skippedFiles == 1 ? " file" : " files")
                + " written before the service's current definitions were skipped: they lack its"
                + " join key or request field "
                + String.join(", ", missingKeys)
                + " (or hold it as another type)");
      }
      return new ConsistencyReport(
          service,
          rows,
          features.stream().map(FeatureTally::result).toList(),
          lag,
          files,
          skipped,
          notes);
    }
  }
}
