package dev.quiver.materializer;

import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.offline.resources.Reservation;
import dev.quiver.offline.resources.WorkerPool;
import dev.quiver.offline.scan.ScanPlan;
import dev.quiver.offline.scan.SourceScan;
import dev.quiver.offline.scan.ViewColumns;
import dev.quiver.online.OnlineRow;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.rules.RuleChecker;
import dev.quiver.registry.rules.ValidationReport;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Checks the rows of a view's window of offline data against its features' rules: every source row
 * a materialization of the same window reads (the same window rule, a null key or timestamp
 * skipped), not only the winners it writes, so {@code quiver validate START END} tells what {@code
 * quiver materialize START END} will find. Read on the worker pool, a tally per batch merged as
 * batches finish.
 */
public final class WindowValidation {

  private WindowValidation() {}

  /**
   * The report of the view's rows with {@code start <= ts <= end} (for a view known by its created
   * time, rows known in the window) in {@code files}.
   *
   * @param start nanoseconds, or {@link Long#MIN_VALUE} for the beginning of the data
   * @param end nanoseconds, inclusive
   */
  public static ValidationReport check(
      FeatureView view,
      ParquetSource source,
      List<Entity> entities,
      List<Path> files,
      long start,
      long end,
      MaterializationOptions options,
      MemoryBudget memory) {
    RuleChecker checker = RuleChecker.of(view);
    boolean byCreated = view.knownTime() == KnownTime.CREATED;
    ScanPlan plan =
        ScanPlan.builder(
                "feature view '" + view.name() + "'",
                files,
                ViewColumns.of(source, entities, view.features()))
            .timeRange(source.timestampField(), byCreated ? Long.MIN_VALUE : start, end)
            .build();
    long largest = plan.tasks().stream().mapToLong(ScanPlan.Task::estimatedBytes).max().orElse(0);
    long reading = Math.min(2 * largest * options.threads() + (16L << 20), memory.limit());
    RuleChecker.Tally total = checker.tally();
    try (Reservation reservation = memory.reserve("validate-" + view.name(), reading, reading)) {
      new SourceScan(plan, reservation.allocator())
          .run(
              WorkerPool.shared(),
              options.threads(),
              batch -> {
                RuleChecker.Tally tally = checker.tally();
                tallyBatch(view, entities, batch.root(), start, end, tally);
                synchronized (total) {
                  total.merge(tally);
                }
                return false;
              });
    } catch (OutOfMemoryException e) {
      throw ViewMaterialization.outOfMemory(view, memory, e);
    }
    return total.report();
  }

  private static void tallyBatch(
      FeatureView view,
      List<Entity> entities,
      VectorSchemaRoot root,
      long start,
      long end,
      RuleChecker.Tally tally) {
    Map<String, FieldVector> keys = new LinkedHashMap<>();
    for (Entity entity : entities) {
      keys.put(entity.joinKey(), root.getVector(entity.joinKey()));
    }
    Map<String, FieldVector> features = new HashMap<>();
    view.features().stream()
        .filter(f -> f.expect() != null)
        .forEach(f -> features.put(f.name(), root.getVector(f.name())));
    TimeStampNanoTZVector ts = (TimeStampNanoTZVector) root.getVector(ViewColumns.EVENT_TS);
    TimeStampNanoTZVector created = (TimeStampNanoTZVector) root.getVector(ViewColumns.CREATED_TS);
    List<FieldVector> keyVectors = List.copyOf(keys.values());
    ArrowRow row = new ArrowRow(keys, features);
    for (int r = 0; r < root.getRowCount(); r++) {
      if (ts.isNull(r) || KeyColumns.hasNull(keyVectors, r)) {
        continue;
      }
      long at = ts.get(r);
      long createdAt = created == null || created.isNull(r) ? OnlineRow.NO_CREATED : created.get(r);
      if (!ViewMaterialization.inWindow(view, at, createdAt, start, end)) {
        continue;
      }
      row.at(r, at);
      tally.add(row);
    }
  }

  /** A row of a batch as the checker reads it. */
  private static final class ArrowRow implements RuleChecker.Row {
    private final Map<String, FieldVector> keys;
    private final Map<String, FieldVector> features;
    private int row;
    private long eventNanos;

    ArrowRow(Map<String, FieldVector> keys, Map<String, FieldVector> features) {
      this.keys = keys;
      this.features = features;
    }

    void at(int index, long at) {
      this.row = index;
      this.eventNanos = at;
    }

    @Override
    public Object value(String feature) {
      return OnlineValues.of(features.get(feature), row);
    }

    @Override
    public Map<String, Object> keys() {
      Map<String, Object> values = new LinkedHashMap<>();
      keys.forEach((name, vector) -> values.put(name, OnlineValues.of(vector, row)));
      return values;
    }

    @Override
    public long eventNanos() {
      return eventNanos;
    }
  }
}
