package dev.quiver.registry.store;

import dev.quiver.registry.model.Definitions;
import java.util.List;

/**
 * Where a project's registered definitions live, as a sequence of versions. Implementations are
 * found by the {@code type} of {@code registry} in {@code feature_store.yaml}, through {@link
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

  /** Names this registry for people, e.g. {@code file data/registry.json}. */
  String description();

  @Override
  void close();
}
