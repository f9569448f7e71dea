package dev.quiver.monitoring.stats;

import dev.quiver.monitoring.logging.FeatureLogs;
import dev.quiver.offline.SourceDataException;
import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.offline.resources.WorkerPool;
import dev.quiver.offline.scan.ScanPlan;
import dev.quiver.offline.scan.SourceScan;
import dev.quiver.offline.scan.ViewColumns;
import dev.quiver.offline.stats.FeatureStatistics;
import dev.quiver.offline.stats.TableStatistics;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Statistics computed from data that is not a training set: a window of a view's source, or the
 * rows a feature service logged while serving. Both stream the Parquet files with the offline
 * store's scan (a row group per batch, a few at a time), so memory stays bounded by the sketches
 * and the batches in flight. Results are keyed by feature reference ({@code view:feature}) and each
 * statistic's column is that reference.
 */
public final class CurrentStatistics {

  /** The column of a logged row's request time. */
  public static final String REQUEST_TIME = "request_time";

  private CurrentStatistics() {}

  /**
   * The statistics of each feature of {@code views} over the source rows with {@code start <= event
   * time <= end} (both inclusive, as materialize reads a window).
   *
   * @throws InvalidRequestException for an unknown view or an aggregation view (whose features are
   *     computed, not read)
   * @throws SourceDataException when a source cannot be read
   */
  public static Map<String, FeatureStatistics> ofWindow(
      Definitions definitions, Path repoRoot, List<String> views, Instant start, Instant end) {
    Map<String, FeatureStatistics> results = new LinkedHashMap<>();
    long lower = nanos(start);
    long upper = nanos(end);
    for (String name : views) {
      FeatureView view =
          definitions
              .featureView(name)
              .orElseThrow(
                  () ->
                      new InvalidRequestException(
                          "Cannot compute statistics: there is no feature view '" + name + "'"));
      if (view.isAggregation()) {
        throw new InvalidRequestException(
            "Cannot compute statistics of the source window of '"
                + name
                + "': it is an aggregation view, whose features are computed from windows; ask"
                + " for a training set's statistics instead");
      }
      ParquetSource source = definitions.sourceOf(view);
      List<ColumnSpec> columns =
          ViewColumns.of(source, definitions.entitiesOf(view), view.features());
      ScanPlan plan =
          ScanPlan.builder(
                  ViewColumns.describe(view, source),
                  ViewColumns.files(view, source, repoRoot, "compute statistics of"),
                  columns)
              .timeRange(ViewColumns.EVENT_TS, lower, upper)
              .build();
      List<String> features = view.features().stream().map(Feature::name).toList();
      for (FeatureStatistics s : scan(plan, ViewColumns.EVENT_TS, lower, upper, features)) {
        String reference = name + ":" + s.column();
        results.put(reference, renamed(s, reference));
      }
    }
    return results;
  }

  /**
   * The statistics of each logged feature of {@code service} over the rows logged at or after
   * {@code since}, from the Parquet files in {@code folder} (the service's logging folder): columns
   * {@code <view>__<feature>} and {@code request_time}.
   *
   * @param features the references wanted (e.g. a baseline's); those the service does not serve are
   *     left out
   * @throws InvalidRequestException for an unknown service
   * @throws SourceDataException when the folder holds no log file, or one cannot be read
   */
  public static Map<String, FeatureStatistics> ofLogs(
      Definitions definitions, String service, Path folder, Instant since, List<String> features) {
    FeatureService definition =
        definitions
            .featureService(service)
            .orElseThrow(
                () ->
                    new InvalidRequestException(
                        "Cannot compute statistics of logs: there is no feature service '"
                            + service
                            + "'"));
    FeatureSelection selection = FeatureSelection.ofService(definitions, definition.name());
    List<ColumnSpec> columns = new ArrayList<>();
    columns.add(new ColumnSpec(REQUEST_TIME, REQUEST_TIME, ValueType.scalar(ScalarType.TIMESTAMP)));
    Map<String, String> references = new LinkedHashMap<>();
    for (FeatureSelection.Requested requested : selection.requested()) {
      String reference = requested.reference();
      if (features != null && !features.contains(reference)) {
        continue;
      }
      String column = requested.fullName();
      columns.add(new ColumnSpec(column, column, requested.feature().type()));
      references.put(column, reference);
    }
    List<Path> files = FeatureLogs.files(folder, since);
    if (files.isEmpty()) {
      throw new SourceDataException(
          "Cannot compute statistics of the logs of '"
              + service
              + "': "
              + folder
              + " holds no Parquet log file (is logging on for the service, and has it served?)");
    }
    long lower = since == null ? Long.MIN_VALUE : nanos(since);
    ScanPlan plan =
        ScanPlan.builder("the logs of feature service '" + service + "'", files, columns)
            .timeRange(REQUEST_TIME, lower, Long.MAX_VALUE)
            .build();
    Map<String, FeatureStatistics> results = new LinkedHashMap<>();
    for (FeatureStatistics s :
        scan(plan, REQUEST_TIME, lower, Long.MAX_VALUE, List.copyOf(references.keySet()))) {
      String reference = references.get(s.column());
      results.put(reference, renamed(s, reference));
    }
    return results;
  }

  /** Scans the plan and gathers the statistics of {@code columns} over rows in the time range. */
  private static List<FeatureStatistics> scan(
      ScanPlan plan, String timeColumn, long lower, long upper, List<String> columns) {
    TableStatistics statistics = new TableStatistics(columns::contains);
    BufferAllocator allocator =
        MemoryBudget.process().root().newChildAllocator("statistics", 0, Long.MAX_VALUE);
    try (allocator) {
      WorkerPool pool = WorkerPool.shared();
      new SourceScan(plan, allocator)
          .run(
              pool,
              pool.threads(),
              batch -> {
                VectorSchemaRoot root = batch.root();
                TimeStampVector times = (TimeStampVector) root.getVector(timeColumn);
                int[] rows = new int[root.getRowCount()];
                int size = 0;
                for (int i = 0; i < root.getRowCount(); i++) {
                  if (!times.isNull(i)) {
                    long t = times.get(i);
                    if (t >= lower && t <= upper) {
                      rows[size++] = i;
                    }
                  }
                }
                statistics.update(root, rows, size);
                return false;
              });
    }
    List<FeatureStatistics> results = statistics.results();
    if (results.isEmpty()) {
      // No row group in the window: every column, counted empty.
      for (ColumnSpec column : plan.columns()) {
        if (columns.contains(column.name())) {
          dev.quiver.offline.stats.ColumnStatistics empty =
              new dev.quiver.offline.stats.ColumnStatistics(column.name(), column.type());
          results.add(empty.result());
        }
      }
    }
    return results;
  }

  private static FeatureStatistics renamed(FeatureStatistics s, String column) {
    return new FeatureStatistics(
        column,
        s.type(),
        s.kind(),
        s.count(),
        s.nulls(),
        s.mean(),
        s.stddev(),
        s.min(),
        s.max(),
        s.distinct(),
        s.quantiles(),
        s.histogram(),
        s.kll(),
        s.top(),
        s.otherValues());
  }

  private static long nanos(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
  }
}
