package dev.quiver.registry.store;

import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.TimeInterval;
import java.time.Instant;
import java.util.List;
import java.util.Map;

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
   * The intervals materialized into the online store, per view, merged. This is run-time state kept
   * beside the definitions: it never makes a new registry version.
   */
  Map<String, List<TimeInterval>> materializedIntervals();

  /**
   * Adds an interval to a view's materialized intervals, merging overlaps, and raises the view's
   * newest materialized event time to {@code newestEvent} if it is later.
   *
   * @param newestEvent the newest event time among the rows written, or null when none were
   */
  void recordMaterialized(String view, TimeInterval interval, Instant newestEvent);

  /**
   * Per view, the newest event time ever materialized into the online store: how fresh its online
   * rows are. Views with no row materialized yet are absent.
   */
  Map<String, Instant> newestMaterializedEvents();

  /** Forgets a view's intervals and newest event time, when its online data is deleted. */
  void forgetMaterialized(String view);

  /** Names this registry for people, e.g. {@code file data/registry.json}. */
  String description();

  @Override
  void close();
}
