package dev.quiver.offline.join;

import java.util.Arrays;

/**
 * The columns the point-in-time search needs of candidate source rows, as primitive arrays: key id,
 * event time and created time in nanoseconds ({@link #NULL_CREATED} when absent), the row's
 * position in file-path and row order, and a reference to where its feature values are. An
 * aggregation's numeric columns may be copied beside them ({@link #values}): read while the batch
 * is fresh, they spare the search a read of every value scattered over every batch.
 */
final class SourceRows {

  /** A null created timestamp loses every tie, so it sorts first. */
  static final long NULL_CREATED = Long.MIN_VALUE;

  int size;
  int[] key;
  long[] ts;
  long[] created;
  long[] ordinal;
  long[] ref;

  /** Per copied column, each row's value as bits (a long, or a double's raw bits), 0 for null. */
  long[][] values;

  /** Per copied column, whether each row's value is present. */
  boolean[][] present;

  SourceRows(int capacity) {
    this(capacity, 0);
  }

  SourceRows(int capacity, int copiedColumns) {
    key = new int[capacity];
    ts = new long[capacity];
    created = new long[capacity];
    ordinal = new long[capacity];
    ref = new long[capacity];
    values = new long[copiedColumns][capacity];
    present = new boolean[copiedColumns][capacity];
  }

  /** Sets copied column {@code column} of the row added last. */
  void setValue(int column, long bits, boolean isPresent) {
    values[column][size - 1] = bits;
    present[column][size - 1] = isPresent;
  }

  void add(int keyId, long eventTs, long createdTs, long order, long reference) {
    if (size == key.length) {
      grow(size + 1);
    }
    key[size] = keyId;
    ts[size] = eventTs;
    created[size] = createdTs;
    ordinal[size] = order;
    ref[size] = reference;
    size++;
  }

  void addAll(SourceRows other) {
    if (size + other.size > key.length) {
      grow(size + other.size);
    }
    System.arraycopy(other.key, 0, key, size, other.size);
    System.arraycopy(other.ts, 0, ts, size, other.size);
    System.arraycopy(other.created, 0, created, size, other.size);
    System.arraycopy(other.ordinal, 0, ordinal, size, other.size);
    System.arraycopy(other.ref, 0, ref, size, other.size);
    for (int c = 0; c < values.length; c++) {
      System.arraycopy(other.values[c], 0, values[c], size, other.size);
      System.arraycopy(other.present[c], 0, present[c], size, other.size);
    }
    size += other.size;
  }

  private void grow(int wanted) {
    int capacity = Math.max(Math.max(16, wanted), size + (size >> 1));
    key = Arrays.copyOf(key, capacity);
    ts = Arrays.copyOf(ts, capacity);
    created = Arrays.copyOf(created, capacity);
    ordinal = Arrays.copyOf(ordinal, capacity);
    ref = Arrays.copyOf(ref, capacity);
    for (int c = 0; c < values.length; c++) {
      values[c] = Arrays.copyOf(values[c], capacity);
      present[c] = Arrays.copyOf(present[c], capacity);
    }
  }

  /** When row {@code i} became known: its created time, or its event time when it has none. */
  long knownAt(int i) {
    return created[i] == NULL_CREATED ? ts[i] : created[i];
  }

  /** A reference to row {@code row} of chunk {@code chunk}. */
  static long reference(int chunk, int row) {
    return ((long) chunk << 32) | (row & 0xFFFF_FFFFL);
  }

  static int chunkOf(long reference) {
    return (int) (reference >>> 32);
  }

  static int rowOf(long reference) {
    return (int) reference;
  }
}
