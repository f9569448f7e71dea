package dev.quiver.registry.store;

import dev.quiver.registry.model.TimeInterval;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a materialization log knows of one view: the windows materialized into its online store, and
 * the newest event time among the rows written there.
 *
 * @param intervals the windows materialized, merged, oldest first; never empty
 * @param newestEvent the newest event time ever materialized, or null when no window held a row yet
 */
public record MaterializationState(List<TimeInterval> intervals, Instant newestEvent) {

  public MaterializationState {
    intervals = List.copyOf(intervals);
    if (intervals.isEmpty()) {
      throw new IllegalArgumentException("a materialized view has at least one interval");
    }
  }

  /** The state of a view materialized once, over {@code interval}. */
  public static MaterializationState of(TimeInterval interval, Instant newestEvent) {
    return new MaterializationState(List.of(interval), newestEvent);
  }

  /**
   * This state after one more window: {@code interval} merged into the intervals, and the newest
   * event raised to {@code newestEvent} when that is later (it never falls).
   *
   * @param newestEvent the newest event time among the rows written, or null when none were
   */
  public MaterializationState with(TimeInterval interval, Instant newestEvent) {
    List<TimeInterval> all = new ArrayList<>(intervals);
    all.add(interval);
    Instant newest =
        this.newestEvent == null || (newestEvent != null && newestEvent.isAfter(this.newestEvent))
            ? newestEvent
            : this.newestEvent;
    return new MaterializationState(TimeInterval.merge(all), newest);
  }

  /**
   * Where an incremental run goes on from: the end of the latest interval (intervals are merged, so
   * that is the last one).
   */
  public Instant materializedUpTo() {
    return intervals.get(intervals.size() - 1).end();
  }
}
