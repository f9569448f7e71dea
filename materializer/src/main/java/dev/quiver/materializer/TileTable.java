package dev.quiver.materializer;

import dev.quiver.online.tiles.TileBody;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.online.tiles.TileOutput;
import java.util.Arrays;

/**
 * The tiles of one hop series being computed: per (key id, bucket) a tile id, found through an
 * open-addressing table, with the tile's rows, newest event and slot partials in columns.
 */
final class TileTable {

  private static final int EMPTY = -1;

  final long hop;
  private final TileColumns[] slots;
  private int size;
  private int capacity;
  private int[] keyIds;
  private long[] buckets;
  private long[] rows;
  private long[] newest;
  private int[] table;
  private int mask;
  private long cutoff = Long.MIN_VALUE;

  TileTable(TileLayout layout, long hop) {
    this.hop = hop;
    capacity = 1024;
    slots = new TileColumns[layout.slots().size()];
    for (int s = 0; s < slots.length; s++) {
      slots[s] = TileColumns.of(layout.slots().get(s), capacity);
    }
    keyIds = new int[capacity];
    buckets = new long[capacity];
    rows = new long[capacity];
    newest = new long[capacity];
    table = new int[capacity * 2];
    Arrays.fill(table, EMPTY);
    mask = table.length - 1;
  }

  /** Heap bytes one tile takes, for sizing before any row is read. */
  static long bytesPerTile(TileLayout layout) {
    long bytes = 4 + 8 + 8 + 8 + 2 * 4;
    for (TileLayout.Slot slot : layout.slots()) {
      bytes += TileColumns.of(slot, 1).bytesPerTile();
    }
    // Columns grow by doubling: on average a third of their length is spare.
    return bytes * 3 / 2;
  }

  /**
   * Tiles before {@code bucket} are out of reach of the newest event seen so far: they will not be
   * written, and the table drops them rather than grow.
   */
  void cutoff(long bucket) {
    cutoff = bucket;
  }

  int size() {
    return size;
  }

  int keyId(int tile) {
    return keyIds[tile];
  }

  long bucket(int tile) {
    return buckets[tile];
  }

  private static int hash(int keyId, long bucket) {
    long h = (keyId * 0x9E3779B97F4A7C15L) ^ (bucket * 0xC2B2AE3D27D4EB4FL);
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    return (int) (h ^ (h >>> 32));
  }

  /** The tile of {@code keyId} and {@code bucket}, created empty when missing. */
  int tile(int keyId, long bucket) {
    int at = hash(keyId, bucket) & mask;
    while (true) {
      int tile = table[at];
      if (tile == EMPTY) {
        break;
      }
      if (keyIds[tile] == keyId && buckets[tile] == bucket) {
        return tile;
      }
      at = (at + 1) & mask;
    }
    if (size == capacity) {
      compactOrGrow();
      return tile(keyId, bucket);
    }
    int tile = size++;
    keyIds[tile] = keyId;
    buckets[tile] = bucket;
    newest[tile] = Long.MIN_VALUE;
    table[at] = tile;
    return tile;
  }

  /** Folds a row into a tile: its count, its time, and each slot's column. */
  void add(
      int tile, long ts, org.apache.arrow.vector.FieldVector[] columns, int row, long ordinal) {
    rows[tile]++;
    if (ts > newest[tile]) {
      newest[tile] = ts;
    }
    for (int s = 0; s < slots.length; s++) {
      slots[s].add(tile, columns[s], row, ts, ordinal);
    }
  }

  /**
   * Drops the tiles before the cutoff (a series of short windows over time-ordered files keeps only
   * its last hour or so); grows when that frees less than a quarter.
   */
  private void compactOrGrow() {
    int live = 0;
    for (int tile = 0; tile < size; tile++) {
      if (buckets[tile] >= cutoff) {
        if (live != tile) {
          keyIds[live] = keyIds[tile];
          buckets[live] = buckets[tile];
          rows[live] = rows[tile];
          newest[live] = newest[tile];
          for (TileColumns slot : slots) {
            slot.move(tile, live);
          }
        }
        live++;
      }
    }
    for (int tile = live; tile < size; tile++) {
      rows[tile] = 0;
    }
    size = live;
    clearFrom(live);
    if (live > capacity * 3 / 4) {
      grow();
    } else {
      rehash();
    }
  }

  /** Empties the partials of tiles {@code [from, capacity)} for reuse. */
  private void clearFrom(int from) {
    for (TileColumns slot : slots) {
      slot.clear(from);
    }
  }

  private void grow() {
    capacity *= 2;
    keyIds = Arrays.copyOf(keyIds, capacity);
    buckets = Arrays.copyOf(buckets, capacity);
    rows = Arrays.copyOf(rows, capacity);
    newest = Arrays.copyOf(newest, capacity);
    for (TileColumns slot : slots) {
      slot.grow(capacity);
    }
    rehash();
  }

  private void rehash() {
    table = new int[capacity * 2];
    Arrays.fill(table, EMPTY);
    mask = table.length - 1;
    for (int tile = 0; tile < size; tile++) {
      int at = hash(keyIds[tile], buckets[tile]) & mask;
      while (table[at] != EMPTY) {
        at = (at + 1) & mask;
      }
      table[at] = tile;
    }
  }

  /** Writes the tile's body into {@code out} (emptied first): rows, newest event, partials. */
  void body(int tile, TileOutput out) {
    out.reset();
    TileBody.header(out, buckets[tile], rows[tile], newest[tile]);
    for (TileColumns slot : slots) {
      slot.write(tile, out);
    }
  }

  /**
   * The tiles ordered by key id, then bucket: {@code order} holds tile ids, {@code starts[k]} where
   * key {@code k}'s run begins (its length up to {@code starts[k + 1]}).
   */
  record Order(int[] order, int[] starts) {}

  Order orderByKey(int keys) {
    int[] starts = new int[keys + 1];
    for (int tile = 0; tile < size; tile++) {
      starts[keyIds[tile] + 1]++;
    }
    for (int k = 0; k < keys; k++) {
      starts[k + 1] += starts[k];
    }
    int[] fill = Arrays.copyOf(starts, keys);
    int[] order = new int[size];
    for (int tile = 0; tile < size; tile++) {
      order[fill[keyIds[tile]]++] = tile;
    }
    for (int k = 0; k < keys; k++) {
      sortByBucket(order, starts[k], starts[k + 1]);
    }
    return new Order(order, starts);
  }

  /** Insertion sort for the usual few tiles of a key; a full sort for many. */
  private void sortByBucket(int[] order, int from, int to) {
    if (to - from > 32) {
      Integer[] boxed = new Integer[to - from];
      for (int i = from; i < to; i++) {
        boxed[i - from] = order[i];
      }
      Arrays.sort(boxed, (a, b) -> Long.compare(buckets[a], buckets[b]));
      for (int i = from; i < to; i++) {
        order[i] = boxed[i - from];
      }
      return;
    }
    for (int i = from + 1; i < to; i++) {
      int tile = order[i];
      int j = i - 1;
      while (j >= from && buckets[order[j]] > buckets[tile]) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = tile;
    }
  }
}
