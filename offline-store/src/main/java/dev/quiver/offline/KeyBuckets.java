package dev.quiver.offline;

import it.unimi.dsi.fastutil.ints.IntArrays;
import it.unimi.dsi.fastutil.ints.IntComparator;

/**
 * Rows grouped by key id with a counting sort, then each key's rows sorted on their own: how the
 * point-in-time search and the window aggregation put a partition's rows in key and time order in
 * time linear in the rows plus the cost of sorting each key's few rows.
 */
public final class KeyBuckets {

  private static final int INSERTION_SORT_MAX = 16;

  private KeyBuckets() {}

  /** The key of row {@code index}; negative leaves the row out. */
  @FunctionalInterface
  public interface KeyOf {
    int key(int index);
  }

  /**
   * A counting sort of {@code 0..count-1} by key; indices whose key is negative are left out.
   *
   * @param start its length is the key count plus one; receives each key's first position, {@code
   *     start[k+1]} ending it
   * @return the indices, key by key, each key's in ascending order
   */
  public static int[] bucket(int count, KeyOf keyOf, int[] start) {
    int keyCount = start.length - 1;
    int[] counts = new int[keyCount + 1];
    int kept = 0;
    for (int i = 0; i < count; i++) {
      int key = keyOf.key(i);
      if (key >= 0) {
        counts[key + 1]++;
        kept++;
      }
    }
    for (int k = 0; k < keyCount; k++) {
      counts[k + 1] += counts[k];
    }
    System.arraycopy(counts, 0, start, 0, keyCount + 1);
    int[] order = new int[kept];
    for (int i = 0; i < count; i++) {
      int key = keyOf.key(i);
      if (key >= 0) {
        order[counts[key]++] = i;
      }
    }
    return order;
  }

  /** Sorts each key's part {@code order[start[k] .. start[k+1])} by {@code comparator}. */
  public static void sortEach(int[] order, int[] start, IntComparator comparator) {
    for (int k = 0; k < start.length - 1; k++) {
      int from = start[k];
      int to = start[k + 1];
      if (to - from <= 1) {
        continue;
      }
      if (to - from <= INSERTION_SORT_MAX) {
        for (int i = from + 1; i < to; i++) {
          int value = order[i];
          int j = i - 1;
          while (j >= from && comparator.compare(order[j], value) > 0) {
            order[j + 1] = order[j];
            j--;
          }
          order[j + 1] = value;
        }
      } else {
        IntArrays.quickSort(order, from, to, comparator);
      }
    }
  }
}
