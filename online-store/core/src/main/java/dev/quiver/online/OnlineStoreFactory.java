package dev.quiver.online;

import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import dev.quiver.registry.plugin.StoreKind;
import dev.quiver.registry.plugin.StoreType;
import java.util.Set;

/**
 * Opens one type of online store: a backend's entry point. Each backend's artifact lists its
 * factories in {@code META-INF/services/dev.quiver.registry.plugin.StoreType}, where {@link
 * OnlineStores} (to open stores) and the repo loader (to check {@code online_store} in {@code
 * feature_store.yaml}) both find them, so the options a factory declares as a {@link StoreType} are
 * the only declaration of its keys. What a store can do beyond the {@link OnlineStore} contract is
 * declared as {@link Capability capabilities}, which callers ask instead of testing type names.
 *
 * <p>An implementation needs a public no-argument constructor.
 */
public interface OnlineStoreFactory extends StoreType {

  /** What a type of store can do beyond the {@link OnlineStore} contract. */
  enum Capability {
    /**
     * Reads are answered inside this process, without a network round trip (RocksDB, memory): fast
     * enough for a server to answer them on its event loop.
     */
    IN_PROCESS_READS,
    /**
     * Several processes may open the store for writing at once, such as a CLI materialization while
     * a server runs (Redis). Without it, one process writes and others at most read.
     */
    SHARED_BETWEEN_PROCESSES,
    /**
     * Rows outlive the store that wrote them: a store opened later with the same configuration
     * reads them. A store without it (memory) starts empty each time it is opened, so anything kept
     * about its rows (materialization intervals) must not outlive it either.
     */
    DURABLE
  }

  @Override
  default StoreKind kind() {
    return StoreKind.ONLINE_STORE;
  }

  /** What every store of this type can do; the same for any configuration. */
  Set<Capability> capabilities();

  /**
   * Opens the store {@code config} describes for {@code project}'s rows.
   *
   * @param config {@code project.onlineStore()}, its keys already checked against the declared
   *     options
   * @param access read-only lets a process read a store that another process writes; types that are
   *     {@link Capability#SHARED_BETWEEN_PROCESSES shared} may ignore it
   * @throws OnlineStoreException when an option's value is invalid or the store cannot be opened
   */
  OnlineStore open(StoreConfig config, ProjectConfig project, OnlineStores.Access access);

  /**
   * Names where the store's rows live, as {@code <type>:<location>}, without opening it and without
   * credentials: two configurations with the same identity reach the same rows, and the identity
   * stays the same as long as the configuration points at the same place, so state kept about a
   * store's rows (which windows were materialized into it) can be keyed by it. Each factory
   * documents its location's form.
   *
   * @throws OnlineStoreException when an option's value is invalid
   */
  String identity(StoreConfig config, ProjectConfig project);
}
