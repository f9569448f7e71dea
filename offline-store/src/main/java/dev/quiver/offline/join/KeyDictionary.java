package dev.quiver.offline.join;

import dev.quiver.offline.ByteArrayKey;
import dev.quiver.offline.NumericValues;
import it.unimi.dsi.fastutil.longs.Long2IntMap;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;

/**
 * Dense ids for the distinct join keys of the entity rows, so that the join works on ints. Keys are
 * read from Arrow vectors of the entities' declared types; source rows, read as the same types, are
 * looked up in the same dictionary. A single integral key is held as a long; text, bytes and
 * composite keys as bytes. A key with any null part has no id.
 */
final class KeyDictionary {

  static final int NO_KEY = -1;

  /** What {@link #lookupAll} gives a row whose key has a null part. */
  static final int NULL_KEY = -2;

  /** Dense integral keys are looked up in an array when it is at most this many times larger. */
  private static final int DENSE_SPREAD = 4;

  private static final int DENSE_MAX_RANGE = 1 << 27;

  private final boolean integral;
  private final Long2IntOpenHashMap longIds;
  private final Object2IntOpenHashMap<ByteArrayKey> byteIds;

  /** For integral keys spread over a small range: id by {@code key - denseBase}, else null. */
  private int[] dense;

  private long denseBase;

  private KeyDictionary(boolean integral) {
    this.integral = integral;
    this.longIds = integral ? new Long2IntOpenHashMap() : null;
    this.byteIds = integral ? null : new Object2IntOpenHashMap<>();
    if (integral) {
      longIds.defaultReturnValue(NO_KEY);
    } else {
      byteIds.defaultReturnValue(NO_KEY);
    }
  }

  /** Whether keys of these columns are held as a single long. */
  static boolean isIntegral(List<FieldVector> keyColumns) {
    if (keyColumns.size() != 1) {
      return false;
    }
    FieldVector v = keyColumns.get(0);
    return v instanceof BigIntVector
        || v instanceof IntVector
        || v instanceof BitVector
        || v instanceof TimeStampVector;
  }

  /**
   * Builds the dictionary of the entity rows' keys.
   *
   * @param ids receives each row's key id, or {@link #NO_KEY} for a null key
   */
  static KeyDictionary build(List<FieldVector> keyColumns, int rows, int[] ids) {
    KeyDictionary dictionary = new KeyDictionary(isIntegral(keyColumns));
    for (int row = 0; row < rows; row++) {
      ids[row] = dictionary.assign(keyColumns, row);
    }
    dictionary.buildDenseTable();
    return dictionary;
  }

  /** Ids (typically small, dense integers) are then one array read away instead of a probe. */
  private void buildDenseTable() {
    if (!integral || longIds.isEmpty()) {
      return;
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (long key : longIds.keySet()) {
      min = Math.min(min, key);
      max = Math.max(max, key);
    }
    long range = max - min + 1;
    if (range <= 0
        || range > DENSE_MAX_RANGE
        || range > (long) DENSE_SPREAD * longIds.size() + 1024) {
      return;
    }
    dense = new int[(int) range];
    Arrays.fill(dense, NO_KEY);
    for (Long2IntMap.Entry entry : longIds.long2IntEntrySet()) {
      dense[(int) (entry.getLongKey() - min)] = entry.getIntValue();
    }
    denseBase = min;
  }

  private int idOf(long key) {
    if (dense != null) {
      long index = key - denseBase;
      return index >= 0 && index < dense.length ? dense[(int) index] : NO_KEY;
    }
    return longIds.get(key);
  }

  /**
   * The ids of the keys of rows {@code 0..rows-1}, column at a time: {@link #NO_KEY} when no entity
   * row has the key, {@link #NULL_KEY} when a part of it is null.
   */
  int[] lookupAll(List<FieldVector> keyColumns, int rows) {
    int[] ids = new int[rows];
    if (integral) {
      FieldVector column = keyColumns.get(0);
      for (int row = 0; row < rows; row++) {
        ids[row] = column.isNull(row) ? NULL_KEY : idOf(NumericValues.longOf(column, row));
      }
      return ids;
    }
    for (int row = 0; row < rows; row++) {
      ids[row] = hasNull(keyColumns, row) ? NULL_KEY : byteIds.getInt(bytesKey(keyColumns, row));
    }
    return ids;
  }

  int size() {
    return integral ? longIds.size() : byteIds.size();
  }

  private int assign(List<FieldVector> keyColumns, int row) {
    if (hasNull(keyColumns, row)) {
      return NO_KEY;
    }
    if (integral) {
      long key = NumericValues.longOf(keyColumns.get(0), row);
      int id = longIds.get(key);
      if (id == NO_KEY) {
        id = longIds.size();
        longIds.put(key, id);
      }
      return id;
    }
    ByteArrayKey key = bytesKey(keyColumns, row);
    int id = byteIds.getInt(key);
    if (id == NO_KEY) {
      id = byteIds.size();
      byteIds.put(key, id);
    }
    return id;
  }

  /** The id of a source row's key, or {@link #NO_KEY} when no entity row has it. */
  int lookup(List<FieldVector> keyColumns, int row) {
    if (hasNull(keyColumns, row)) {
      return NO_KEY;
    }
    return integral
        ? idOf(NumericValues.longOf(keyColumns.get(0), row))
        : byteIds.getInt(bytesKey(keyColumns, row));
  }

  static boolean hasNull(List<FieldVector> keyColumns, int row) {
    for (FieldVector column : keyColumns) {
      if (column.isNull(row)) {
        return true;
      }
    }
    return false;
  }

  private static ByteArrayKey bytesKey(List<FieldVector> keyColumns, int row) {
    int size = 0;
    for (FieldVector column : keyColumns) {
      size += column instanceof BaseVariableWidthVector v ? 4 + v.getValueLength(row) : 8;
    }
    ByteBuffer buffer = ByteBuffer.allocate(size);
    for (FieldVector column : keyColumns) {
      if (column instanceof BaseVariableWidthVector v) {
        byte[] bytes = v.get(row);
        buffer.putInt(bytes.length).put(bytes);
      } else if (column instanceof BaseFixedWidthVector) {
        buffer.putLong(NumericValues.longOf(column, row));
      } else {
        throw new IllegalArgumentException("Cannot use " + column.getField() + " as a join key");
      }
    }
    return new ByteArrayKey(buffer.array());
  }
}
