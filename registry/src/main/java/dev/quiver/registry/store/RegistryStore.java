package dev.quiver.registry.store;

import dev.quiver.registry.model.Definitions;
import java.util.List;
import java.util.Optional;

/**
 * Where a project's registered definitions live, as a sequence of versions with their history.
 * Run-time state (what was materialized into each online store) lives beside them, in the {@link
 * MaterializationLog}s this store hands out, and never makes a version. Implementations are found
 * by the {@code type} of {@code registry} in {@code feature_store.yaml}, through {@link
 * RegistryStores}.
 */
public interface RegistryStore extends AutoCloseable {

  /**
   * The latest version. A registry nothing was committed to is at version 0 with no definitions.
   *
   * @throws RegistryException when the registry cannot be read, or belongs to another project
   */
  RegistrySnapshot load();

  /**
   * The latest version number alone, without reading the definitions: what polling for a new {@code
   * quiver apply} needs. 0 when nothing was committed.
   *
   * @throws RegistryException when the registry cannot be read, or belongs to another project
   */
  default long version() {
    return load().version();
  }

  /**
   * Commits {@code definitions} as version {@code expectedVersion + 1}, atomically, if and only if
   * the registry is still at {@code expectedVersion}.
   *
   * @return the history entry of the new version
   * @throws RegistryConflictException when another commit got there first; nothing is written
   * @throws RegistryException when the registry cannot be written; nothing is written
   */
  HistoryEntry commit(long expectedVersion, Definitions definitions, CommitInfo info);

  /** Every committed version, oldest first. */
  List<HistoryEntry> history();

  /**
   * The definitions committed as {@code version}, which is what {@code quiver registry rollback}
   * restores. Empty when there is no such version, or when it was committed by a Quiver that kept
   * only the latest version's definitions (before rollback existed); the latest version's are
   * always there.
   *
   * @throws RegistryException when the registry cannot be read
   */
  Optional<Definitions> definitionsAt(long version);

  /**
   * The materialization log of the online store whose identity is {@code onlineStore}, kept beside
   * this registry's definitions (it never makes a registry version). Each online store has its own
   * log; one never materialized into has an empty one. The log shares this store's resources and is
   * valid until this store is closed.
   *
   * @param onlineStore the online store's identity: its type and location, without credentials
   */
  MaterializationLog materializationLog(String onlineStore);

  /** Names this registry for people, e.g. {@code file data/registry.json}. */
  String description();

  /** Releases what the store holds (a PostgreSQL store's connection pool), and its logs with it. */
  @Override
  void close();
}
