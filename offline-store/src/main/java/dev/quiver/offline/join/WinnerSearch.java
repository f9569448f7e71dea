package dev.quiver.offline.join;

import dev.quiver.offline.KeyBuckets;
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
    int[] sourceOrder =
        KeyBuckets.bucket(source.size, i -> source.key[i] / partitions, sourceStart);
    IntComparator bySourceOrder =
        (a, b) -> {
          int c = Long.compare(source.ts[a], source.ts[b]);
          if (c == 0) {
            c = Long.compare(source.created[a], source.created[b]);
          }
          return c != 0 ? c : Long.compare(source.ordinal[a], source.ordinal[b]);
        };
    KeyBuckets.sortEach(sourceOrder, sourceStart, bySourceOrder);

    int[] entityStart = new int[localKeys + 1];
    int[] bucketed =
        KeyBuckets.bucket(
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
    KeyBuckets.sortEach(entityOrder, entityStart, (a, b) -> Long.compare(entityTs[a], entityTs[b]));

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
}
