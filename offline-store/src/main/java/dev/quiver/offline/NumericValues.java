package dev.quiver.offline;

import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;

/**
 * Non-null values of the fixed-width vectors the engines read as primitives (keys, timestamps and
 * aggregated columns), without boxing: the join's key dictionary, the aggregation search and the
 * tile materialization all read them so.
 */
public final class NumericValues {

  private NumericValues() {}

  /** An int32, int64, timestamp (its stored units) or bool (1 or 0) value as a long. */
  public static long longOf(FieldVector vector, int row) {
    if (vector instanceof BigIntVector v) {
      return v.get(row);
    }
    if (vector instanceof IntVector v) {
      return v.get(row);
    }
    if (vector instanceof BitVector v) {
      return v.get(row);
    }
    return ((TimeStampVector) vector).get(row);
  }

  /** A float32 (widened exactly) or float64 value as a double. */
  public static double doubleOf(FieldVector vector, int row) {
    if (vector instanceof Float8Vector v) {
      return v.get(row);
    }
    return ((Float4Vector) vector).get(row);
  }

  /** Any of them as bits: a float as its double's raw bits, the others as {@link #longOf}. */
  public static long bitsOf(FieldVector vector, int row) {
    return vector instanceof Float8Vector || vector instanceof Float4Vector
        ? Double.doubleToRawLongBits(doubleOf(vector, row))
        : longOf(vector, row);
  }
}
