package dev.quiver.materializer;

import dev.quiver.online.tiles.TileLayout;
import dev.quiver.registry.model.WindowText;

/**
 * The tiles a materialization of {@code [start, end]} recomputes: per hop series the first and last
 * bucket, and the event times {@code [from, to]} to read so that each is computed whole. Every
 * engine's tile materialization reads and folds exactly these.
 *
 * @param first per series of the layout, the first bucket ({@link Long#MIN_VALUE} from the
 *     beginning of the data)
 * @param last per series, the last bucket
 * @param from the earliest event time to read
 * @param to the latest event time to read, past {@code end} to the end of the last buckets
 */
public record TileBuckets(long[] hops, long[] first, long[] last, long from, long to) {

  /**
   * @param start nanoseconds, or {@link Long#MIN_VALUE} for the beginning of the data
   * @param end nanoseconds, inclusive
   */
  public static TileBuckets of(TileLayout layout, long start, long end) {
    int series = layout.series().size();
    long[] hops = new long[series];
    long[] first = new long[series];
    long[] last = new long[series];
    long from = Long.MAX_VALUE;
    long to = Long.MIN_VALUE;
    for (int s = 0; s < series; s++) {
      hops[s] = layout.series().get(s).hop();
      first[s] = start == Long.MIN_VALUE ? Long.MIN_VALUE : WindowText.floor(start, hops[s]);
      last[s] = WindowText.floor(end, hops[s]);
      from = Math.min(from, first[s]);
      to = Math.max(to, saturatingAdd(last[s], hops[s] - 1));
    }
    // A coarse series' last tile holds events after END, which become the view's newest event:
    // every finer series must then have its tiles up to them too, or a lookup at that event would
    // miss them in the finer windows. Extended until no series' last tile reaches further (with
    // hops that divide each other, after one round).
    for (boolean extended = true; extended; ) {
      extended = false;
      for (int s = 0; s < series; s++) {
        long bucket = WindowText.floor(to, hops[s]);
        if (bucket > last[s]) {
          last[s] = bucket;
          to = Math.max(to, saturatingAdd(bucket, hops[s] - 1));
          extended = true;
        }
      }
    }
    return new TileBuckets(hops, first, last, from, to);
  }

  /** Whether an event at {@code at} falls in a bucket the run recomputes, in any series. */
  public boolean contains(long at) {
    for (int s = 0; s < hops.length; s++) {
      long bucket = WindowText.floor(at, hops[s]);
      if (bucket >= first[s] && bucket <= last[s]) {
        return true;
      }
    }
    return false;
  }

  static long saturatingAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
  }
}
