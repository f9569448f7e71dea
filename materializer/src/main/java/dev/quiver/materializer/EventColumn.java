package dev.quiver.materializer;

import dev.quiver.offline.NumericValues;
import dev.quiver.online.tiles.TileBody;
import dev.quiver.registry.model.ScalarType;
import java.util.Arrays;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * One aggregated column of buffered events: per event a null flag and the value as a long (bool,
 * integers and timestamps as they are, floats as the raw bits of the value as a double), or the
 * bytes of a string or bytes value.
 */
final class EventColumn {

  private final TileBody.Holder holder;
  private long[] bits;
  private Object[] objects;
  private boolean[] nulls;

  EventColumn(ScalarType type, int capacity) {
    holder = TileBody.Holder.of(type);
    nulls = new boolean[capacity];
    if (holder == TileBody.Holder.BYTES) {
      objects = new Object[capacity];
    } else {
      bits = new long[capacity];
    }
  }

  void grow(int capacity) {
    nulls = Arrays.copyOf(nulls, capacity);
    if (objects != null) {
      objects = Arrays.copyOf(objects, capacity);
    } else {
      bits = Arrays.copyOf(bits, capacity);
    }
  }

  /** Heap bytes an event takes here. */
  int bytesPerEvent() {
    return holder == TileBody.Holder.BYTES ? 1 + 8 + 32 : 1 + 8;
  }

  /** Stores row {@code row} of {@code vector} as event {@code event}. */
  void set(int event, FieldVector vector, int row) {
    if (vector.isNull(row)) {
      nulls[event] = true;
      return;
    }
    nulls[event] = false;
    switch (holder) {
      case LONG -> bits[event] = NumericValues.longOf(vector, row);
      case DOUBLE -> bits[event] = Double.doubleToRawLongBits(NumericValues.doubleOf(vector, row));
      case BYTES ->
          objects[event] =
              vector instanceof VarCharVector v ? v.get(row) : ((VarBinaryVector) vector).get(row);
    }
  }

  boolean isNull(int event) {
    return nulls[event];
  }

  long bits(int event) {
    return bits[event];
  }

  Object object(int event) {
    return objects[event];
  }
}
