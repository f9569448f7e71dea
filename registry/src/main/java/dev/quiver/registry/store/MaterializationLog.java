package dev.quiver.registry.store;

import dev.quiver.registry.model.TimeInterval;
import java.time.Instant;
import java.util.Map;

/**
 * What was materialized into one online store, per view: the windows copied there and the newest
 * event time written. It is run-time state kept beside a registry's definitions, never in them:
 * recording makes no registry version.
 *
 * <p>A log belongs to one online store, named by its identity (type and location, such as {@code
 * rocksdb:/srv/repo/data/online} or {@code redis:redis://cache:6379}): a repo switched to another
 * online store reads that store's log, which starts empty, so {@code materialize-incremental}
 * copies the data again instead of assuming it is there. Logs are had from {@link
 * RegistryStore#materializationLog} and are valid while that store is open; they are safe to use
 * from several threads, and from several processes at once.
 */
public interface MaterializationLog {

  /** The identity of the online store this log describes. */
  String onlineStore();

  /**
   * Per view, what was materialized so far: intervals and newest event time, read together. Views
   * never materialized into this store (or forgotten since) are absent.
   *
   * @throws RegistryException when the registry cannot be read
   */
  Map<String, MaterializationState> states();

  /**
   * Adds an interval to a view's materialized intervals, merging overlaps, and raises the view's
   * newest materialized event time to {@code newestEvent} if it is later. Concurrent records, from
   * this process or others, are all kept.
   *
   * @param newestEvent the newest event time among the rows written, or null when none were
   * @throws RegistryException when the registry cannot be written; nothing is recorded
   */
  void record(String view, TimeInterval interval, Instant newestEvent);

  /**
   * Forgets a view's intervals and newest event time, when its rows are deleted from this online
   * store.
   *
   * @throws RegistryException when the registry cannot be written
   */
  void forget(String view);

  /** Names this log for people, with its online store and registry. */
  String description();
}
