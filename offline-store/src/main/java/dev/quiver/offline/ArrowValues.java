package dev.quiver.offline;

import dev.quiver.EpochNanos;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Arrow values as the Java values the SDK and the on-demand evaluator hold, and back: int32 as
 * {@link Integer}, int64 as {@link Long}, float32 as {@link Float}, float64 as {@link Double},
 * bools, strings, {@code byte[]}, timestamps (of any unit and zone) as the exact UTC {@link
 * Instant}, lists as {@link List}s of those; null for null.
 *
 * <p>A column may be read as a wider type than it holds, exactly: int32 as int64 or float64,
 * float32 as float64, and int64 as float64 (a value past 2^53, which a double cannot hold exactly,
 * is refused) or as int32 (a value past int32 is refused). Lists are read only as they are.
 */
public final class ArrowValues {

  private ArrowValues() {}

  /** Reads one row's value of a vector; safe to call from several threads at once. */
  @FunctionalInterface
  public interface Reader {
    Object read(int row);
  }

  /** Why a value could not be read as the type asked for. */
  public static final class UnreadableValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private UnreadableValueException(String message) {
      super(message);
    }
  }

  /** Doubles hold every integer up to this exactly. */
  private static final long EXACT_DOUBLE = 1L << 53;

  /** Whether {@link #reader} can read a column of this Arrow type as {@code type}. */
  public static boolean readable(FieldVector vector, ValueType type) {
    ValueType actual = ArrowTypes.valueType(vector.getField());
    if (actual == null) {
      return false;
    }
    if (actual.equals(type)) {
      return true;
    }
    if (actual.list() || type.list()) {
      return false;
    }
    return switch (type.element()) {
      case INT64 -> actual.element() == ScalarType.INT32;
      case INT32 -> actual.element() == ScalarType.INT64;
      case FLOAT64 ->
          actual.element() == ScalarType.INT32
              || actual.element() == ScalarType.INT64
              || actual.element() == ScalarType.FLOAT32;
      // Rounded to the nearest float32, as a number sent online for a float32 field is.
      case FLOAT32 ->
          actual.element() == ScalarType.INT32
              || actual.element() == ScalarType.INT64
              || actual.element() == ScalarType.FLOAT64;
      default -> false;
    };
  }

  /**
   * A reader of {@code vector}'s values as {@code type}.
   *
   * @throws IllegalArgumentException when the vector cannot be read as the type ({@link #readable})
   */
  public static Reader reader(FieldVector vector, ValueType type) {
    if (!readable(vector, type)) {
      throw new IllegalArgumentException("Cannot read " + vector.getField() + " as " + type);
    }
    if (type.list()) {
      ListVector list = (ListVector) vector;
      Reader element = scalar(list.getDataVector(), type.element());
      return row -> {
        if (list.isNull(row)) {
          return null;
        }
        int start = list.getElementStartIndex(row);
        int end = list.getElementEndIndex(row);
        List<Object> values = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
          values.add(element.read(i));
        }
        return values;
      };
    }
    return scalar(vector, type.element());
  }

  private static Reader scalar(FieldVector vector, ScalarType type) {
    if (vector instanceof IntVector ints) {
      return switch (type) {
        case INT64 -> row -> ints.isNull(row) ? null : (Object) (long) ints.get(row);
        case FLOAT64 -> row -> ints.isNull(row) ? null : (Object) (double) ints.get(row);
        case FLOAT32 -> row -> ints.isNull(row) ? null : (Object) (float) ints.get(row);
        default -> row -> ints.isNull(row) ? null : (Object) ints.get(row);
      };
    }
    if (vector instanceof BigIntVector longs) {
      return switch (type) {
        case INT32 ->
            row -> {
              if (longs.isNull(row)) {
                return null;
              }
              long value = longs.get(row);
              if (value != (int) value) {
                throw new UnreadableValueException(
                    "row " + (row + 1) + " holds " + value + ", which does not fit int32");
              }
              return (int) value;
            };
        case FLOAT64 ->
            row -> {
              if (longs.isNull(row)) {
                return null;
              }
              long value = longs.get(row);
              if (value > EXACT_DOUBLE || value < -EXACT_DOUBLE) {
                throw new UnreadableValueException(
                    "row "
                        + (row + 1)
                        + " holds "
                        + value
                        + ", which a float64 cannot hold exactly");
              }
              return (double) value;
            };
        case FLOAT32 -> row -> longs.isNull(row) ? null : (Object) (float) longs.get(row);
        default -> row -> longs.isNull(row) ? null : (Object) longs.get(row);
      };
    }
    if (vector instanceof Float4Vector floats) {
      // float to double is Java's exact widening.
      return type == ScalarType.FLOAT64
          ? row -> floats.isNull(row) ? null : (Object) (double) floats.get(row)
          : row -> floats.isNull(row) ? null : (Object) floats.get(row);
    }
    if (vector instanceof Float8Vector doubles) {
      return type == ScalarType.FLOAT32
          ? row -> doubles.isNull(row) ? null : (Object) (float) doubles.get(row)
          : row -> doubles.isNull(row) ? null : (Object) doubles.get(row);
    }
    if (vector instanceof BitVector bits) {
      return row -> bits.isNull(row) ? null : (Object) (bits.get(row) != 0);
    }
    if (vector instanceof VarCharVector strings) {
      return row ->
          strings.isNull(row) ? null : new String(strings.get(row), StandardCharsets.UTF_8);
    }
    if (vector instanceof VarBinaryVector bytes) {
      return row -> bytes.isNull(row) ? null : bytes.get(row);
    }
    if (vector instanceof TimeStampVector timestamps) {
      ArrowType.Timestamp arrowType = (ArrowType.Timestamp) vector.getField().getType();
      LongFunction<Instant> instant = instants(ArrowTypes.nanosPerUnit(arrowType.getUnit()));
      return row -> timestamps.isNull(row) ? null : instant.apply(timestamps.get(row));
    }
    throw new IllegalArgumentException("Cannot read " + vector.getField());
  }

  /**
   * The instant of a value in units of {@code nanosPerUnit} after the epoch; whatever the zone, an
   * Arrow timestamp counts from the UTC epoch. Not through nanoseconds: a coarser unit holds
   * instants past 2262.
   */
  private static LongFunction<Instant> instants(long nanosPerUnit) {
    long perSecond = 1_000_000_000L / nanosPerUnit;
    return value ->
        Instant.ofEpochSecond(
            Math.floorDiv(value, perSecond), Math.floorMod(value, perSecond) * nanosPerUnit);
  }

  /**
   * Sets row {@code row} of {@code vector} (made by {@link ArrowTypes#field} for {@code type}) to a
   * Java value of the type, or null. Rows must be set in order for lists and variable-width types.
   */
  public static void write(FieldVector vector, ValueType type, int row, Object value) {
    if (value == null) {
      vector.setNull(row);
    } else if (!type.list()) {
      writeScalar(vector, type.element(), row, value);
    } else {
      ListVector list = (ListVector) vector;
      FieldVector elements = list.getDataVector();
      List<?> items = (List<?>) value;
      int start = list.startNewValue(row);
      for (int i = 0; i < items.size(); i++) {
        if (items.get(i) == null) {
          elements.setNull(start + i);
        } else {
          writeScalar(elements, type.element(), start + i, items.get(i));
        }
      }
      list.endValue(row, items.size());
    }
  }

  private static void writeScalar(FieldVector vector, ScalarType type, int index, Object value) {
    switch (type) {
      case BOOL -> ((BitVector) vector).setSafe(index, (Boolean) value ? 1 : 0);
      case INT32 -> ((IntVector) vector).setSafe(index, (Integer) value);
      case INT64 -> ((BigIntVector) vector).setSafe(index, (Long) value);
      case FLOAT32 -> ((Float4Vector) vector).setSafe(index, (Float) value);
      case FLOAT64 -> ((Float8Vector) vector).setSafe(index, (Double) value);
      case STRING ->
          ((VarCharVector) vector)
              .setSafe(index, ((String) value).getBytes(StandardCharsets.UTF_8));
      case BYTES -> ((VarBinaryVector) vector).setSafe(index, (byte[]) value);
      case TIMESTAMP -> ((TimeStampVector) vector).setSafe(index, EpochNanos.of((Instant) value));
    }
  }
}
