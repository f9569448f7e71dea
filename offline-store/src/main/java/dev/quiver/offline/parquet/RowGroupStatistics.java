package dev.quiver.offline.parquet;

import java.util.Optional;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;

/** What a row group's column statistics prove, for skipping row groups and sizing tables. */
public final class RowGroupStatistics {

  private RowGroupStatistics() {}

  /** The smallest and largest value of an integer column, both inclusive. */
  public record LongRange(long min, long max) {
    public LongRange union(LongRange other) {
      return new LongRange(Math.min(min, other.min), Math.max(max, other.max));
    }
  }

  /**
   * False only when the row group's statistics prove that no timestamp of {@code column} lies in
   * {@code [lower, upper]} (nanoseconds). INT96 statistics are not trusted.
   */
  public static boolean mayHold(BlockMetaData group, String column, long lower, long upper) {
    Optional<Statistics<?>> stats = statistics(group, column);
    if (stats.isEmpty()
        || !(stats.get().type().getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation timestamp)) {
      return true;
    }
    try {
      long factor = Timestamps.nanosPerUnit(timestamp.getUnit());
      long min = Timestamps.toNanos(((Number) stats.get().genericGetMin()).longValue(), factor);
      long max = Timestamps.toNanos(((Number) stats.get().genericGetMax()).longValue(), factor);
      return max >= lower && min <= upper;
    } catch (ArithmeticException e) {
      return true;
    }
  }

  /**
   * The range of the non-null values of a plain INT32 or INT64 column, when its statistics give it.
   */
  public static Optional<LongRange> integerRange(BlockMetaData group, String column) {
    Optional<Statistics<?>> stats = statistics(group, column);
    if (stats.isEmpty()) {
      return Optional.empty();
    }
    PrimitiveType type = stats.get().type();
    boolean plainInteger =
        type.getLogicalTypeAnnotation() == null
            || type.getLogicalTypeAnnotation()
                    instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation integer
                && integer.isSigned();
    if (!plainInteger
        || type.getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.INT64
            && type.getPrimitiveTypeName() != PrimitiveType.PrimitiveTypeName.INT32) {
      return Optional.empty();
    }
    return Optional.of(
        new LongRange(
            ((Number) stats.get().genericGetMin()).longValue(),
            ((Number) stats.get().genericGetMax()).longValue()));
  }

  /** The statistics of a column chunk, when it has them and holds a non-null value. */
  private static Optional<Statistics<?>> statistics(BlockMetaData group, String column) {
    for (ColumnChunkMetaData chunk : group.getColumns()) {
      if (chunk.getPath().toDotString().equals(column)) {
        Statistics<?> stats = chunk.getStatistics();
        return stats == null || stats.isEmpty() || !stats.hasNonNullValue()
            ? Optional.empty()
            : Optional.of(stats);
      }
    }
    return Optional.empty();
  }
}
