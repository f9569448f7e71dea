package dev.quiver.materializer;

import dev.quiver.registry.model.Feature;
import java.util.Arrays;
import java.util.List;

/**
 * The events of one key partition, in the order they were read (row-group order, then row order):
 * key, time, tie-break ordinal and the aggregated columns, so the partition's tiles are computed
 * later in a table small enough for the cache, in the same order on every run.
 */
final class EventBuffer {

  private int size;
  private long[] longKeys;
  private byte[][] byteKeys;
  private long[] times;
  private long[] ordinals;
  final EventColumn[] columns;

  /**
   * @param capacity the events expected, room made for at once
   */
  EventBuffer(boolean longKeys, List<Feature> sourceColumns, int capacity) {
    if (longKeys) {
      this.longKeys = new long[capacity];
    } else {
      this.byteKeys = new byte[capacity][];
    }
    times = new long[capacity];
    ordinals = new long[capacity];
    columns = new EventColumn[sourceColumns.size()];
    for (int c = 0; c < columns.length; c++) {
      columns[c] = new EventColumn(sourceColumns.get(c).type().element(), capacity);
    }
  }

  /** Heap bytes an event takes in a buffer, for sizing. */
  static long bytesPerEvent(boolean longKeys, List<Feature> sourceColumns) {
    long bytes = (longKeys ? 8 : 48) + 8 + 8;
    for (Feature column : sourceColumns) {
      bytes += new EventColumn(column.type().element(), 0).bytesPerEvent();
    }
    // Arrays grow by doubling: on average a third of their length is spare.
    return bytes * 3 / 2;
  }

  int size() {
    return size;
  }

  /** Makes room for one more event and returns its index; the caller fills its columns. */
  int add(long key, byte[] keyBytes, long ts, long ordinal) {
    if (size == times.length) {
      int capacity = Math.max(16, size * 2);
      if (longKeys != null) {
        longKeys = Arrays.copyOf(longKeys, capacity);
      } else {
        byteKeys = Arrays.copyOf(byteKeys, capacity);
      }
      times = Arrays.copyOf(times, capacity);
      ordinals = Arrays.copyOf(ordinals, capacity);
      for (EventColumn column : columns) {
        column.grow(capacity);
      }
    }
    if (longKeys != null) {
      longKeys[size] = key;
    } else {
      byteKeys[size] = keyBytes;
    }
    times[size] = ts;
    ordinals[size] = ordinal;
    return size++;
  }

  long longKey(int event) {
    return longKeys[event];
  }

  byte[] byteKey(int event) {
    return byteKeys[event];
  }

  long time(int event) {
    return times[event];
  }

  long ordinal(int event) {
    return ordinals[event];
  }
}
