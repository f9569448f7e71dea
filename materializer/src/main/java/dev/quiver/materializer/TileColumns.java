package dev.quiver.materializer;

import dev.quiver.online.tiles.TileBody;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.online.tiles.TileOutput;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.ScalarType;
import java.util.Arrays;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * How one slot's partial sits in a tile's row of longs ({@link TileTable} keeps a tile's fields
 * side by side, so folding a row into it or writing it touches one or two cache lines, where a
 * column per field cost a cache miss each), and how a source row folds into it. Doubles are kept as
 * their raw bits; a string or bytes value sits in the tile's object cell.
 */
abstract class TileColumns {

  /** Where the slot's longs start in the tile's row. */
  protected final int at;

  TileColumns(int at) {
    this.at = at;
  }

  /**
   * @param at where the slot's longs start in a tile's row
   * @param objectCell the slot's cell among a tile's objects, for string and bytes values
   */
  static TileColumns of(TileLayout.Slot slot, int at, int objectCell) {
    return switch (slot.function()) {
      case COUNT -> new Count(at);
      case SUM, MEAN ->
          new Sum(at, slot.floatingSum(), slot.function() == AggregationFunction.MEAN);
      case MIN, MAX, FIRST, LAST -> new Chosen(slot.function(), slot.inputType(), at, objectCell);
    };
  }

  /** How many longs of a tile's row the slot takes. */
  abstract int longs();

  /** Whether the slot keeps a string or bytes value among the tile's objects. */
  boolean usesObject() {
    return false;
  }

  /**
   * Folds row {@code row} of {@code column} into the tile whose longs start at {@code base} of
   * {@code data} and whose objects at {@code objectBase} of {@code objects}.
   */
  abstract void add(
      long[] data,
      int base,
      Object[] objects,
      int objectBase,
      FieldVector column,
      int row,
      long ts,
      long ordinal);

  /** Writes the tile's partial as {@link TileBody} lays it out. */
  abstract void write(long[] data, int base, Object[] objects, int objectBase, TileOutput out);

  static long longOf(FieldVector column, int row) {
    if (column instanceof BigIntVector v) {
      return v.get(row);
    }
    if (column instanceof IntVector v) {
      return v.get(row);
    }
    if (column instanceof TimeStampVector v) {
      return v.get(row);
    }
    return ((BitVector) column).get(row);
  }

  static double doubleOf(FieldVector column, int row) {
    if (column instanceof Float8Vector v) {
      return v.get(row);
    }
    if (column instanceof Float4Vector v) {
      return v.get(row);
    }
    return longOf(column, row);
  }

  static byte[] bytesOf(FieldVector column, int row) {
    return column instanceof VarCharVector v ? v.get(row) : ((VarBinaryVector) column).get(row);
  }

  /** {@code count(column)}: non-null values. */
  static final class Count extends TileColumns {
    Count(int at) {
      super(at);
    }

    @Override
    int longs() {
      return 1;
    }

    @Override
    void add(
        long[] data,
        int base,
        Object[] objects,
        int objectBase,
        FieldVector column,
        int row,
        long ts,
        long ordinal) {
      if (!column.isNull(row)) {
        data[base + at]++;
      }
    }

    @Override
    void write(long[] data, int base, Object[] objects, int objectBase, TileOutput out) {
      TileBody.count(out, data[base + at]);
    }
  }

  /** {@code sum} (a double for float input, else a wrapping long), and for {@code mean} a count. */
  static final class Sum extends TileColumns {
    private final boolean floating;
    private final boolean counted;

    Sum(int at, boolean floating, boolean counted) {
      super(at);
      this.floating = floating;
      this.counted = counted;
    }

    @Override
    int longs() {
      return counted ? 2 : 1;
    }

    @Override
    void add(
        long[] data,
        int base,
        Object[] objects,
        int objectBase,
        FieldVector column,
        int row,
        long ts,
        long ordinal) {
      if (column.isNull(row)) {
        return;
      }
      int i = base + at;
      if (floating) {
        data[i] =
            Double.doubleToRawLongBits(Double.longBitsToDouble(data[i]) + doubleOf(column, row));
      } else {
        data[i] += longOf(column, row);
      }
      if (counted) {
        data[i + 1]++;
      }
    }

    @Override
    void write(long[] data, int base, Object[] objects, int objectBase, TileOutput out) {
      int i = base + at;
      if (floating) {
        TileBody.doubleSum(out, Double.longBitsToDouble(data[i]));
      } else {
        TileBody.longSum(out, data[i]);
      }
      if (counted) {
        TileBody.count(out, data[i + 1]);
      }
    }
  }

  /**
   * {@code min}, {@code max}, {@code first} or {@code last}: one chosen non-null value per tile;
   * first and last by (event time, then file and row order). Longs: presence, value, and for first
   * and last the value's time and ordinal.
   */
  static final class Chosen extends TileColumns {
    private final AggregationFunction function;
    private final ScalarType type;
    private final TileBody.Holder holder;
    private final int objectCell;

    Chosen(AggregationFunction function, ScalarType type, int at, int objectCell) {
      super(at);
      this.function = function;
      this.type = type;
      this.holder = TileBody.Holder.of(type);
      this.objectCell = objectCell;
    }

    private boolean ordered() {
      return function == AggregationFunction.FIRST || function == AggregationFunction.LAST;
    }

    @Override
    int longs() {
      return ordered() ? 4 : 2;
    }

    @Override
    boolean usesObject() {
      return holder == TileBody.Holder.BYTES;
    }

    @Override
    void add(
        long[] data,
        int base,
        Object[] objects,
        int objectBase,
        FieldVector column,
        int row,
        long ts,
        long ordinal) {
      if (column.isNull(row)) {
        return;
      }
      int i = base + at;
      if (data[i] != 0 && !wins(data, i, objects, objectBase, column, row, ts, ordinal)) {
        return;
      }
      data[i] = 1;
      switch (holder) {
        case LONG -> data[i + 1] = longOf(column, row);
        case DOUBLE -> data[i + 1] = Double.doubleToRawLongBits(doubleOf(column, row));
        case BYTES -> objects[objectBase + objectCell] = bytesOf(column, row);
      }
      if (ordered()) {
        data[i + 2] = ts;
        data[i + 3] = ordinal;
      }
    }

    /** Whether the row's value replaces the tile's. */
    private boolean wins(
        long[] data,
        int i,
        Object[] objects,
        int objectBase,
        FieldVector column,
        int row,
        long ts,
        long ordinal) {
      return switch (function) {
        case FIRST -> ts < data[i + 2] || ts == data[i + 2] && ordinal < data[i + 3];
        case LAST -> ts > data[i + 2] || ts == data[i + 2] && ordinal > data[i + 3];
        default -> {
          int order =
              switch (holder) {
                case LONG -> Long.compare(longOf(column, row), data[i + 1]);
                case DOUBLE ->
                    Double.compare(doubleOf(column, row), Double.longBitsToDouble(data[i + 1]));
                case BYTES ->
                    Arrays.compareUnsigned(
                        bytesOf(column, row), (byte[]) objects[objectBase + objectCell]);
              };
          yield function == AggregationFunction.MIN ? order < 0 : order > 0;
        }
      };
    }

    @Override
    void write(long[] data, int base, Object[] objects, int objectBase, TileOutput out) {
      int i = base + at;
      if (data[i] == 0) {
        TileBody.absent(out);
        return;
      }
      switch (holder) {
        case LONG -> TileBody.longValue(out, type, data[i + 1]);
        case DOUBLE -> TileBody.doubleValue(out, type, Double.longBitsToDouble(data[i + 1]));
        case BYTES -> TileBody.bytesValue(out, (byte[]) objects[objectBase + objectCell]);
      }
    }
  }
}
