package dev.quiver.materializer;

import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;

/** Reading join key columns without boxing. */
final class KeyColumns {

  private KeyColumns() {}

  static boolean hasNull(List<FieldVector> keys, int row) {
    for (FieldVector key : keys) {
      if (key.isNull(row)) {
        return true;
      }
    }
    return false;
  }

  /** An int32 or int64 key as a long. */
  static long longValue(FieldVector vector, int row) {
    return vector instanceof BigIntVector v ? v.get(row) : ((IntVector) vector).get(row);
  }
}
