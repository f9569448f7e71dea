package dev.quiver.materializer;

import dev.quiver.offline.ByteArrayKey;
import it.unimi.dsi.fastutil.longs.Long2ObjectMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2ObjectMap;
import it.unimi.dsi.fastutil.objects.Object2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The best row so far per entity key, for one thread. A single integral join key is kept as a long
 * in a primitive map (the profile showed hashing encoded key bytes in a concurrent map was three
 * quarters of the time); other keys as their encoded bytes.
 */
abstract class KeptRows {

  /**
   * A key's best row so far, with what decides between rows: either already encoded for the store
   * ({@code value}), or a reference to its chunk and row, encoded when written.
   */
  record Kept(long eventTs, long createdTs, long ordinal, byte[] value, long ref) {
    /** Whether a row with these times and order beats this one. */
    boolean losesTo(long ts, long created, long order) {
      return ts > eventTs
          || ts == eventTs && (created > createdTs || created == createdTs && order > ordinal);
    }

    boolean losesTo(Kept other) {
      return losesTo(other.eventTs, other.createdTs, other.ordinal);
    }
  }

  /** Receives the kept rows when they are drained. */
  interface Sink {
    void accept(byte[] entityKey, Kept row);
  }

  /** Per kept row, besides its encoded bytes: map entry, record and array headers. */
  static final int OVERHEAD_BYTES = 96;

  private long bytes;

  abstract int size();

  /** About how much memory the kept rows take. */
  long bytes() {
    return bytes;
  }

  /** Accounts for {@code added} replacing {@code removed} (null when new). */
  void account(Kept added, Kept removed, int keyBytes) {
    bytes += size(added) + (removed == null ? OVERHEAD_BYTES + keyBytes : -size(removed));
  }

  private static int size(Kept row) {
    return row.value() == null ? 0 : row.value().length;
  }

  void resetBytes() {
    bytes = 0;
  }

  /** Moves every row of {@code other} here, keeping the better row of each key. */
  abstract void absorb(KeptRows other);

  /** Hands every kept row to {@code sink} and forgets them. */
  abstract void drain(Sink sink);

  /** Rows keyed by one integral join key. */
  static final class ByLong extends KeptRows {
    private final Long2ObjectOpenHashMap<Kept> rows = new Long2ObjectOpenHashMap<>();
    private final LongFunction<byte[]> encodeKey;

    ByLong(LongFunction<byte[]> encodeKey) {
      this.encodeKey = encodeKey;
    }

    /** Whether the row would be kept; call {@link #keep} with its encoded value if so. */
    boolean wants(long key, long ts, long created, long order) {
      Kept current = rows.get(key);
      return current == null || current.losesTo(ts, created, order);
    }

    void keep(long key, Kept row) {
      account(row, rows.put(key, row), 8);
    }

    @Override
    int size() {
      return rows.size();
    }

    @Override
    void absorb(KeptRows other) {
      for (Long2ObjectMap.Entry<Kept> entry : ((ByLong) other).rows.long2ObjectEntrySet()) {
        Kept current = rows.get(entry.getLongKey());
        if (current == null || current.losesTo(entry.getValue())) {
          account(entry.getValue(), rows.put(entry.getLongKey(), entry.getValue()), 8);
        }
      }
      ((ByLong) other).rows.clear();
      other.resetBytes();
    }

    @Override
    void drain(Sink sink) {
      // In the order of the encoded keys (big-endian, so unsigned): the store then writes
      // contiguous key ranges.
      long[] keys = rows.keySet().toLongArray();
      for (int i = 0; i < keys.length; i++) {
        keys[i] ^= Long.MIN_VALUE;
      }
      java.util.Arrays.sort(keys);
      for (long flipped : keys) {
        long key = flipped ^ Long.MIN_VALUE;
        sink.accept(encodeKey.apply(key), rows.get(key));
      }
      rows.clear();
      rows.trim();
      resetBytes();
    }
  }

  /** Rows keyed by encoded key bytes. */
  static final class ByBytes extends KeptRows {
    private final Object2ObjectOpenHashMap<ByteArrayKey, Kept> rows =
        new Object2ObjectOpenHashMap<>();

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
      other.resetBytes();
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
      resetBytes();
    }
  }
}
