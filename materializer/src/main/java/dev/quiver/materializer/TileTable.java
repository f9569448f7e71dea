package dev.quiver.materializer;

import dev.quiver.online.tiles.TileBody;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.online.tiles.TileOutput;
import java.util.Arrays;

/**
 * The tiles of one hop series being computed: per (key id, bucket) a tile id, found through an
 * open-addressing table. A tile is a row of longs (bucket, key id, rows, newest event, then each
 * slot's longs) in pages of {@value #PAGE_TILES} tiles, so folding a row into it and writing it
 * touch one or two cache lines, and growing allocates a page instead of copying every tile.
 */
final class TileTable {

  private static final int EMPTY = -1;
  private static final int PAGE_SHIFT = 14;
  static final int PAGE_TILES = 1 << PAGE_SHIFT;
  private static final int PAGE_MASK = PAGE_TILES - 1;

  private static final int BUCKET = 0;
  private static final int KEY = 1;
  private static final int ROWS = 2;
  private static final int NEWEST = 3;
  private static final int HEADER = 4;

  final long hop;
  private final TileColumns[] slots;
  private final int stride;
  private final int objectCells;
  private long[][] pages = new long[4][];
  private Object[][] objectPages = new Object[4][];
  private int size;
  private int[] table;
  private int mask;

  TileTable(TileLayout layout, long hop) {
    this.hop = hop;
    slots = new TileColumns[layout.slots().size()];
    int at = HEADER;
    int cells = 0;
    for (int s = 0; s < slots.length; s++) {
      slots[s] = TileColumns.of(layout.slots().get(s), at, cells);
      at += slots[s].longs();
      cells += slots[s].usesObject() ? 1 : 0;
    }
    stride = at;
    objectCells = cells;
    table = new int[1 << 12];
    Arrays.fill(table, EMPTY);
    mask = table.length - 1;
  }

  /** Heap bytes one tile takes, for sizing before any row is read (hash table included). */
  static long bytesPerTile(TileLayout layout) {
    TileTable sample = new TileTable(layout, 1);
    // The hash table holds between two and four slots per tile.
    return 8L * sample.stride + 16L * sample.objectCells + 16;
  }

  int size() {
    return size;
  }

  private long[] page(int tile) {
    return pages[tile >>> PAGE_SHIFT];
  }

  private int base(int tile) {
    return (tile & PAGE_MASK) * stride;
  }

  int keyId(int tile) {
    return (int) page(tile)[base(tile) + KEY];
  }

  long bucket(int tile) {
    return page(tile)[base(tile) + BUCKET];
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
      long[] page = page(tile);
      int base = base(tile);
      if (page[base + BUCKET] == bucket && page[base + KEY] == keyId) {
        return tile;
      }
      at = (at + 1) & mask;
    }
    if (size + 1 > table.length / 2) {
      grow();
      return tile(keyId, bucket);
    }
    int tile = size++;
    int p = tile >>> PAGE_SHIFT;
    if (p == pages.length) {
      pages = Arrays.copyOf(pages, p * 2);
      objectPages = Arrays.copyOf(objectPages, p * 2);
    }
    if (pages[p] == null) {
      pages[p] = new long[PAGE_TILES * stride];
      if (objectCells > 0) {
        objectPages[p] = new Object[PAGE_TILES * objectCells];
      }
    }
    long[] page = pages[p];
    int base = base(tile);
    Arrays.fill(page, base, base + stride, 0);
    if (objectCells > 0) {
      int objectBase = (tile & PAGE_MASK) * objectCells;
      Arrays.fill(objectPages[p], objectBase, objectBase + objectCells, null);
    }
    page[base + BUCKET] = bucket;
    page[base + KEY] = keyId;
    page[base + NEWEST] = Long.MIN_VALUE;
    table[at] = tile;
    return tile;
  }

  /** Folds an event into a tile: its count, its time, and each slot's column. */
  void add(int tile, long ts, EventColumn[] columns, int event, long ordinal) {
    long[] page = page(tile);
    int base = base(tile);
    page[base + ROWS]++;
    if (ts > page[base + NEWEST]) {
      page[base + NEWEST] = ts;
    }
    Object[] objects = objectCells == 0 ? null : objectPages[tile >>> PAGE_SHIFT];
    int objectBase = (tile & PAGE_MASK) * objectCells;
    for (int s = 0; s < slots.length; s++) {
      slots[s].add(page, base, objects, objectBase, columns[s], event, ts, ordinal);
    }
  }

  /** Doubles the hash table. */
  private void grow() {
    int length = table.length * 2;
    table = new int[length];
    Arrays.fill(table, EMPTY);
    mask = length - 1;
    for (int tile = 0; tile < size; tile++) {
      int at = hash(keyId(tile), bucket(tile)) & mask;
      while (table[at] != EMPTY) {
        at = (at + 1) & mask;
      }
      table[at] = tile;
    }
  }

  /** Writes the tile's body into {@code out} (emptied first): rows, newest event, partials. */
  void body(int tile, TileOutput out) {
    out.reset();
    long[] page = page(tile);
    int base = base(tile);
    TileBody.header(out, page[base + BUCKET], page[base + ROWS], page[base + NEWEST]);
    Object[] objects = objectCells == 0 ? null : objectPages[tile >>> PAGE_SHIFT];
    int objectBase = (tile & PAGE_MASK) * objectCells;
    for (TileColumns slot : slots) {
      slot.write(page, base, objects, objectBase, out);
    }
    for (TileColumns slot : slots) {
      slot.writeChosenTime(page, base, page[base + BUCKET], out);
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
      starts[keyId(tile) + 1]++;
    }
    for (int k = 0; k < keys; k++) {
      starts[k + 1] += starts[k];
    }
    int[] fill = Arrays.copyOf(starts, keys);
    int[] order = new int[size];
    for (int tile = 0; tile < size; tile++) {
      order[fill[keyId(tile)]++] = tile;
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
      Arrays.sort(boxed, (a, b) -> Long.compare(bucket(a), bucket(b)));
      for (int i = from; i < to; i++) {
        order[i] = boxed[i - from];
      }
      return;
    }
    for (int i = from + 1; i < to; i++) {
      int tile = order[i];
      long bucket = bucket(tile);
      int j = i - 1;
      while (j >= from && bucket(order[j]) > bucket) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = tile;
    }
  }
}
