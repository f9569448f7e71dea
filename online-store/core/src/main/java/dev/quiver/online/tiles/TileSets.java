package dev.quiver.online.tiles;

import dev.quiver.online.OnlineStoreException;
import dev.quiver.registry.model.WindowText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The stored form of all tiles of one (aggregation view, entity key), and the two operations stores
 * apply to it without knowing the view: {@link #merge} and {@link #expire}.
 *
 * <pre>
 * u8 format (2) | i32 layout hash | i64 newest event (retention base) | i64 expires at
 * | u8 series count | per series: i64 hop | i64 reach | varint tile count
 * | per tile, in bucket order: varint bucket (the first: zigzag of bucket / hop; then the
 *   number of hops since the previous tile) | varint body length | body
 * [ | varint position count | per stream partition: varint partition | varint offset ]
 * body: varint rows | varint (newest event - bucket) | per slot of the layout, its partial
 * </pre>
 *
 * The positions, written by ingestion ({@link TileFold}), are per partition of the view's stream
 * the offset of the last event folded into the set, so a replayed event is never counted twice;
 * sets without them (materialized only) end after their series.
 *
 * <p>The newest event is the view's newest event the writer knew of. A series keeps the tiles from
 * {@code floor(newest - reach, hop)} on: tiles before it no window can reach at or after the newest
 * event. "Expires at" (at a fixed offset, so a sweep reads nine bytes of a set) is the least newest
 * event at which some tile would be dropped.
 */
public final class TileSets {

  /** The format byte; plain online rows ({@code ValueCodec}) have 1. */
  public static final int FORMAT = 2;

  static final int HASH_OFFSET = 1;
  static final int NEWEST_OFFSET = 5;
  static final int EXPIRES_OFFSET = 13;
  static final int HEADER = 22;

  private TileSets() {}

  /** Whether stored bytes are a tile set rather than a plain row. */
  public static boolean isTileSet(byte[] encoded) {
    return encoded.length >= HEADER && encoded[0] == FORMAT;
  }

  public static int layoutHash(byte[] encoded) {
    return (int) readFixed(encoded, HASH_OFFSET, 4);
  }

  /** The newest event of the view when the set was last written, its retention base. */
  public static long newestEvent(byte[] encoded) {
    return readFixed(encoded, NEWEST_OFFSET, 8);
  }

  /** The least newest event at which a tile of the set would be dropped. */
  public static long expiresAt(byte[] encoded) {
    return readFixed(encoded, EXPIRES_OFFSET, 8);
  }

  private static long readFixed(byte[] encoded, int offset, int length) {
    if (!isTileSet(encoded)) {
      throw new OnlineStoreException("Cannot read a tile set: the stored value is not one");
    }
    long value = 0;
    for (int i = offset; i < offset + length; i++) {
      value = (value << 8) | (encoded[i] & 0xFF);
    }
    return length == 4 ? (int) value : value;
  }

  /**
   * The stored set with {@code written}'s tiles: each replaces the stored tile of its series and
   * bucket (a tile is always computed whole, so this never counts an event twice); the newest event
   * is the later of both; tiles out of reach of it are dropped. A stored set of another layout is
   * discarded, as is a stored value that is no tile set or a damaged one.
   *
   * @param stored the stored set, or null
   * @return the set to store, or null when no tile is left
   */
  public static byte[] merge(byte[] stored, byte[] written) {
    if (stored != null && !isTileSet(stored)) {
      // A plain row written under the view's name before it became an aggregation view.
      stored = null;
    }
    if (stored == null && !expiresBy(written, newestEvent(written))) {
      return written;
    }
    Raw next = Raw.parse(written);
    if (stored != null && layoutHash(stored) == next.hash) {
      Raw old = Raw.tryParse(stored);
      // A damaged set is replaced like one of another layout: its tiles cannot be trusted, and
      // the tiles written now are whole.
      if (old != null && old.sameSeries(next)) {
        next = old.with(next);
      }
    }
    return next.retain(next.newest).encode();
  }

  /**
   * The set without the tiles out of reach from {@code newestEvent} (or the set's own newest event,
   * when later). A set none of whose tiles expires is returned as it is, its retention base
   * unchanged, so a sweep rewrites only the sets it shrinks.
   *
   * @return {@code stored} itself when nothing expires, null when no tile is left
   */
  public static byte[] expire(byte[] stored, long newestEvent) {
    if (!isTileSet(stored) || expiresAt(stored) > newestEvent) {
      return stored;
    }
    Raw raw = Raw.tryParse(stored);
    if (raw == null) {
      // A damaged set: dropped, as its tiles cannot be read; materializing again rewrites them.
      return null;
    }
    return raw.retain(Math.max(raw.newest, newestEvent)).encode();
  }

  /** Whether the set has a tile {@link #expire} would drop at {@code newestEvent}. */
  public static boolean expiresBy(byte[] stored, long newestEvent) {
    return expiresAt(stored) <= newestEvent;
  }

  /** The first bucket a series keeps at {@code newest}. */
  static long firstRetained(long newest, long hop, long reach) {
    return newest == Long.MIN_VALUE ? Long.MIN_VALUE : WindowText.windowStart(newest, reach, hop);
  }

  /**
   * Builds a set series by series, tiles in bucket order; the materializer writes the bodies. The
   * bytes are those {@link #merge} and {@link #expire} write for the same tiles.
   */
  public static final class Writer {
    private final TileLayout layout;
    private final long newest;
    private final TileOutput[] tiles;
    private final int[] counts;
    private final long[] firstBucket;
    private final long[] lastBucket;

    /**
     * @param newestEvent the newest event of the view known to the writer (retention base)
     */
    public Writer(TileLayout layout, long newestEvent) {
      this.layout = layout;
      this.newest = newestEvent;
      int series = layout.series().size();
      tiles = new TileOutput[series];
      counts = new int[series];
      firstBucket = new long[series];
      lastBucket = new long[series];
    }

    /** Adds a tile; within a series, buckets must rise. */
    public Writer tile(int seriesIndex, long bucket, byte[] body) {
      return tile(seriesIndex, bucket, body, body.length);
    }

    /** Adds a tile whose body {@code body} holds. */
    public Writer tile(int seriesIndex, long bucket, TileOutput body) {
      return tile(seriesIndex, bucket, body.bytes(), body.size());
    }

    private Writer tile(int s, long bucket, byte[] body, int length) {
      long hop = layout.series().get(s).hop();
      if (Math.floorMod(bucket, hop) != 0) {
        throw new IllegalArgumentException("bucket " + bucket + " is not a multiple of " + hop);
      }
      if (counts[s] == 0) {
        if (tiles[s] == null) {
          tiles[s] = new TileOutput(64 + length * 4);
        }
        tiles[s].putZigzag(bucket / hop);
        firstBucket[s] = bucket;
      } else if (bucket <= lastBucket[s]) {
        throw new IllegalArgumentException("tiles must be added in rising bucket order");
      } else {
        tiles[s].putVarint((bucket - lastBucket[s]) / hop);
      }
      lastBucket[s] = bucket;
      counts[s]++;
      tiles[s].putVarint(length).putBytes(body, 0, length);
      return this;
    }

    /** Empties the writer for another set of the same layout, keeping its buffers. */
    public Writer reset() {
      for (int s = 0; s < tiles.length; s++) {
        counts[s] = 0;
        if (tiles[s] != null) {
          tiles[s].reset();
        }
      }
      return this;
    }

    public boolean isEmpty() {
      for (int count : counts) {
        if (count > 0) {
          return false;
        }
      }
      return true;
    }

    /** The encoded set, or null when it holds no tile. */
    public byte[] toBytes() {
      if (isEmpty()) {
        return null;
      }
      long expires = Long.MAX_VALUE;
      int size = HEADER;
      for (int s = 0; s < tiles.length; s++) {
        size += 26 + (counts[s] == 0 ? 0 : tiles[s].size());
        if (counts[s] > 0) {
          TileLayout.Series spec = layout.series().get(s);
          expires = Math.min(expires, expiresAt(firstBucket[s], spec.hop(), spec.reach()));
        }
      }
      TileOutput out = new TileOutput(size);
      out.putByte(FORMAT).putInt(layout.hash()).putLong(newest).putLong(expires);
      out.putByte(tiles.length);
      for (int s = 0; s < tiles.length; s++) {
        TileLayout.Series spec = layout.series().get(s);
        out.putLong(spec.hop()).putLong(spec.reach()).putVarint(counts[s]);
        if (counts[s] > 0) {
          out.put(tiles[s]);
        }
      }
      return out.toByteArray();
    }
  }

  /** The least newest event n with floor(n - reach, hop) > oldest: oldest + hop + reach. */
  static long expiresAt(long oldestBucket, long hop, long reach) {
    return saturatingAdd(saturatingAdd(oldestBucket, hop), reach);
  }

  /**
   * A tile: its bucket and its body, {@code length} bytes of {@code source} from {@code from} (a
   * parsed set's tiles are slices of its bytes, never copied).
   */
  record Tile(long bucket, byte[] source, int from, int length) {
    Tile(long bucket, byte[] body) {
      this(bucket, body, 0, body.length);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Tile t
          && t.bucket == bucket
          && Arrays.equals(t.source, t.from, t.from + t.length, source, from, from + length);
    }

    @Override
    public int hashCode() {
      int hash = Long.hashCode(bucket);
      for (int i = from; i < from + length; i++) {
        hash = hash * 31 + source[i];
      }
      return hash;
    }
  }

  /** A set parsed down to its tiles' bodies, which merging and expiring leave as they are. */
  record Raw(int hash, long newest, List<SeriesTiles> series, StreamPositions positions) {

    record SeriesTiles(long hop, long reach, List<Tile> tiles) {}

    /** A series' tile count, read next; refused when the set's bytes cannot hold that many. */
    static int tileCount(TileInput in, byte[] encoded) {
      long tiles = in.getVarint();
      if (tiles < 0 || tiles > encoded.length) {
        throw new OnlineStoreException(
            "Cannot read a tile set: a series claims "
                + tiles
                + " tiles in "
                + encoded.length
                + " bytes");
      }
      return (int) tiles;
    }

    /** The set's tiles, or null when the set is damaged (cut short, or with impossible counts). */
    static Raw tryParse(byte[] encoded) {
      try {
        return parse(encoded);
      } catch (OnlineStoreException e) {
        return null;
      }
    }

    static Raw parse(byte[] encoded) {
      if (!isTileSet(encoded)) {
        throw new OnlineStoreException("Cannot read a tile set: the stored value is not one");
      }
      TileInput in = new TileInput(encoded, HASH_OFFSET);
      int hash = in.getInt();
      long newest = in.getLong();
      in.getLong();
      int count = in.getByte();
      List<SeriesTiles> series = new ArrayList<>(count);
      for (int s = 0; s < count; s++) {
        long hop = in.getLong();
        long reach = in.getLong();
        if (hop <= 0) {
          throw new OnlineStoreException("Cannot read a tile set: a series has hop " + hop);
        }
        int tiles = tileCount(in, encoded);
        List<Tile> list = new ArrayList<>(tiles);
        long index = 0;
        for (int t = 0; t < tiles; t++) {
          index = t == 0 ? in.getZigzag() : index + in.getVarint();
          int length = (int) in.getVarint();
          int from = in.position();
          in.skip(length);
          list.add(new Tile(index * hop, encoded, from, length));
        }
        series.add(new SeriesTiles(hop, reach, list));
      }
      return new Raw(hash, newest, series, StreamPositions.read(in, encoded));
    }

    /** The same tiles, as a materialization writes them: without stream positions. */
    Raw withoutPositions() {
      return new Raw(hash, newest, series, StreamPositions.NONE);
    }

    boolean sameSeries(Raw other) {
      if (series.size() != other.series.size()) {
        return false;
      }
      for (int s = 0; s < series.size(); s++) {
        if (series.get(s).hop != other.series.get(s).hop
            || series.get(s).reach != other.series.get(s).reach) {
          return false;
        }
      }
      return true;
    }

    /** This set with {@code written}'s tiles replacing its own of the same buckets. */
    Raw with(Raw written) {
      List<SeriesTiles> merged = new ArrayList<>(series.size());
      for (int s = 0; s < series.size(); s++) {
        List<Tile> a = series.get(s).tiles;
        List<Tile> b = written.series.get(s).tiles;
        List<Tile> out = new ArrayList<>(a.size() + b.size());
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
          if (j == b.size() || i < a.size() && a.get(i).bucket < b.get(j).bucket) {
            out.add(a.get(i++));
          } else {
            if (i < a.size() && a.get(i).bucket == b.get(j).bucket) {
              i++;
            }
            out.add(b.get(j++));
          }
        }
        merged.add(new SeriesTiles(series.get(s).hop, series.get(s).reach, out));
      }
      return new Raw(
          hash, Math.max(newest, written.newest), merged, positions.union(written.positions));
    }

    /** This set without the tiles out of reach from {@code newestEvent}. */
    Raw retain(long newestEvent) {
      List<SeriesTiles> kept = new ArrayList<>(series.size());
      for (SeriesTiles s : series) {
        long first = firstRetained(newestEvent, s.hop, s.reach);
        int drop = 0;
        while (drop < s.tiles.size() && s.tiles.get(drop).bucket < first) {
          drop++;
        }
        kept.add(
            new SeriesTiles(
                s.hop, s.reach, drop == 0 ? s.tiles : s.tiles.subList(drop, s.tiles.size())));
      }
      return new Raw(hash, Math.max(newest, newestEvent), kept, positions);
    }

    /** The encoded set, or null when it holds no tile. */
    byte[] encode() {
      int size = HEADER;
      long expires = Long.MAX_VALUE;
      boolean any = false;
      for (SeriesTiles s : series) {
        size += 16 + 10;
        for (Tile tile : s.tiles) {
          size += 20 + tile.length;
        }
        if (!s.tiles.isEmpty()) {
          any = true;
          expires = Math.min(expires, expiresAt(s.tiles.get(0).bucket, s.hop, s.reach));
        }
      }
      if (!any) {
        return null;
      }
      TileOutput out = new TileOutput(size + positions.encodedSize());
      out.putByte(FORMAT).putInt(hash).putLong(newest).putLong(expires).putByte(series.size());
      for (SeriesTiles s : series) {
        out.putLong(s.hop).putLong(s.reach).putVarint(s.tiles.size());
        long previous = 0;
        for (int t = 0; t < s.tiles.size(); t++) {
          Tile tile = s.tiles.get(t);
          long index = tile.bucket / s.hop;
          if (t == 0) {
            out.putZigzag(index);
          } else {
            out.putVarint(index - previous);
          }
          previous = index;
          out.putVarint(tile.length).putBytes(tile.source, tile.from, tile.length);
        }
      }
      positions.write(out);
      return out.toByteArray();
    }
  }

  static long saturatingAdd(long a, long b) {
    long sum = a + b;
    if (((a ^ sum) & (b ^ sum)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return sum;
  }
}
