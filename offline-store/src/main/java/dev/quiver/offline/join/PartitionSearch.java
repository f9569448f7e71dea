package dev.quiver.offline.join;

import java.util.List;
import java.util.function.IntUnaryOperator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * What a view's join finds for each entity row in the source rows routed to its key's partition,
 * and how it writes that into the outputs: the latest row for a plain view ({@link LatestRows}),
 * windowed aggregates for an aggregation view ({@link WindowAggregates}). The routing, spilling and
 * merging around it ({@link RoutedRows}) is the same for both.
 */
interface PartitionSearch {

  /**
   * Answers a partition's entity rows from its source rows. Partitions are searched at once on
   * several threads; each writes only its own entity rows' answers.
   *
   * @param entityRows the partition's entity rows, ascending
   * @param chunks the batches the source rows' references point into (by chunk index)
   * @param copied the columns whose values {@code rows} carry ({@link SourceRows#values}), in order
   */
  void search(int[] entityRows, SourceRows rows, VectorSchemaRoot[] chunks, List<String> copied);

  /**
   * Writes output {@code f} (the view's requested features, in request order) of the entity rows
   * {@code rowAt(0 .. length-1)} into slots {@code 0 .. length-1}, in slot order, reading values
   * from {@code chunks}; a null answer leaves its slot unset.
   */
  void write(
      int f, IntUnaryOperator rowAt, int length, FieldVector output, VectorSchemaRoot[] chunks);

  /** What the answers of every entity row take in memory. */
  long heldBytes();
}
