package dev.quiver.server.console;

import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.store.MaterializationState;
import dev.quiver.registry.store.RegistrySnapshot;
import dev.quiver.sdk.Freshness;
import dev.quiver.streaming.IngestionMetrics;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a console page shows, read once per request through the calls the HTTP API makes: the
 * registry snapshot, each online view's freshness ({@code GET /freshness}), the windows
 * materialized ({@code GET /api/v1/projects/{p}/materialized}) and, when this server ingests from
 * Kafka, ingestion's metrics.
 *
 * @param freshness by view name, online views only
 */
record ConsoleState(
    RegistrySnapshot snapshot,
    Instant now,
    Map<String, Freshness.ViewFreshness> freshness,
    Map<String, MaterializationState> materialized,
    Optional<IngestionMetrics> ingestion) {

  static ConsoleState of(
      RegistrySnapshot snapshot,
      Instant now,
      List<Freshness.ViewFreshness> freshness,
      Map<String, MaterializationState> materialized,
      Optional<IngestionMetrics> ingestion) {
    Map<String, Freshness.ViewFreshness> byView = new LinkedHashMap<>();
    for (Freshness.ViewFreshness view : freshness) {
      byView.put(view.view(), view);
    }
    return new ConsoleState(snapshot, now, byView, materialized, ingestion);
  }

  Definitions definitions() {
    return snapshot.definitions();
  }

  /** Starts a page of this project, at this registry version. */
  Page page(String title, String section) {
    return Page.start(title, section, snapshot.project(), snapshot.version());
  }

  /**
   * A view's freshness as a badge's class: {@code fresh}, {@code stale}, or {@code unknown} (no
   * goal, or not online).
   */
  String freshnessClass(String view) {
    Freshness.ViewFreshness f = freshness.get(view);
    if (f == null || f.fresh() == null) {
      return "unknown";
    }
    return f.fresh() ? "fresh" : "stale";
  }

  /** The badge of a view's freshness, carrying the view's name for tests. */
  String freshnessBadge(String view) {
    Freshness.ViewFreshness f = freshness.get(view);
    String css = freshnessClass(view);
    String text;
    if (f == null) {
      text = "offline only";
    } else if (f.goal() == null) {
      text = f.age() == null ? "no goal, never materialized" : "no goal, " + Page.age(f.age());
    } else if (f.newestEvent() == null) {
      text = "stale: nothing online";
    } else {
      text =
          (f.fresh() ? "fresh: " : "stale: ")
              + Page.age(f.age())
              + " old, goal "
              + dev.quiver.registry.model.DurationText.format(f.goal());
    }
    return "<span class=\"badge "
        + css
        + "\" data-freshness=\""
        + css
        + "\" data-view=\""
        + Page.escape(view)
        + "\">"
        + Page.escape(text)
        + "</span>";
  }
}
