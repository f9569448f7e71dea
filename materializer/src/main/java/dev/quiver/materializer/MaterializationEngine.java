package dev.quiver.materializer;

import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import java.util.List;

/**
 * Copies one view's window into the online store: the {@link Materializer} keeps what is the same
 * for every engine (which views, where an incremental run starts, the materialization log), an
 * engine does the reading and writing. The embedded engine is the default; the Spark engine ({@code
 * quiver-spark}) implements this to run the same copies as Spark jobs.
 */
public interface MaterializationEngine {

  /**
   * What one copy did.
   *
   * @param newestEventNanos the newest event time among the window's rows, {@link Long#MIN_VALUE}
   *     when it had none
   */
  record Copied(long sourceRowsRead, long rowsInWindow, long rowsWritten, long newestEventNanos) {}

  /**
   * Writes, per key, the row the point-in-time rule picks at {@code end} among the source rows with
   * {@code start <= ts <= end} (for a view known by its created time, rows known in the window),
   * newer-wins.
   *
   * @param start nanoseconds, or {@link Long#MIN_VALUE} for the beginning of the data
   * @param end nanoseconds, inclusive
   */
  Copied latest(
      FeatureView view, ParquetSource source, List<Entity> entities, long start, long end);

  /**
   * Recomputes every tile the window touches from all the source rows in it, and merges the sets
   * into the store; sweeps the tiles out of reach when the view's newest event moved on.
   *
   * @param knownNewest the newest event materialized for the view before, {@link Long#MIN_VALUE}
   *     when none
   */
  Copied tiles(
      FeatureView view,
      ParquetSource source,
      List<Entity> entities,
      long start,
      long end,
      long knownNewest);
}
