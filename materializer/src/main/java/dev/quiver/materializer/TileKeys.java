package dev.quiver.materializer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Dense ids of the entity keys met while computing tiles, so tiles refer to their key by an int. A
 * single integral join key is looked up by value in an open-addressing table; other keys by their
 * encoded bytes.
 */
abstract class TileKeys {

  abstract int size();

  /** The encoded entity key of an id. */
  abstract byte[] encoded(int id);

  /** Heap bytes a key takes, for sizing. */
  static final int BYTES_PER_KEY = 48;

  static final class ByLong extends TileKeys {
    private final LongFunction<byte[]> encoder;
    // Key and id side by side, one cache line per probe: [2i] the key, [2i + 1] id + 1 (0: empty).
    private long[] table = new long[2 * 2048];
    private long[] values = new long[1024];
    private int size;

    ByLong(LongFunction<byte[]> encoder) {
      this.encoder = encoder;
    }

    static int hash(long key) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32));
    }

    int id(long key) {
      int mask = table.length / 2 - 1;
      int at = hash(key) & mask;
      while (table[2 * at + 1] != 0) {
        if (table[2 * at] == key) {
          return (int) table[2 * at + 1] - 1;
        }
        at = (at + 1) & mask;
      }
      if (size + 1 > table.length / 4) {
        grow();
        return id(key);
      }
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size] = key;
      table[2 * at] = key;
      table[2 * at + 1] = ++size;
      return size - 1;
    }

    private void grow() {
      table = new long[table.length * 2];
      int mask = table.length / 2 - 1;
      for (int id = 0; id < size; id++) {
        int at = hash(values[id]) & mask;
        while (table[2 * at + 1] != 0) {
          at = (at + 1) & mask;
        }
        table[2 * at] = values[id];
        table[2 * at + 1] = id + 1;
      }
    }

    @Override
    int size() {
      return size;
    }

    @Override
    byte[] encoded(int id) {
      return encoder.apply(values[id]);
    }

    long value(int id) {
      return values[id];
    }
  }

  static final class ByBytes extends TileKeys {
    private final Map<ByteBuffer, Integer> ids = new HashMap<>();
    private final List<byte[]> keys = new ArrayList<>();

    int id(byte[] encoded) {
      Integer id = ids.get(ByteBuffer.wrap(encoded));
      if (id != null) {
        return id;
      }
      ids.put(ByteBuffer.wrap(encoded), keys.size());
      keys.add(encoded);
      return keys.size() - 1;
    }

    @Override
    int size() {
      return keys.size();
    }

    @Override
    byte[] encoded(int id) {
      return keys.get(id);
    }
  }
}
