package dev.quiver.online;

import dev.quiver.online.tiles.TileSets;
import java.util.ArrayList;
import java.util.List;

/**
 * A store that keeps the tiles of aggregation views: per (view, entity key) one tile set ({@link
 * TileSets}), stored where a plain view's row of that key would be, so {@link #read} returns it in
 * the same round trip.
 */
public interface SupportsTiles extends OnlineStore {

  /** How one key's stored tile set changes. */
  @FunctionalInterface
  interface TileUpdate {
    /**
     * The key's next set. Called again with the newer set when another writer changed the key in
     * between, and for different keys from several threads at once, so it must depend on {@code
     * stored} (and the key) alone.
     *
     * @param index the key's position among those of the update
     * @param stored the stored set, or null
     * @return the set to store, null to delete it, or {@code stored} itself to leave it
     */
    byte[] next(int index, byte[] stored);
  }

  /**
   * Replaces each key's stored tile set by what {@code update} makes of it, atomically per key:
   * updates of one key by concurrent writers are never lost.
   *
   * @param entityKeys encoded entity keys, each at most once
   * @return how many stored sets were added, changed or deleted
   * @throws OnlineStoreException when the store cannot be written (or was opened read-only)
   */
  long updateTiles(String view, List<byte[]> entityKeys, TileUpdate update);

  /**
   * Merges tile sets into the stored ones with {@link TileSets#merge}: each written tile replaces
   * the stored tile of its bucket, tiles out of reach of the newest event are dropped, and a set
   * left without tiles is deleted. Merges of one key by concurrent writers are never lost.
   *
   * @param tileSets at most one per entity key
   * @return how many stored sets were added, changed or deleted
   * @throws OnlineStoreException when the store cannot be written (or was opened read-only)
   */
  default long mergeTiles(String view, List<Record> tileSets) {
    List<byte[]> keys = new ArrayList<>(tileSets.size());
    for (Record record : tileSets) {
      keys.add(record.entityKey());
    }
    return updateTiles(view, keys, (i, stored) -> TileSets.merge(stored, tileSets.get(i).value()));
  }

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
