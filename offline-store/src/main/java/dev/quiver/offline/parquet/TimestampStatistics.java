package dev.quiver.offline.parquet;

import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;

/** Row-group skipping by the statistics of a timestamp column. */
public final class TimestampStatistics {

  private TimestampStatistics() {}

  /**
   * False only when the row group's statistics prove that no timestamp of {@code column} lies in
   * {@code [lower, upper]} (nanoseconds). INT96 statistics are not trusted.
   */
  public static boolean mayHold(BlockMetaData group, String column, long lower, long upper) {
    for (ColumnChunkMetaData chunk : group.getColumns()) {
      if (!chunk.getPath().toDotString().equals(column)) {
        continue;
      }
      PrimitiveType type = chunk.getPrimitiveType();
      if (!(type.getLogicalTypeAnnotation()
          instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation timestamp)) {
        return true;
      }
      Statistics<?> stats = chunk.getStatistics();
      if (stats == null || stats.isEmpty() || !stats.hasNonNullValue()) {
        return true;
      }
      try {
        long factor = Timestamps.nanosPerUnit(timestamp.getUnit());
        long min = Timestamps.toNanos(((Number) stats.genericGetMin()).longValue(), factor);
        long max = Timestamps.toNanos(((Number) stats.genericGetMax()).longValue(), factor);
        return max >= lower && min <= upper;
      } catch (ArithmeticException e) {
        return true;
      }
    }
    return true;
  }
}
