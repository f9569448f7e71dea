package dev.quiver.offline.join;

import dev.quiver.offline.aggregate.WindowResults;
import dev.quiver.offline.aggregate.WindowSearch;
import dev.quiver.registry.model.AggregateFeature;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The answer of an aggregation view: per entity row and requested feature its window's aggregate
 * ({@link WindowSearch}), a selected event's value copied as it is.
 */
final class WindowAggregates implements PartitionSearch {

  private final EntityKeys keys;
  private final long[] entityTs;
  private final int partitions;
  private final WindowResults results;

  WindowAggregates(
      EntityKeys keys, long[] entityTs, int partitions, List<AggregateFeature> features) {
    this.keys = keys;
    this.entityTs = entityTs;
    this.partitions = partitions;
    this.results = new WindowResults(features, keys.keyIds());
  }

  @Override
  public void search(
      int[] entityRows, SourceRows rows, VectorSchemaRoot[] chunks, List<String> copied) {
    List<String> columns = results.columns();
    long[][] values = new long[columns.size()][];
    boolean[][] present = new boolean[columns.size()][];
    for (int c = 0; c < columns.size(); c++) {
      int at = copied.indexOf(columns.get(c));
      if (at >= 0) {
        values[c] = rows.values[at];
        present[c] = rows.present[at];
      }
    }
    FieldVector[][] vectors = new FieldVector[columns.size()][chunks.length];
    for (int c = 0; c < columns.size(); c++) {
      for (int chunk = 0; chunk < chunks.length; chunk++) {
        vectors[c][chunk] = chunks[chunk] == null ? null : chunks[chunk].getVector(columns.get(c));
      }
    }
    WindowSearch.search(
        entityRows,
        keys.keyIds(),
        entityTs,
        new WindowSearch.Events(
            rows.size, rows.key, rows.ts, rows.ordinal, rows.ref, values, present),
        new WindowSearch.Columns() {
          @Override
          public FieldVector vector(int column, long ref) {
            return vectors[column][SourceRows.chunkOf(ref)];
          }

          @Override
          public int row(long ref) {
            return SourceRows.rowOf(ref);
          }
        },
        keys.dictionary().size(),
        partitions,
        results);
  }

  @Override
  public void write(
      int f, IntUnaryOperator rowAt, int length, FieldVector output, VectorSchemaRoot[] chunks) {
    String column = results.features().get(f).column();
    FieldVector[] sources = new FieldVector[chunks.length];
    for (int c = 0; c < chunks.length && column != null; c++) {
      sources[c] = chunks[c] == null ? null : chunks[c].getVector(column);
    }
    results.write(
        f,
        rowAt,
        length,
        output,
        (ref, slot) ->
            output.copyFromSafe(SourceRows.rowOf(ref), slot, sources[SourceRows.chunkOf(ref)]));
  }

  @Override
  public long heldBytes() {
    return WindowResults.bytes(results.features(), entityTs.length);
  }
}
