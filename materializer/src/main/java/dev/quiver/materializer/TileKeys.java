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
    private long[] values = new long[1024];
    private int[] table = new int[2048];
    private int size;

    ByLong(LongFunction<byte[]> encoder) {
      this.encoder = encoder;
      Arrays.fill(table, -1);
    }

    static int hash(long key) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32));
    }

    int id(long key) {
      int mask = table.length - 1;
      int at = hash(key) & mask;
      while (table[at] >= 0) {
        if (values[table[at]] == key) {
          return table[at];
        }
        at = (at + 1) & mask;
      }
      if (size * 2 >= table.length - 2) {
        grow();
        return id(key);
      }
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size] = key;
      table[at] = size;
      return size++;
    }

    private void grow() {
      table = new int[table.length * 2];
      Arrays.fill(table, -1);
      int mask = table.length - 1;
      for (int id = 0; id < size; id++) {
        int at = hash(values[id]) & mask;
        while (table[at] >= 0) {
          at = (at + 1) & mask;
        }
        table[at] = id;
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
