package dev.quiver.offline.stats;

import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.resources.WorkerPool;
import dev.quiver.registry.model.ValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The statistics of some columns of a table, gathered batch by batch as the table is written or
 * read ({@link ColumnStatistics}); the columns are picked from the first batch's schema. A large
 * batch's columns are updated in parallel on the {@link WorkerPool}. Updates may come from several
 * threads: they are serialized.
 */
public final class TableStatistics {

  /** Batches smaller than this update their columns on the calling thread alone. */
  private static final int PARALLEL_ROWS = 16_384;

  private final Predicate<String> include;
  private Map<String, ColumnStatistics> columns;

  /**
   * @param include which columns (by name) get statistics
   */
  public TableStatistics(Predicate<String> include) {
    this.include = include;
  }

  /** Adds every row of {@code batch}. */
  public void update(VectorSchemaRoot batch) {
    update(batch, null, batch.getRowCount());
  }

  /**
   * Adds rows {@code rows[0..size)} of {@code batch} (the first {@code size} when {@code rows} is
   * null).
   */
  public synchronized void update(VectorSchemaRoot batch, int[] rows, int size) {
    if (columns == null) {
      columns = new LinkedHashMap<>();
      for (Field field : batch.getSchema().getFields()) {
        ValueType type = ArrowTypes.valueType(field);
        if (type != null && include.test(field.getName())) {
          columns.put(field.getName(), new ColumnStatistics(field.getName(), type));
        }
      }
    }
    // A column per task: the columns' sketches are independent.
    List<WorkerPool.Task> work = new ArrayList<>(columns.size());
    for (Map.Entry<String, ColumnStatistics> column : columns.entrySet()) {
      FieldVector vector = batch.getVector(column.getKey());
      ColumnStatistics statistics = column.getValue();
      work.add(() -> statistics.update(vector, rows, size));
    }
    if (work.size() == 1 || size < PARALLEL_ROWS) {
      for (Map.Entry<String, ColumnStatistics> column : columns.entrySet()) {
        column.getValue().update(batch.getVector(column.getKey()), rows, size);
      }
    } else {
      WorkerPool.shared().runAll(work, work.size());
    }
  }

  /** The statistics of each column, in the table's order; empty when no batch came. */
  public synchronized List<FeatureStatistics> results() {
    List<FeatureStatistics> results = new ArrayList<>();
    if (columns != null) {
      for (ColumnStatistics column : columns.values()) {
        results.add(column.result());
      }
    }
    return results;
  }
}
