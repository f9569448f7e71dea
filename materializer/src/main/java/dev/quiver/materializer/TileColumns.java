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
 * The partials of one slot across the tiles of a series, in columns indexed by tile (no object per
 * tile: ten million tiles must fit), and how a source row folds into them.
 */
abstract class TileColumns {

  protected int capacity;

  TileColumns(int capacity) {
    this.capacity = capacity;
  }

  static TileColumns of(TileLayout.Slot slot, int capacity) {
    return switch (slot.function()) {
      case COUNT -> new Count(capacity);
      case SUM, MEAN ->
          new Sum(capacity, slot.floatingSum(), slot.function() == AggregationFunction.MEAN);
      case MIN, MAX, FIRST, LAST -> new Chosen(slot.function(), slot.inputType(), capacity);
    };
  }

  /** Room for tiles {@code [0, capacity)}; new tiles start empty. */
  abstract void grow(int capacity);

  /** Empties the partials of tiles {@code [from, capacity)}, so they can be reused. */
  abstract void clear(int from);

  /** Moves tile {@code from}'s partial to tile {@code to} (compaction; {@code to < from}). */
  abstract void move(int from, int to);

  /** Folds row {@code row} (non-null key and time) of {@code column} into tile {@code tile}. */
  abstract void add(int tile, FieldVector column, int row, long ts, long ordinal);

  /** Writes the tile's partial as {@link TileBody} lays it out. */
  abstract void write(int tile, TileOutput out);

  /** Heap bytes a tile's partial takes here. */
  abstract int bytesPerTile();

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
    private long[] counts;

    Count(int capacity) {
      super(capacity);
      counts = new long[capacity];
    }

    @Override
    void grow(int capacity) {
      counts = Arrays.copyOf(counts, capacity);
      this.capacity = capacity;
    }

    @Override
    void move(int from, int to) {
      counts[to] = counts[from];
    }

    @Override
    void clear(int from) {
      Arrays.fill(counts, from, capacity, 0);
    }

    @Override
    void add(int tile, FieldVector column, int row, long ts, long ordinal) {
      if (!column.isNull(row)) {
        counts[tile]++;
      }
    }

    @Override
    void write(int tile, TileOutput out) {
      TileBody.count(out, counts[tile]);
    }

    @Override
    int bytesPerTile() {
      return 8;
    }
  }

  /** {@code sum} (a double for float input, else a wrapping long), and for {@code mean} a count. */
  static final class Sum extends TileColumns {
    private final boolean floating;
    private final boolean counted;
    private long[] longs;
    private double[] doubles;
    private long[] counts;

    Sum(int capacity, boolean floating, boolean counted) {
      super(capacity);
      this.floating = floating;
      this.counted = counted;
      if (floating) {
        doubles = new double[capacity];
      } else {
        longs = new long[capacity];
      }
      if (counted) {
        counts = new long[capacity];
      }
    }

    @Override
    void grow(int capacity) {
      if (floating) {
        doubles = Arrays.copyOf(doubles, capacity);
      } else {
        longs = Arrays.copyOf(longs, capacity);
      }
      if (counted) {
        counts = Arrays.copyOf(counts, capacity);
      }
      this.capacity = capacity;
    }

    @Override
    void clear(int from) {
      if (floating) {
        Arrays.fill(doubles, from, capacity, 0);
      } else {
        Arrays.fill(longs, from, capacity, 0);
      }
      if (counted) {
        Arrays.fill(counts, from, capacity, 0);
      }
    }

    @Override
    void move(int from, int to) {
      if (floating) {
        doubles[to] = doubles[from];
      } else {
        longs[to] = longs[from];
      }
      if (counted) {
        counts[to] = counts[from];
      }
    }

    @Override
    void add(int tile, FieldVector column, int row, long ts, long ordinal) {
      if (column.isNull(row)) {
        return;
      }
      if (floating) {
        doubles[tile] += doubleOf(column, row);
      } else {
        longs[tile] += longOf(column, row);
      }
      if (counted) {
        counts[tile]++;
      }
    }

    @Override
    void write(int tile, TileOutput out) {
      if (floating) {
        TileBody.doubleSum(out, doubles[tile]);
      } else {
        TileBody.longSum(out, longs[tile]);
      }
      if (counted) {
        TileBody.count(out, counts[tile]);
      }
    }

    @Override
    int bytesPerTile() {
      return counted ? 16 : 8;
    }
  }

  /**
   * {@code min}, {@code max}, {@code first} or {@code last}: one chosen non-null value per tile;
   * first and last by (event time, then file and row order).
   */
  static final class Chosen extends TileColumns {
    private final AggregationFunction function;
    private final ScalarType type;
    private final TileBody.Holder holder;
    private boolean[] present;
    private long[] longs;
    private double[] doubles;
    private byte[][] bytes;
    private long[] times;
    private long[] ordinals;

    Chosen(AggregationFunction function, ScalarType type, int capacity) {
      super(capacity);
      this.function = function;
      this.type = type;
      this.holder = TileBody.Holder.of(type);
      present = new boolean[capacity];
      switch (holder) {
        case LONG -> longs = new long[capacity];
        case DOUBLE -> doubles = new double[capacity];
        case BYTES -> bytes = new byte[capacity][];
      }
      if (ordered()) {
        times = new long[capacity];
        ordinals = new long[capacity];
      }
    }

    private boolean ordered() {
      return function == AggregationFunction.FIRST || function == AggregationFunction.LAST;
    }

    @Override
    void grow(int capacity) {
      present = Arrays.copyOf(present, capacity);
      switch (holder) {
        case LONG -> longs = Arrays.copyOf(longs, capacity);
        case DOUBLE -> doubles = Arrays.copyOf(doubles, capacity);
        case BYTES -> bytes = Arrays.copyOf(bytes, capacity);
      }
      if (ordered()) {
        times = Arrays.copyOf(times, capacity);
        ordinals = Arrays.copyOf(ordinals, capacity);
      }
      this.capacity = capacity;
    }

    @Override
    void clear(int from) {
      Arrays.fill(present, from, capacity, false);
      if (bytes != null) {
        Arrays.fill(bytes, from, capacity, null);
      }
    }

    @Override
    void move(int from, int to) {
      present[to] = present[from];
      switch (holder) {
        case LONG -> longs[to] = longs[from];
        case DOUBLE -> doubles[to] = doubles[from];
        case BYTES -> {
          bytes[to] = bytes[from];
          bytes[from] = null;
        }
      }
      if (ordered()) {
        times[to] = times[from];
        ordinals[to] = ordinals[from];
      }
    }

    @Override
    void add(int tile, FieldVector column, int row, long ts, long ordinal) {
      if (column.isNull(row)) {
        return;
      }
      if (present[tile] && !wins(tile, column, row, ts, ordinal)) {
        return;
      }
      present[tile] = true;
      switch (holder) {
        case LONG -> longs[tile] = longOf(column, row);
        case DOUBLE -> doubles[tile] = doubleOf(column, row);
        case BYTES -> bytes[tile] = bytesOf(column, row);
      }
      if (ordered()) {
        times[tile] = ts;
        ordinals[tile] = ordinal;
      }
    }

    /** Whether the row's value replaces the tile's. */
    private boolean wins(int tile, FieldVector column, int row, long ts, long ordinal) {
      return switch (function) {
        case FIRST -> ts < times[tile] || ts == times[tile] && ordinal < ordinals[tile];
        case LAST -> ts > times[tile] || ts == times[tile] && ordinal > ordinals[tile];
        default -> {
          int order =
              switch (holder) {
                case LONG -> Long.compare(longOf(column, row), longs[tile]);
                case DOUBLE -> Double.compare(doubleOf(column, row), doubles[tile]);
                case BYTES -> Arrays.compareUnsigned(bytesOf(column, row), bytes[tile]);
              };
          yield function == AggregationFunction.MIN ? order < 0 : order > 0;
        }
      };
    }

    @Override
    void write(int tile, TileOutput out) {
      if (!present[tile]) {
        TileBody.absent(out);
        return;
      }
      switch (holder) {
        case LONG -> TileBody.longValue(out, type, longs[tile]);
        case DOUBLE -> TileBody.doubleValue(out, type, doubles[tile]);
        case BYTES -> TileBody.bytesValue(out, bytes[tile]);
      }
    }

    @Override
    int bytesPerTile() {
      int value = holder == TileBody.Holder.BYTES ? 48 : 8;
      return 1 + value + (ordered() ? 16 : 0);
    }
  }
}
