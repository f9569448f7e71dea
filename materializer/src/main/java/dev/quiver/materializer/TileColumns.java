package dev.quiver.materializer;

import dev.quiver.online.tiles.TileBody;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.online.tiles.TileOutput;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.ScalarType;
import java.util.Arrays;

/**
 * How one slot's partial sits in a tile's row of longs ({@link TileTable} keeps a tile's fields
 * side by side, so folding a row into it or writing it touches one or two cache lines, where a
 * column per field cost a cache miss each), and how a buffered event folds into it. Doubles are
 * kept as their raw bits; a string or bytes value sits in the tile's object cell.
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
      case SUM -> new Sum(at, slot.floatingSum());
      case MEAN -> throw new IllegalArgumentException("a layout has no mean slots");
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
   * Folds event {@code event} of {@code column} into the tile whose longs start at {@code base} of
   * {@code data} and whose objects at {@code objectBase} of {@code objects}.
   */
  abstract void add(
      long[] data,
      int base,
      Object[] objects,
      int objectBase,
      EventColumn column,
      int event,
      long ts,
      long ordinal);

  /** Writes the tile's partial as {@link TileBody} lays it out. */
  abstract void write(long[] data, int base, Object[] objects, int objectBase, TileOutput out);

  /** Writes what follows every slot's partial: a first or last value's event time. */
  void writeChosenTime(long[] data, int base, long bucket, TileOutput out) {}

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
        EventColumn column,
        int event,
        long ts,
        long ordinal) {
      if (!column.isNull(event)) {
        data[base + at]++;
      }
    }

    @Override
    void write(long[] data, int base, Object[] objects, int objectBase, TileOutput out) {
      TileBody.count(out, data[base + at]);
    }
  }

  /** {@code sum}: a double for float input, else a wrapping long. */
  static final class Sum extends TileColumns {
    private final boolean floating;

    Sum(int at, boolean floating) {
      super(at);
      this.floating = floating;
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
        EventColumn column,
        int event,
        long ts,
        long ordinal) {
      if (column.isNull(event)) {
        return;
      }
      int i = base + at;
      if (floating) {
        data[i] =
            Double.doubleToRawLongBits(
                Double.longBitsToDouble(data[i]) + Double.longBitsToDouble(column.bits(event)));
      } else {
        data[i] += column.bits(event);
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
        EventColumn column,
        int event,
        long ts,
        long ordinal) {
      if (column.isNull(event)) {
        return;
      }
      int i = base + at;
      if (data[i] != 0 && !wins(data, i, objects, objectBase, column, event, ts, ordinal)) {
        return;
      }
      data[i] = 1;
      if (holder == TileBody.Holder.BYTES) {
        objects[objectBase + objectCell] = column.object(event);
      } else {
        data[i + 1] = column.bits(event);
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
        EventColumn column,
        int event,
        long ts,
        long ordinal) {
      return switch (function) {
        case FIRST -> ts < data[i + 2] || ts == data[i + 2] && ordinal < data[i + 3];
        case LAST -> ts > data[i + 2] || ts == data[i + 2] && ordinal > data[i + 3];
        default -> {
          int order =
              switch (holder) {
                case LONG -> Long.compare(column.bits(event), data[i + 1]);
                case DOUBLE ->
                    Double.compare(
                        Double.longBitsToDouble(column.bits(event)),
                        Double.longBitsToDouble(data[i + 1]));
                case BYTES ->
                    Arrays.compareUnsigned(
                        (byte[]) column.object(event), (byte[]) objects[objectBase + objectCell]);
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

    @Override
    void writeChosenTime(long[] data, int base, long bucket, TileOutput out) {
      int i = base + at;
      if (ordered() && data[i] != 0) {
        TileBody.chosenTime(out, bucket, data[i + 2]);
      }
    }
  }
}
