package dev.quiver.offline.join;

import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The point-in-time answer of a plain view: per entity row the reference of its winner ({@link
 * WinnerSearch}), whose feature values are copied as they are.
 */
final class LatestRows implements PartitionSearch {

  private final EntityKeys keys;
  private final long[] entityTs;
  private final int partitions;
  private final long ttlNanos;
  private final boolean knownByCreated;
  private final List<String> features;
  private final long[] winners;

  /**
   * @param features the chunks' column of each output, in order
   */
  LatestRows(
      EntityKeys keys,
      long[] entityTs,
      int partitions,
      long ttlNanos,
      boolean knownByCreated,
      List<String> features) {
    this.keys = keys;
    this.entityTs = entityTs;
    this.partitions = partitions;
    this.ttlNanos = ttlNanos;
    this.knownByCreated = knownByCreated;
    this.features = features;
    this.winners = new long[entityTs.length];
    Arrays.fill(winners, WinnerSearch.NO_WINNER);
  }

  @Override
  public void search(
      int[] entityRows, SourceRows rows, VectorSchemaRoot[] chunks, List<String> copied) {
    WinnerSearch.search(
        entityRows,
        keys.keyIds(),
        entityTs,
        rows,
        keys.dictionary().size(),
        partitions,
        ttlNanos,
        knownByCreated,
        winners);
  }

  @Override
  public void write(
      int f, IntUnaryOperator rowAt, int length, FieldVector output, VectorSchemaRoot[] chunks) {
    String name = features.get(f);
    FieldVector[] sources = new FieldVector[chunks.length];
    for (int c = 0; c < chunks.length; c++) {
      sources[c] = chunks[c] == null ? null : chunks[c].getVector(name);
    }
    for (int slot = 0; slot < length; slot++) {
      long winner = winners[rowAt.applyAsInt(slot)];
      if (winner != WinnerSearch.NO_WINNER) {
        output.copyFromSafe(SourceRows.rowOf(winner), slot, sources[SourceRows.chunkOf(winner)]);
      }
    }
  }

  @Override
  public long heldBytes() {
    return 8L * winners.length;
  }
}
