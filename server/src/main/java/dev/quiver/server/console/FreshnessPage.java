package dev.quiver.server.console;

import dev.quiver.registry.model.DurationText;
import dev.quiver.registry.store.MaterializationState;
import dev.quiver.sdk.Freshness;
import dev.quiver.streaming.IngestionMetrics;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code /ui/freshness}: each online view against its {@code freshness:} goal, views past their
 * goal first, with its materialized windows on a time axis; and, when this server ingests from
 * Kafka, ingestion's lag per partition and its delay from event to online. A hundred views a page.
 */
final class FreshnessPage {

  private FreshnessPage() {}

  static String render(ConsoleState state, int pageNumber) {
    Page page = state.page("Freshness", "/ui/freshness");
    page.heading("monitoring", "Freshness");
    page.raw("<p class=\"sub\">Each online view's newest event online (materialized, or ingested")
        .raw(" by this server) against its <code>freshness:</code> goal, as")
        .raw(" <code>GET /freshness</code> reports it, at ")
        .text(Page.instant(state.now()))
        .raw(".</p>");
    ingestion(page, state);
    List<Freshness.ViewFreshness> views = new ArrayList<>(state.freshness().values());
    // Past their goal first, then the rest; by name within each.
    views.sort(
        Comparator.comparing(
                (Freshness.ViewFreshness v) -> !"stale".equals(state.freshnessClass(v.view())))
            .thenComparing(Freshness.ViewFreshness::view));
    if (views.isEmpty()) {
      page.note("No online feature view is registered.");
      return page.finish();
    }
    Paging paging = Paging.of(views.size(), pageNumber);
    page.raw("<section class=\"panel\"><table><tr><th>view</th><th>goal</th>")
        .raw("<th>newest event</th><th class=\"num\">age</th><th>state</th>")
        .raw("<th style=\"width:46%\">materialized windows</th></tr>");
    for (Freshness.ViewFreshness view : paging.rows(views)) {
      MaterializationState materialized = state.materialized().get(view.view());
      page.raw("<tr data-row=\"freshness\"><td>")
          .codeLink("/ui/views/" + Page.segment(view.view()), view.view())
          .raw("</td><td>")
          .text(view.goal() == null ? "none" : DurationText.format(view.goal()))
          .raw("</td><td>")
          .text(Page.instant(view.newestEvent()))
          .raw("</td><td class=\"num\">")
          .text(view.age() == null ? "\u2013" : Page.age(view.age()))
          .raw("</td><td>")
          .raw(state.freshnessBadge(view.view()))
          .raw("</td><td>");
      if (materialized == null || materialized.intervals().isEmpty()) {
        page.raw("<span class=\"note\">never materialized</span>");
      } else {
        page.raw(
            Timeline.svg(
                view.view(), materialized.intervals(), materialized.newestEvent(), state.now()));
      }
      page.raw("</td></tr>");
    }
    page.raw("</table>");
    paging.links(
        page,
        "freshness",
        "/ui/freshness?page=",
        "",
        "\u2190 previous",
        "page " + paging.current() + " of " + paging.pages(),
        "next \u2192");
    page.raw("</section>");
    return page.finish();
  }

  private static void ingestion(Page page, ConsoleState state) {
    page.raw("<section class=\"panel\"><h2>Stream ingestion</h2>");
    if (state.ingestion().isEmpty()) {
      boolean streams = !state.definitions().streamSources().isEmpty();
      page.note(
          streams
              ? "This server does not ingest from Kafka: start it with quiver serve --ingest to"
                  + " see the lag here (quiver ingest runs it on its own)."
              : "The project has no stream source.");
      page.raw("</section>");
      return;
    }
    IngestionMetrics metrics = state.ingestion().get();
    IngestionMetrics.Status status = metrics.status();
    page.raw("<div class=\"cards\">");
    card(page, String.format(Locale.ROOT, "%,d", metrics.lag()), "messages behind (lag)");
    card(page, String.format(Locale.ROOT, "%,d", metrics.ingested()), "events ingested");
    card(
        page,
        String.format(Locale.ROOT, "%.0f ms", metrics.delayMillis(50)),
        "event to online, p50");
    card(
        page,
        String.format(Locale.ROOT, "%.0f ms", metrics.delayMillis(99)),
        "event to online, p99");
    card(page, String.format(Locale.ROOT, "%,d", metrics.deadLetters()), "dead letters");
    page.raw("</div><p>")
        .raw(
            status.healthy()
                ? "<span class=\"badge fresh\">running</span> "
                : "<span class=\"badge stale\">failing</span> ")
        .text(status.detail() == null ? "" : status.detail())
        .raw("</p><table><tr><th>partition</th><th class=\"num\">lag (messages)</th></tr>");
    for (Map.Entry<String, Long> partition : metrics.lagByPartition().entrySet()) {
      page.raw("<tr><td><code>")
          .text(partition.getKey())
          .raw("</code></td><td class=\"num\">")
          .text(String.format(Locale.ROOT, "%,d", partition.getValue()))
          .raw("</td></tr>");
    }
    page.raw("</table></section>");
  }

  private static void card(Page page, String value, String label) {
    page.raw("<div class=\"card\"><div class=\"value\">")
        .text(value)
        .raw("</div><div class=\"label\">")
        .text(label)
        .raw("</div></div>");
  }
}
