package dev.quiver.sdk;

import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.store.MaterializationState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * How fresh each online view is: its newest event materialized into the online store, how old that
 * is now, and whether it meets the view's {@code freshness:} goal. One computation for the server's
 * {@code GET /freshness}, its metrics and anything else that reports freshness.
 */
public final class Freshness {

  private Freshness() {}

  /**
   * One view's freshness.
   *
   * @param goal the view's {@code freshness:}, or null when it sets none
   * @param newestEvent the newest event materialized, or null when none is known
   * @param age now minus {@code newestEvent} (zero for an event dated after now), or null
   * @param fresh whether {@code age <= goal}; false when no event is known; null without a goal
   */
  public record ViewFreshness(
      String view, Duration goal, Instant newestEvent, Duration age, Boolean fresh) {}

  /** Every online feature view's freshness at {@code now}, by view name. */
  public static List<ViewFreshness> of(
      Definitions definitions, Map<String, MaterializationState> states, Instant now) {
    return of(definitions, states, Map.of(), now);
  }

  /**
   * As {@link #of(Definitions, Map, Instant)}, a view's newest event being the later of the one
   * materialized and the one {@code ingested} wrote (streaming ingestion in this process).
   */
  public static List<ViewFreshness> of(
      Definitions definitions,
      Map<String, MaterializationState> states,
      Map<String, Instant> ingested,
      Instant now) {
    List<ViewFreshness> views = new ArrayList<>();
    for (FeatureView view : definitions.featureViews()) {
      if (!view.online()) {
        continue;
      }
      MaterializationState state = states.get(view.name());
      Instant newest = state == null ? null : state.newestEvent();
      Instant streamed = ingested.get(view.name());
      if (streamed != null && (newest == null || streamed.isAfter(newest))) {
        newest = streamed;
      }
      Duration age = null;
      if (newest != null) {
        age = newest.isAfter(now) ? Duration.ZERO : Duration.between(newest, now);
      }
      Duration goal = view.freshness();
      Boolean fresh = goal == null ? null : age != null && age.compareTo(goal) <= 0;
      views.add(new ViewFreshness(view.name(), goal, newest, age, fresh));
    }
    views.sort(Comparator.comparing(ViewFreshness::view));
    return views;
  }
}
