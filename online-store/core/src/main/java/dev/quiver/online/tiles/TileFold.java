package dev.quiver.online.tiles;

import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.WindowText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Folds streamed events into one key's tile set, each event once: the set records, per stream
 * partition, the offset of the last event folded in ({@link StreamPositions}), so events replayed
 * after a crash, at or below that offset, are skipped. An event updates the tile of its bucket in
 * every series (a tile it starts is new), unless retention already dropped that bucket.
 *
 * <p>Within a tile, events of equal time are ordered as they are folded (a partition's offset
 * order): {@code first} keeps the earlier, {@code last} takes the later, as the offline log's file
 * and row order does.
 */
public final class TileFold {

  /**
   * One event of a key.
   *
   * @param values per slot of the layout, the value of the slot's column: Long for bool (0 or 1),
   *     int32, int64 and timestamp (nanoseconds) columns, Double for float32 and float64, byte[]
   *     for string (UTF-8) and bytes; null when the event's column is null
   */
  public record Event(int partition, long offset, long eventNanos, Object[] values) {}

  private final TileLayout layout;
  private final List<TileLayout.Slot> slots;

  /** A set without tiles, of this layout. */
  private final TileSets.Raw empty;

  public TileFold(TileLayout layout) {
    this.layout = layout;
    this.slots = layout.slots();
    List<TileSets.Raw.SeriesTiles> series = new ArrayList<>();
    for (TileLayout.Series s : layout.series()) {
      series.add(new TileSets.Raw.SeriesTiles(s.hop(), s.reach(), List.of()));
    }
    this.empty = new TileSets.Raw(layout.hash(), Long.MIN_VALUE, series, StreamPositions.NONE);
  }

  /**
   * The key's set with {@code events} folded in.
   *
   * @param stored the stored set, or null; a set of another layout, no set or a damaged one is
   *     started over
   * @param events the key's events, each partition's in rising offsets
   * @param newestEvent the newest event of the view known to the caller, the retention base
   * @return the set to store (null when no tile is left), or {@code stored} itself when every event
   *     was folded in before
   */
  public byte[] fold(byte[] stored, List<Event> events, long newestEvent) {
    TileSets.Raw raw = storedOrEmpty(stored);
    long newest = raw.newest();
    for (Event event : events) {
      newest = Math.max(newest, event.eventNanos());
    }
    newest = Math.max(newest, newestEvent);
    List<TileSets.Raw.SeriesTiles> series = raw.series();
    List<TreeMap<Long, Partials>> touched = new ArrayList<>(series.size());
    for (int s = 0; s < series.size(); s++) {
      touched.add(new TreeMap<>());
    }
    StreamPositions positions = raw.positions();
    boolean changed = false;
    for (Event event : events) {
      if (event.offset() <= positions.offset(event.partition())) {
        continue;
      }
      positions = positions.with(event.partition(), event.offset());
      changed = true;
      for (int s = 0; s < series.size(); s++) {
        TileSets.Raw.SeriesTiles tiles = series.get(s);
        long bucket = WindowText.floor(event.eventNanos(), tiles.hop());
        if (bucket < TileSets.firstRetained(newest, tiles.hop(), tiles.reach())) {
          continue;
        }
        touched
            .get(s)
            .computeIfAbsent(bucket, b -> Partials.of(slots, b, tileOf(tiles.tiles(), b)))
            .add(event);
      }
    }
    if (!changed) {
      return stored;
    }
    List<TileSets.Raw.SeriesTiles> next = new ArrayList<>(series.size());
    for (int s = 0; s < series.size(); s++) {
      next.add(withTouched(series.get(s), touched.get(s)));
    }
    return new TileSets.Raw(raw.hash(), newest, next, positions).retain(newest).encode();
  }

  /**
   * A set {@link #fold} made from a key's events, as a materialization writes it: without the
   * stream positions, so that it merges into the store like the embedded materializer's sets
   * ({@link dev.quiver.online.SupportsTiles#mergeTiles}). A materialization folds a key's events
   * with rising offsets of one partition, in file and row order.
   *
   * @return null when {@code folded} is null (no tile within reach)
   */
  public static byte[] withoutPositions(byte[] folded) {
    return folded == null ? null : TileSets.Raw.parse(folded).withoutPositions().encode();
  }

  private TileSets.Raw storedOrEmpty(byte[] stored) {
    if (stored != null
        && TileSets.isTileSet(stored)
        && TileSets.layoutHash(stored) == layout.hash()) {
      TileSets.Raw raw = TileSets.Raw.tryParse(stored);
      if (raw != null && raw.sameSeries(empty)) {
        return raw;
      }
    }
    return empty;
  }

  private static TileSets.Tile tileOf(List<TileSets.Tile> tiles, long bucket) {
    int low = 0;
    int high = tiles.size() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      long at = tiles.get(mid).bucket();
      if (at < bucket) {
        low = mid + 1;
      } else if (at > bucket) {
        high = mid - 1;
      } else {
        return tiles.get(mid);
      }
    }
    return null;
  }

  /** The series with the touched tiles re-encoded, merged into its tiles in bucket order. */
  private TileSets.Raw.SeriesTiles withTouched(
      TileSets.Raw.SeriesTiles series, TreeMap<Long, Partials> touched) {
    if (touched.isEmpty()) {
      return series;
    }
    List<TileSets.Tile> tiles = series.tiles();
    List<TileSets.Tile> merged = new ArrayList<>(tiles.size() + touched.size());
    TileOutput out = new TileOutput();
    int i = 0;
    for (Map.Entry<Long, Partials> entry : touched.entrySet()) {
      long bucket = entry.getKey();
      while (i < tiles.size() && tiles.get(i).bucket() < bucket) {
        merged.add(tiles.get(i++));
      }
      if (i < tiles.size() && tiles.get(i).bucket() == bucket) {
        i++; // replaced by its update
      }
      out.reset();
      entry.getValue().write(out);
      merged.add(new TileSets.Tile(bucket, out.toByteArray()));
    }
    while (i < tiles.size()) {
      merged.add(tiles.get(i++));
    }
    return new TileSets.Raw.SeriesTiles(series.hop(), series.reach(), merged);
  }

  /** One tile's partials, decoded to be updated. */
  private static final class Partials {
    private final List<TileLayout.Slot> slots;

    private final long bucket;
    private long rows;
    private long newest;
    private final long[] counts;
    private final long[] longs;
    private final double[] doubles;
    private final byte[][] bytes;
    private final boolean[] present;
    private final long[] chosenTimes;

    private Partials(List<TileLayout.Slot> slots, long bucket) {
      this.slots = slots;
      this.bucket = bucket;
      int n = slots.size();
      counts = new long[n];
      longs = new long[n];
      doubles = new double[n];
      bytes = new byte[n][];
      present = new boolean[n];
      chosenTimes = new long[n];
      newest = Long.MIN_VALUE;
    }

    /** The partials of a stored body, or empty ones for a new tile. */
    static Partials of(List<TileLayout.Slot> slots, long bucket, TileSets.Tile tile) {
      Partials p = new Partials(slots, bucket);
      if (tile == null) {
        return p;
      }
      TileInput in = new TileInput(tile.source(), tile.from());
      int end = tile.from() + tile.length();
      p.rows = in.getVarint();
      p.newest = bucket + in.getVarint();
      for (int x = 0; x < slots.size(); x++) {
        p.read(in, x);
      }
      for (int x = 0; x < slots.size(); x++) {
        if (p.present[x] && ordered(slots.get(x))) {
          // A tile written before chosen times were kept: the newest event for last (the
          // usual case), the bucket's start for first.
          boolean known = in.position() < end;
          p.chosenTimes[x] =
              known
                  ? bucket + in.getVarint()
                  : slots.get(x).function() == AggregationFunction.LAST ? p.newest : bucket;
        }
      }
      return p;
    }

    private void read(TileInput in, int x) {
      TileLayout.Slot slot = slots.get(x);
      switch (slot.function()) {
        case COUNT -> counts[x] = in.getVarint();
        case SUM -> {
          if (slot.floatingSum()) {
            doubles[x] = in.getDouble();
          } else {
            longs[x] = in.getZigzag();
          }
        }
        case MEAN -> throw new IllegalStateException("a layout has no mean slots");
        case MIN, MAX, FIRST, LAST -> {
          if (in.getByte() == 0) {
            return;
          }
          present[x] = true;
          ScalarType type = slot.inputType();
          switch (TileBody.Holder.of(type)) {
            case LONG -> longs[x] = in.getLongValue(type);
            case DOUBLE -> doubles[x] = in.getDoubleValue(type);
            case BYTES -> bytes[x] = in.getBytesValue();
          }
        }
      }
    }

    void add(Event event) {
      rows++;
      newest = Math.max(newest, event.eventNanos());
      for (int x = 0; x < slots.size(); x++) {
        Object value = event.values()[x];
        if (value == null) {
          continue;
        }
        TileLayout.Slot slot = slots.get(x);
        switch (slot.function()) {
          case COUNT -> counts[x]++;
          case SUM -> {
            if (slot.floatingSum()) {
              doubles[x] += (Double) value;
            } else {
              longs[x] += (Long) value;
            }
          }
          case MEAN -> throw new IllegalStateException("a layout has no mean slots");
          case MIN, MAX, FIRST, LAST -> choose(slot, x, value, event.eventNanos());
        }
      }
    }

    private void choose(TileLayout.Slot slot, int x, Object value, long ts) {
      boolean wins =
          !present[x]
              || switch (slot.function()) {
                case FIRST -> ts < chosenTimes[x];
                case LAST -> ts >= chosenTimes[x];
                default -> {
                  int order =
                      switch (TileBody.Holder.of(slot.inputType())) {
                        case LONG -> Long.compare((Long) value, longs[x]);
                        case DOUBLE -> Double.compare((Double) value, doubles[x]);
                        case BYTES -> Arrays.compareUnsigned((byte[]) value, bytes[x]);
                      };
                  yield slot.function() == AggregationFunction.MIN ? order < 0 : order > 0;
                }
              };
      if (!wins) {
        return;
      }
      present[x] = true;
      chosenTimes[x] = ts;
      switch (TileBody.Holder.of(slot.inputType())) {
        case LONG -> longs[x] = (Long) value;
        case DOUBLE -> doubles[x] = (Double) value;
        case BYTES -> bytes[x] = (byte[]) value;
      }
    }

    void write(TileOutput out) {
      TileBody.header(out, bucket, rows, newest);
      for (int x = 0; x < slots.size(); x++) {
        TileLayout.Slot slot = slots.get(x);
        ScalarType type = slot.inputType();
        switch (slot.function()) {
          case COUNT -> TileBody.count(out, counts[x]);
          case SUM -> {
            if (slot.floatingSum()) {
              TileBody.doubleSum(out, doubles[x]);
            } else {
              TileBody.longSum(out, longs[x]);
            }
          }
          case MEAN -> throw new IllegalStateException("a layout has no mean slots");
          case MIN, MAX, FIRST, LAST -> {
            if (!present[x]) {
              TileBody.absent(out);
              continue;
            }
            switch (TileBody.Holder.of(type)) {
              case LONG -> TileBody.longValue(out, type, longs[x]);
              case DOUBLE -> TileBody.doubleValue(out, type, doubles[x]);
              case BYTES -> TileBody.bytesValue(out, bytes[x]);
            }
          }
        }
      }
      for (int x = 0; x < slots.size(); x++) {
        if (present[x] && ordered(slots.get(x))) {
          TileBody.chosenTime(out, bucket, chosenTimes[x]);
        }
      }
    }

    private static boolean ordered(TileLayout.Slot slot) {
      return slot.function() == AggregationFunction.FIRST
          || slot.function() == AggregationFunction.LAST;
    }
  }
}
