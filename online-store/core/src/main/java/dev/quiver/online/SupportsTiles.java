package dev.quiver.online;

import dev.quiver.online.tiles.TileSets;
import java.util.List;

/**
 * A store that keeps the tiles of aggregation views: per (view, entity key) one tile set ({@link
 * TileSets}), stored where a plain view's row of that key would be, so {@link #read} returns it in
 * the same round trip.
 */
public interface SupportsTiles extends OnlineStore {

  /**
   * Merges tile sets into the stored ones with {@link TileSets#merge}: each written tile replaces
   * the stored tile of its bucket, tiles out of reach of the newest event are dropped, and a set
   * left without tiles is deleted. Merges of one key by concurrent writers are never lost.
   *
   * @param tileSets at most one per entity key
   * @return how many stored sets were added, changed or deleted
   * @throws OnlineStoreException when the store cannot be written (or was opened read-only)
   */
  long mergeTiles(String view, List<Record> tileSets);

  /**
   * Drops, in every stored set of the view, the tiles out of reach from {@code newestEventNanos}
   * (the view's newest event), deleting sets left empty, including those of keys no write touches
   * any more. Costs a pass over the view's stored sets.
   *
   * @return how many sets were shrunk or deleted
   * @throws OnlineStoreException when the store cannot be read or written (or was opened read-only)
   */
  long expireTiles(String view, long newestEventNanos);
}
