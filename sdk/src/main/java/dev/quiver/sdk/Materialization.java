package dev.quiver.sdk;

import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.registry.model.TimeInterval;
import dev.quiver.registry.rules.ValidationReport;
import dev.quiver.registry.store.MaterializationState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The materialization role of a {@link FeatureStore}: copying the latest values from the offline
 * sources into the online store, and what was copied so far ({@link
 * FeatureStore#materialization()}).
 */
public interface Materialization {

  /**
   * Copies the latest values of source rows with {@code start <= ts <= end} into the online store,
   * for the named views (every online view when {@code views} is empty).
   *
   * @throws dev.quiver.registry.NoSuchObjectException for an unknown view
   * @throws dev.quiver.offline.SourceDataException when a source's files are missing or unreadable
   * @throws dev.quiver.online.OnlineStoreException when the online store cannot be written
   * @throws dev.quiver.offline.resources.MemoryLimitException when the process's memory limit
   *     leaves too little free
   */
  List<Materializer.ViewResult> materialize(
      Instant start, Instant end, List<String> views, MaterializationProgress progress);

  /**
   * Checks the source rows with {@code start <= ts <= end} of the named views (every view with
   * {@code expect} rules when empty) against their rules, as materializing that window would,
   * writing nothing.
   *
   * @throws dev.quiver.registry.NoSuchObjectException for an unknown view
   * @throws dev.quiver.registry.InvalidRequestException for a view without rules
   * @throws UnsupportedOperationException for a remote store: validate where the repo is
   */
  List<ValidationReport> validate(Instant start, Instant end, List<String> views);

  /** Materializes each view from where its last materialization ended up to {@code end}. */
  List<Materializer.ViewResult> materializeIncremental(
      Instant end, List<String> views, MaterializationProgress progress);

  /**
   * Per view, what was materialized into the online store so far, read at once: the windows
   * (merged, oldest first) and the newest event time written (its online rows are at most this
   * fresh; null when no window held a row). Views never materialized into this online store are
   * absent: each online store has its own log, so a repo switched to another store starts empty.
   *
   * @throws dev.quiver.registry.store.RegistryException when the registry cannot be read
   */
  Map<String, MaterializationState> materializationStates();

  /** Per view, the windows materialized into the online store so far, merged, oldest first. */
  default Map<String, List<TimeInterval>> materializedIntervals() {
    Map<String, List<TimeInterval>> intervals = new TreeMap<>();
    materializationStates().forEach((view, state) -> intervals.put(view, state.intervals()));
    return intervals;
  }

  /**
   * Per view, the newest event time materialized into the online store so far: its online rows are
   * at most this fresh. Views with nothing materialized, or no row yet, are absent.
   */
  default Map<String, Instant> newestMaterializedEvents() {
    Map<String, Instant> newest = new TreeMap<>();
    materializationStates()
        .forEach(
            (view, state) -> {
              if (state.newestEvent() != null) {
                newest.put(view, state.newestEvent());
              }
            });
    return newest;
  }
}
