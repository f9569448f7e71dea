package dev.quiver.materializer;

import dev.quiver.offline.ByteArrayKey;
import dev.quiver.offline.SourceDataException;
import dev.quiver.offline.parquet.RowGroupStatistics;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2ObjectMap;
import it.unimi.dsi.fastutil.objects.Object2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The best row so far per entity key, for one thread. A single integral join key is kept as a long
 * in flat arrays, indexed directly by the key when the keys' range is dense, else through a
 * primitive map (the profile showed hashing encoded key bytes in a concurrent map was three
 * quarters of the time, and then a boxed map entry and record per kept row most of what remained);
 * other keys as their encoded bytes.
 */
abstract class KeptRows {

  /**
   * A key's best row so far, with what decides between rows: either already encoded for the store
   * ({@code value}), or a reference to its chunk and row, encoded when written.
   */
  record Kept(long eventTs, long createdTs, long ordinal, byte[] value, long ref) {
    /** Whether a row with these times and order beats this one. */
    boolean losesTo(long ts, long created, long order) {
      return beats(ts, created, order, eventTs, createdTs, ordinal);
    }

    boolean losesTo(Kept other) {
      return losesTo(other.eventTs, other.createdTs, other.ordinal);
    }
  }

  /** Whether a row with the first times and order beats one with the second. */
  static boolean beats(
      long ts, long created, long order, long otherTs, long otherCreated, long otherOrder) {
    return ts > otherTs
        || ts == otherTs
            && (created > otherCreated || created == otherCreated && order > otherOrder);
  }

  /** Receives the kept rows when they are drained. */
  interface Sink {
    void accept(byte[] entityKey, Kept row);
  }

  abstract int size();

  /** About how much memory the kept rows take. */
  abstract long bytes();

  /** Moves every row of {@code other} here, keeping the better row of each key. */
  abstract void absorb(KeptRows other);

  /** Hands every kept row to {@code sink} and forgets them. */
  abstract void drain(Sink sink);

  /**
   * Rows keyed by one integral join key, in flat arrays: per slot the event time, created time,
   * ordinal and chunk reference side by side (one cache line), and the encoded value when rows are
   * encoded as they are kept.
   */
  static final class ByLong extends KeptRows {
    private static final int STRIDE = 4;
    private static final int SPARSE_SLOT_BYTES = 80;
    private static final int DENSE_SLOT_BYTES = STRIDE * 8 + 8;

    private final LongFunction<byte[]> encodeKey;

    /** Dense: slot = key - min over a known range; sparse (null range): slots from a map. */
    private final RowGroupStatistics.LongRange range;

    private final Long2IntOpenHashMap slotOf = new Long2IntOpenHashMap();
    private long[] slotKeys;
    private long[] slots;
    private byte[][] values;
    private int size;
    private long valueBytes;

    /**
     * @param range the range of every key offered, to index slots directly; null to map them
     */
    ByLong(LongFunction<byte[]> encodeKey, RowGroupStatistics.LongRange range) {
      this.encodeKey = encodeKey;
      this.range = range;
      slotOf.defaultReturnValue(-1);
      allocate(range == null ? 1024 : Math.toIntExact(range.max() - range.min() + 1));
    }

    /** The slots a dense table over {@code range} needs, or -1 when it cannot index one. */
    static long denseSlots(RowGroupStatistics.LongRange range) {
      long span = range.max() - range.min() + 1;
      return span <= 0 || span > Integer.MAX_VALUE / STRIDE ? -1 : span;
    }

    /** The bytes a dense table of {@code slots} takes. */
    static long denseBytes(long slots) {
      return slots * DENSE_SLOT_BYTES;
    }

    private void allocate(int capacity) {
      slots = new long[capacity * STRIDE];
      values = new byte[capacity][];
      // An ordinal of -1 marks an empty slot; real ordinals are never negative.
      java.util.Arrays.fill(slots, -1);
      if (range == null) {
        slotKeys = new long[capacity];
      }
    }

    /**
     * Offers a row: its slot when it beats the key's kept row (or the key had none), its times and
     * order now kept there; -1 when it loses. Then {@link #keepValue} or {@link #keepRef}.
     */
    int offer(long key, long ts, long created, long order) {
      int slot;
      if (range != null) {
        if (key < range.min() || key > range.max()) {
          throw new SourceDataException(
              "Cannot materialize: join key value "
                  + key
                  + " lies outside the range ["
                  + range.min()
                  + ", "
                  + range.max()
                  + "] the Parquet statistics give; the source file's statistics are wrong, or it"
                  + " changed while it was read (rewrite the file, or materialize again)");
        }
        slot = (int) (key - range.min());
      } else {
        slot = slotOf.putIfAbsent(key, size);
        if (slot < 0) {
          slot = newSlot(key);
        }
      }
      int at = slot * STRIDE;
      long kept = slots[at + 2];
      if (kept >= 0 && !beats(ts, created, order, slots[at], slots[at + 1], kept)) {
        return -1;
      }
      if (kept < 0 && range != null) {
        size++;
      }
      slots[at] = ts;
      slots[at + 1] = created;
      slots[at + 2] = order;
      return slot;
    }

    private int newSlot(long key) {
      if (size == slotKeys.length) {
        int capacity = size * 2;
        slotKeys = java.util.Arrays.copyOf(slotKeys, capacity);
        values = java.util.Arrays.copyOf(values, capacity);
        int filled = slots.length;
        slots = java.util.Arrays.copyOf(slots, capacity * STRIDE);
        java.util.Arrays.fill(slots, filled, slots.length, -1);
      }
      slotKeys[size] = key;
      return size++;
    }

    void keepValue(int slot, byte[] value) {
      byte[] previous = values[slot];
      valueBytes += value.length - (previous == null ? 0 : previous.length);
      values[slot] = value;
    }

    void keepRef(int slot, long ref) {
      slots[slot * STRIDE + 3] = ref;
    }

    @Override
    int size() {
      return size;
    }

    @Override
    long bytes() {
      long table =
          range == null ? (long) size * SPARSE_SLOT_BYTES : (long) values.length * DENSE_SLOT_BYTES;
      return table + valueBytes;
    }

    private long keyOf(int slot) {
      return range == null ? slotKeys[slot] : range.min() + slot;
    }

    private boolean present(int slot) {
      return slots[slot * STRIDE + 2] >= 0;
    }

    private Kept kept(int slot) {
      int at = slot * STRIDE;
      return new Kept(slots[at], slots[at + 1], slots[at + 2], values[slot], slots[at + 3]);
    }

    @Override
    void absorb(KeptRows other) {
      ByLong from = (ByLong) other;
      for (int slot = 0; slot < from.values.length; slot++) {
        if (!from.present(slot)) {
          continue;
        }
        int at = slot * STRIDE;
        int won = offer(from.keyOf(slot), from.slots[at], from.slots[at + 1], from.slots[at + 2]);
        if (won >= 0) {
          keepRef(won, from.slots[at + 3]);
          values[won] = null;
          if (from.values[slot] != null) {
            keepValue(won, from.values[slot]);
          }
        }
      }
      from.reset();
    }

    @Override
    void drain(Sink sink) {
      // In the order of the encoded keys (big-endian, so unsigned): the store then writes
      // contiguous key ranges.
      if (range != null) {
        // Slots are in key order already: the non-negative keys come first, unsigned.
        int zero = (int) Math.max(0, Math.min(values.length, -range.min()));
        for (int slot = zero; slot < values.length; slot++) {
          if (present(slot)) {
            sink.accept(encodeKey.apply(keyOf(slot)), kept(slot));
          }
        }
        for (int slot = 0; slot < zero; slot++) {
          if (present(slot)) {
            sink.accept(encodeKey.apply(keyOf(slot)), kept(slot));
          }
        }
      } else {
        long[] keys = java.util.Arrays.copyOf(slotKeys, size);
        for (int i = 0; i < keys.length; i++) {
          keys[i] ^= Long.MIN_VALUE;
        }
        java.util.Arrays.sort(keys);
        for (long flipped : keys) {
          long key = flipped ^ Long.MIN_VALUE;
          sink.accept(encodeKey.apply(key), kept(slotOf.get(key)));
        }
      }
      reset();
    }

    private void reset() {
      size = 0;
      valueBytes = 0;
      if (range == null) {
        slotOf.clear();
        slotOf.trim();
        allocate(1024);
      } else {
        java.util.Arrays.fill(slots, -1);
        java.util.Arrays.fill(values, null);
      }
    }
  }

  /** Rows keyed by encoded key bytes. */
  static final class ByBytes extends KeptRows {
    /** Per kept row, besides its encoded bytes: map entry, record and array headers. */
    private static final int OVERHEAD_BYTES = 96;

    private final Object2ObjectOpenHashMap<ByteArrayKey, Kept> rows =
        new Object2ObjectOpenHashMap<>();
    private long bytes;

    @Override
    long bytes() {
      return bytes;
    }

    /** Accounts for {@code added} replacing {@code removed} (null when new). */
    private void account(Kept added, Kept removed, int keyBytes) {
      bytes += size(added) + (removed == null ? OVERHEAD_BYTES + keyBytes : -size(removed));
    }

    private static int size(Kept row) {
      return row.value() == null ? 0 : row.value().length;
    }

    boolean wants(byte[] key, long ts, long created, long order) {
      Kept current = rows.get(new ByteArrayKey(key));
      return current == null || current.losesTo(ts, created, order);
    }

    void keep(byte[] key, Kept row) {
      account(row, rows.put(new ByteArrayKey(key), row), key.length);
    }

    @Override
    int size() {
      return rows.size();
    }

    @Override
    void absorb(KeptRows other) {
      for (Object2ObjectMap.Entry<ByteArrayKey, Kept> entry :
          ((ByBytes) other).rows.object2ObjectEntrySet()) {
        Kept current = rows.get(entry.getKey());
        if (current == null || current.losesTo(entry.getValue())) {
          account(
              entry.getValue(),
              rows.put(entry.getKey(), entry.getValue()),
              entry.getKey().bytes().length);
        }
      }
      ((ByBytes) other).rows.clear();
      ((ByBytes) other).bytes = 0;
    }

    @Override
    void drain(Sink sink) {
      List<ByteArrayKey> keys = new ArrayList<>(rows.keySet());
      keys.sort((a, b) -> java.util.Arrays.compareUnsigned(a.bytes(), b.bytes()));
      for (ByteArrayKey key : keys) {
        sink.accept(key.bytes(), rows.get(key));
      }
      rows.clear();
      rows.trim();
      bytes = 0;
    }
  }
}
