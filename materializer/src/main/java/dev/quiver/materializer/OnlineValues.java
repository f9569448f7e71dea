package dev.quiver.materializer;

import dev.quiver.EpochNanos;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;

/** Arrow values as the online codecs take them (Instant for timestamps, String for text). */
final class OnlineValues {

  private OnlineValues() {}

  static Object of(FieldVector vector, int row) {
    if (vector.isNull(row)) {
      return null;
    }
    if (vector instanceof BigIntVector v) {
      return v.get(row);
    }
    if (vector instanceof IntVector v) {
      return v.get(row);
    }
    if (vector instanceof Float8Vector v) {
      return v.get(row);
    }
    if (vector instanceof Float4Vector v) {
      return v.get(row);
    }
    if (vector instanceof BitVector v) {
      return v.get(row) != 0;
    }
    if (vector instanceof VarCharVector v) {
      return new String(v.get(row), java.nio.charset.StandardCharsets.UTF_8);
    }
    if (vector instanceof VarBinaryVector v) {
      return v.get(row);
    }
    if (vector instanceof TimeStampNanoTZVector v) {
      return EpochNanos.toInstant(v.get(row));
    }
    if (vector instanceof ListVector list) {
      FieldVector elements = list.getDataVector();
      List<Object> items = new ArrayList<>();
      for (int i = list.getElementStartIndex(row); i < list.getElementEndIndex(row); i++) {
        items.add(of(elements, i));
      }
      return items;
    }
    throw new IllegalArgumentException("Cannot materialize a column of type " + vector.getField());
  }
}
