package dev.quiver.sdk;

import dev.quiver.online.OnlineStore;

/**
 * A store that lets another writer in this process use its online store: stream ingestion in the
 * server writes to the store its lookups read, which a second open could not do (RocksDB holds a
 * lock per process, a {@code memory} store is a store per open). The embedded store has this
 * ability; a remote one has no online store to share. Check with {@code instanceof}.
 */
public interface SharesOnlineStore {

  /**
   * The online store, opened on first use; it stays this store's, closed with it, so a writer using
   * it must stop before the store closes.
   *
   * @throws dev.quiver.online.OnlineStoreException when it cannot be opened
   */
  OnlineStore onlineStore();
}
