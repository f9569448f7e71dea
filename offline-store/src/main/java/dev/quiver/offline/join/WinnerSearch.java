package dev.quiver.offline.join;

import it.unimi.dsi.fastutil.ints.IntArrays;
import it.unimi.dsi.fastutil.ints.IntComparator;

/**
 * The point-in-time rule on primitive arrays. For each entity row it finds, among the source rows
 * of the same key with {@code ts <= entity ts} (and, for views known by their created time, {@code
 * created <= entity ts}, a null created time counting as the event time), the greatest by (event
 * time, created time, file and row order); when a ttl is set and that row is older than {@code
 * entity ts - ttl}, there is no winner (every other candidate is older still).
 *
 * <p>Both sides are bucketed by key id with a counting sort, then each key's rows are sorted and
 * merged: linear in the rows plus the cost of sorting each key's few rows.
 */
final class WinnerSearch {

  static final long NO_WINNER = -1;
  private static final int INSERTION_SORT_MAX = 16;

  private WinnerSearch() {}

  /**
   * @param entityRows the entity rows to answer (indices into the entity arrays)
   * @param entityKey key id per entity row; {@link KeyDictionary#NO_KEY} has no match
   * @param entityTs event time per entity row, nanoseconds
   * @param keyCount key ids are below this
   * @param partitions the rows all have key ids {@code k} with the same {@code k % partitions}, so
   *     {@code k / partitions} numbers this partition's keys densely
   * @param ttlNanos 0 for no limit
   * @param knownByCreated whether a candidate must also have been created by the entity time
   * @param winners receives, per answered entity row, the winner's {@code ref} or {@link
   *     #NO_WINNER}
   */
  static void search(
      int[] entityRows,
      int[] entityKey,
      long[] entityTs,
      SourceRows source,
      int keyCount,
      int partitions,
      long ttlNanos,
      boolean knownByCreated,
      long[] winners) {
    // Local key numbers keep each partition's arrays proportional to its own keys.
    int localKeys = (keyCount + partitions - 1) / partitions;
    int[] sourceStart = new int[localKeys + 1];
    int[] sourceOrder = bucketByKey(source.size, i -> source.key[i] / partitions, sourceStart);
    IntComparator bySourceOrder =
        (a, b) -> {
          int c = Long.compare(source.ts[a], source.ts[b]);
          if (c == 0) {
            c = Long.compare(source.created[a], source.created[b]);
          }
          return c != 0 ? c : Long.compare(source.ordinal[a], source.ordinal[b]);
        };
    sortBuckets(sourceOrder, sourceStart, bySourceOrder);

    int[] entityStart = new int[localKeys + 1];
    int[] bucketed =
        bucketByKey(
            entityRows.length,
            i ->
                entityKey[entityRows[i]] == KeyDictionary.NO_KEY
                    ? -1
                    : entityKey[entityRows[i]] / partitions,
            entityStart);
    int[] entityOrder = new int[bucketed.length];
    for (int i = 0; i < bucketed.length; i++) {
      entityOrder[i] = entityRows[bucketed[i]];
    }
    sortBuckets(entityOrder, entityStart, (a, b) -> Long.compare(entityTs[a], entityTs[b]));

    for (int row : entityRows) {
      winners[row] = NO_WINNER;
    }
    for (int k = 0; k < localKeys; k++) {
      int sourceEnd = sourceStart[k + 1];
      int candidate = -1;
      int next = sourceStart[k];
      for (int e = entityStart[k]; e < entityStart[k + 1]; e++) {
        int entity = entityOrder[e];
        long at = entityTs[entity];
        while (next < sourceEnd && source.ts[sourceOrder[next]] <= at) {
          candidate = sourceOrder[next];
          next++;
        }
        int winner =
            knownByCreated
                ? latestKnown(source, sourceOrder, sourceStart[k], next, at, ttlNanos)
                : candidate;
        // at - ts >= 0 here; an unsigned compare cannot overflow even for extreme instants.
        if (winner >= 0
            && (ttlNanos == 0 || Long.compareUnsigned(at - source.ts[winner], ttlNanos) <= 0)) {
          winners[entity] = source.ref[winner];
        }
      }
    }
  }

  /**
   * The greatest of the key's rows {@code sourceOrder[from .. to)} (those with {@code ts <= at}, in
   * ascending order) that was known at {@code at}; -1 when none within the ttl was. Scans back from
   * the newest: corrections made after {@code at} are passed over, usually few.
   */
  private static int latestKnown(
      SourceRows source, int[] sourceOrder, int from, int to, long at, long ttlNanos) {
    for (int i = to - 1; i >= from; i--) {
      int row = sourceOrder[i];
      if (ttlNanos != 0 && Long.compareUnsigned(at - source.ts[row], ttlNanos) > 0) {
        return -1; // this one and every earlier row are past the ttl
      }
      if (source.knownAt(row) <= at) {
        return row;
      }
    }
    return -1;
  }

  private interface KeyOf {
    int key(int index);
  }

  /**
   * A counting sort of {@code 0..count-1} by key; indices whose key is negative are left out.
   *
   * @param start receives each key's first position; {@code start[k+1]} ends it
   */
  private static int[] bucketByKey(int count, KeyOf keyOf, int[] start) {
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

  private static void sortBuckets(int[] order, int[] start, IntComparator comparator) {
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
