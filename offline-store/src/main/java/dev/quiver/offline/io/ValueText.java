package dev.quiver.offline.io;

import dev.quiver.offline.ArrowTypes;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.util.Text;

/**
 * One Arrow value as text, the way CSV output and console tables show it: timestamps as ISO-8601
 * UTC instants at full precision, bytes as base64, lists as JSON-style arrays.
 */
public final class ValueText {

  private ValueText() {}

  /** The text of a non-null value. */
  public static String format(FieldVector vector, int row) {
    if (vector instanceof TimeStampVector timestamps) {
      ArrowType.Timestamp type = (ArrowType.Timestamp) vector.getField().getType();
      return instant(timestamps.get(row), ArrowTypes.nanosPerUnit(type.getUnit())).toString();
    }
    if (vector instanceof VarBinaryVector bytes) {
      return Base64.getEncoder().encodeToString(bytes.get(row));
    }
    if (vector instanceof Float4Vector floats) {
      return Float.toString(floats.get(row));
    }
    if (vector instanceof ListVector list && list.getDataVector() instanceof TimeStampVector) {
      // Arrow's objects for timestamps depend on the unit and zone; written alike as instants.
      StringBuilder text = new StringBuilder("[");
      for (int i = list.getElementStartIndex(row); i < list.getElementEndIndex(row); i++) {
        if (i > list.getElementStartIndex(row)) {
          text.append(", ");
        }
        text.append(list.getDataVector().isNull(i) ? "null" : format(list.getDataVector(), i));
      }
      return text.append(']').toString();
    }
    if (vector instanceof ListVector list) {
      Object value = list.getObject(row);
      StringBuilder text = new StringBuilder("[");
      List<?> items = (List<?>) value;
      for (int i = 0; i < items.size(); i++) {
        if (i > 0) {
          text.append(", ");
        }
        Object item = items.get(i);
        text.append(
            item == null
                ? "null"
                : item instanceof Text || item instanceof String
                    ? quote(item.toString())
                    : item.toString());
      }
      return text.append(']').toString();
    }
    Object value = vector.getObject(row);
    return value instanceof Text text ? text.toString() : String.valueOf(value);
  }

  /**
   * The instant {@code value} units after the epoch. Not through nanoseconds: a column in a coarser
   * unit holds instants past 2262, which nanoseconds in a long do not.
   */
  private static Instant instant(long value, long nanosPerUnit) {
    long perSecond = 1_000_000_000L / nanosPerUnit;
    return Instant.ofEpochSecond(
        Math.floorDiv(value, perSecond), Math.floorMod(value, perSecond) * nanosPerUnit);
  }

  private static String quote(String text) {
    return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
