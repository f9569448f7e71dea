package dev.quiver.online.tiles;

import dev.quiver.EpochNanos;
import dev.quiver.online.OnlineStoreException;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.WindowText;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A decoded tile set, read to answer lookups: {@link #window} merges the tiles of one feature's
 * window at an instant.
 *
 * <p>A window at {@code t} takes the tiles of buckets {@code floor(t - w, h)} to {@code floor(t,
 * h)}, both whole: a tile's partials cannot be split, so when {@code t} lies inside a tile that
 * also holds later events (a lookup as of a time before the newest materialized event), those
 * events are counted too. At or after the newest event of the key the value is exact.
 */
public final class TileSet {

  private final TileLayout layout;
  private final Series[] series;

  /**
   * The tiles of one hop, in bucket order, each slot's partials in columns: only the columns the
   * slot's function keeps (a lookup decodes a set per key, so every array counts).
   */
  private static final class Series {
    final long hop;
    final long[] buckets;
    final long[] rows;
    final long[] newest;
    final long[][] counts;
    final long[][] longs;
    final double[][] doubles;
    final byte[][][] bytes;
    final boolean[][] present;

    Series(long hop, int tiles, List<TileLayout.Slot> slots) {
      this.hop = hop;
      buckets = new long[tiles];
      rows = new long[tiles];
      newest = new long[tiles];
      int count = slots.size();
      counts = new long[count][];
      longs = new long[count][];
      doubles = new double[count][];
      bytes = new byte[count][][];
      present = new boolean[count][];
      for (int x = 0; x < count; x++) {
        TileLayout.Slot slot = slots.get(x);
        switch (slot.function()) {
          case COUNT -> counts[x] = new long[tiles];
          case SUM -> {
            if (slot.floatingSum()) {
              doubles[x] = new double[tiles];
            } else {
              longs[x] = new long[tiles];
            }
          }
          case MEAN -> throw new IllegalStateException("a layout has no mean slots");
          case MIN, MAX, FIRST, LAST -> {
            present[x] = new boolean[tiles];
            switch (TileBody.Holder.of(slot.inputType())) {
              case LONG -> longs[x] = new long[tiles];
              case DOUBLE -> doubles[x] = new double[tiles];
              case BYTES -> bytes[x] = new byte[tiles][];
            }
          }
        }
      }
    }
  }

  private TileSet(TileLayout layout, Series[] series) {
    this.layout = layout;
    this.series = series;
  }

  /**
   * The set's tiles, read with {@code layout}.
   *
   * @return null when the set was written for another layout (other aggregations or windows): its
   *     partials would be read as the wrong ones; also for a value that is no tile set (a plain row
   *     written under the view's name before it became an aggregation view), and for a damaged set
   */
  public static TileSet decode(byte[] encoded, TileLayout layout) {
    if (!TileSets.isTileSet(encoded) || TileSets.layoutHash(encoded) != layout.hash()) {
      return null;
    }
    try {
      return decodeTiles(encoded, layout);
    } catch (OnlineStoreException e) {
      // A damaged set answers like a missing one for its key alone, rather than failing every
      // lookup that includes the key; the next materialization of its tiles replaces it.
      return null;
    }
  }

  /**
   * Reads the set straight from its bytes (the layout of {@link TileSets}: header, then per series
   * its hop, reach and tiles), without copying each tile's body first.
   */
  private static TileSet decodeTiles(byte[] encoded, TileLayout layout) {
    TileInput in = new TileInput(encoded, TileSets.HASH_OFFSET);
    in.getInt();
    in.getLong();
    in.getLong();
    int count = in.getByte();
    List<TileLayout.Series> expected = layout.series();
    if (count != expected.size()) {
      return null;
    }
    List<TileLayout.Slot> slots = layout.slots();
    Series[] series = new Series[count];
    for (int s = 0; s < count; s++) {
      long hop = in.getLong();
      long reach = in.getLong();
      if (hop != expected.get(s).hop() || reach != expected.get(s).reach()) {
        return null;
      }
      int tiles = TileSets.Raw.tileCount(in, encoded);
      Series out = new Series(hop, tiles, slots);
      long index = 0;
      for (int t = 0; t < tiles; t++) {
        index = t == 0 ? in.getZigzag() : index + in.getVarint();
        long length = in.getVarint();
        int end = in.position() + (int) length;
        if (length < 0 || length > encoded.length - in.position()) {
          throw new OnlineStoreException("Cannot read a tile set: a tile runs past its end");
        }
        long bucket = index * hop;
        out.buckets[t] = bucket;
        out.rows[t] = in.getVarint();
        out.newest[t] = bucket + in.getVarint();
        for (int slot = 0; slot < slots.size(); slot++) {
          readPartial(in, slots.get(slot), out, slot, t);
        }
        if (in.position() > end) {
          throw new OnlineStoreException("Cannot read a tile set: a tile's body is cut short");
        }
        // Anything after the partials this layout knows is skipped.
        in.skip(end - in.position());
      }
      series[s] = out;
    }
    return new TileSet(layout, series);
  }

  private static void readPartial(TileInput in, TileLayout.Slot slot, Series out, int s, int t) {
    switch (slot.function()) {
      case COUNT -> out.counts[s][t] = in.getVarint();
      case SUM -> {
        if (slot.floatingSum()) {
          out.doubles[s][t] = in.getDouble();
        } else {
          out.longs[s][t] = in.getZigzag();
        }
      }
      case MEAN -> throw new IllegalStateException("a layout has no mean slots");
      case MIN, MAX, FIRST, LAST -> {
        if (in.getByte() == 0) {
          return;
        }
        out.present[s][t] = true;
        ScalarType type = slot.inputType();
        switch (TileBody.Holder.of(type)) {
          case LONG -> out.longs[s][t] = in.getLongValue(type);
          case DOUBLE -> out.doubles[s][t] = in.getDoubleValue(type);
          case BYTES -> out.bytes[s][t] = in.getBytesValue();
        }
      }
    }
  }

  /**
   * One feature's window at an instant.
   *
   * @param rows the source rows of the key in the window
   * @param newestEvent the newest event in the window; {@link Long#MIN_VALUE} when it holds none
   * @param value the aggregate as the feature's output type (Long, Double, Integer, Float, String,
   *     byte[], Boolean, Instant): 0 for count and sum of an empty window, else null when no value
   */
  public record Window(long rows, long newestEvent, Object value) {}

  /** Merges the tiles of {@code feature}'s window ending at {@code t} (nanoseconds). */
  public Window window(AggregateFeature feature, long t) {
    Series s = series[layout.seriesOf(feature.hopNanos())];
    long from = WindowText.windowStart(t, feature.windowNanos(), s.hop);
    long to = WindowText.floor(t, s.hop);
    int first = lowerBound(s.buckets, from);
    int end = lowerBound(s.buckets, to);
    if (end < s.buckets.length && s.buckets[end] == to) {
      end++;
    }
    long rows = 0;
    long newest = Long.MIN_VALUE;
    for (int i = first; i < end; i++) {
      rows += s.rows[i];
      newest = Math.max(newest, s.newest[i]);
    }
    int slot = layout.slotOf(feature);
    Object value;
    if (slot < 0) {
      value = rows;
    } else if (feature.function() == AggregationFunction.MEAN) {
      long count =
          (Long)
              value(
                  layout.slots().get(layout.countSlotOf(feature)),
                  s,
                  layout.countSlotOf(feature),
                  first,
                  end);
      Object sum = value(layout.slots().get(slot), s, slot, first, end);
      value = count == 0 ? null : ((Number) sum).doubleValue() / count;
    } else {
      value = value(layout.slots().get(slot), s, slot, first, end);
    }
    return new Window(rows, newest, value);
  }

  private static int lowerBound(long[] sorted, long key) {
    int at = Arrays.binarySearch(sorted, key);
    return at >= 0 ? at : -at - 1;
  }

  private static Object value(TileLayout.Slot slot, Series s, int x, int first, int end) {
    switch (slot.function()) {
      case COUNT -> {
        long count = 0;
        for (int i = first; i < end; i++) {
          count += s.counts[x][i];
        }
        return count;
      }
      case SUM -> {
        if (slot.floatingSum()) {
          double sum = 0;
          for (int i = first; i < end; i++) {
            sum += s.doubles[x][i];
          }
          return sum;
        }
        long sum = 0;
        for (int i = first; i < end; i++) {
          sum += s.longs[x][i];
        }
        return sum;
      }
      default -> {
        int chosen = -1;
        for (int i = first; i < end; i++) {
          if (!s.present[x][i]) {
            continue;
          }
          chosen = chosen < 0 ? i : pick(slot, s, x, chosen, i);
          if (slot.function() == AggregationFunction.FIRST) {
            break;
          }
        }
        return chosen < 0 ? null : output(slot.inputType(), s, x, chosen);
      }
    }
  }

  /** Of two tiles' values (the second in a later tile), the one the slot's function keeps. */
  private static int pick(TileLayout.Slot slot, Series s, int x, int kept, int later) {
    if (slot.function() == AggregationFunction.LAST) {
      return later;
    }
    int order =
        switch (TileBody.Holder.of(slot.inputType())) {
          case LONG -> Long.compare(s.longs[x][later], s.longs[x][kept]);
          case DOUBLE -> Double.compare(s.doubles[x][later], s.doubles[x][kept]);
          case BYTES -> Arrays.compareUnsigned(s.bytes[x][later], s.bytes[x][kept]);
        };
    boolean laterWins = slot.function() == AggregationFunction.MIN ? order < 0 : order > 0;
    return laterWins ? later : kept;
  }

  private static Object output(ScalarType type, Series s, int x, int i) {
    return switch (type) {
      case BOOL -> s.longs[x][i] != 0;
      case INT32 -> (int) s.longs[x][i];
      case INT64 -> s.longs[x][i];
      case TIMESTAMP -> EpochNanos.toInstant(s.longs[x][i]);
      case FLOAT32 -> (float) s.doubles[x][i];
      case FLOAT64 -> s.doubles[x][i];
      case STRING -> new String(s.bytes[x][i], StandardCharsets.UTF_8);
      case BYTES -> s.bytes[x][i];
    };
  }
}
