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

  /** The encoded entity key of a single int32 or int64 join key. */
  static byte[] encodeLong(dev.quiver.registry.model.Entity entity, long key) {
    Object value =
        entity.type() == dev.quiver.registry.model.ScalarType.INT32
            ? (Object) (int) key
            : (Object) key;
    return dev.quiver.online.EntityKeyCodec.encode(
        java.util.Map.of(entity.joinKey(), value),
        java.util.Map.of(entity.joinKey(), entity.type()));
  }
}
