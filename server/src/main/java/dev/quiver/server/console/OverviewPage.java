package dev.quiver.server.console;

import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.store.HistoryEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code /ui}: the project at a glance. Counts, the last apply (who, when, from which Git commit,
 * what changed), then every feature view and feature service by name, a hundred a page, narrowed by
 * a search on names ({@code ?q=}).
 */
final class OverviewPage {

  private OverviewPage() {}

  /** One row of the views' table: a feature view or an on-demand view. */
  private record ViewRow(String name, String kind, String href, String keys, int features) {}

  static String render(
      ConsoleState state, List<HistoryEntry> history, String query, int viewPage, int servicePage) {
    Definitions d = state.definitions();
    Page page = state.page("Overview", "/ui");
    page.heading("project", state.snapshot().project());
    page.raw("<p class=\"sub\">Registry version ")
        .text(Long.toString(state.snapshot().version()))
        .raw(" &middot; checked ")
        .text(Page.instant(state.now()))
        .raw("</p>");
    long stale =
        state.freshness().keySet().stream()
            .filter(v -> state.freshnessClass(v).equals("stale"))
            .count();
    page.raw("<div class=\"cards\">");
    card(page, d.entities().size(), "entities", "");
    card(page, d.sources().size() + d.streamSources().size(), "sources", "");
    card(page, d.featureViews().size(), "feature views", "");
    card(page, d.onDemandFeatureViews().size(), "on-demand views", "");
    card(page, d.featureServices().size(), "feature services", "");
    card(page, stale, "views past their freshness goal", stale > 0 ? "bad" : "good");
    page.raw("</div>");
    lastApply(page, history);

    page.raw("<form class=\"search\" method=\"get\" action=\"/ui\">")
        .raw("<input type=\"search\" name=\"q\" placeholder=\"Search by name\" value=\"")
        .text(query == null ? "" : query)
        .raw("\"><button type=\"submit\">Search</button></form>");

    List<ViewRow> views = new ArrayList<>();
    for (FeatureView view : d.featureViews()) {
      String kind =
          view.isAggregation()
              ? "aggregation"
              : d.streamSourceOf(view).isPresent() ? "stream" : "plain";
      views.add(
          new ViewRow(
              view.name(),
              kind,
              "/ui/views/" + Page.segment(view.name()),
              String.join(", ", view.entities()),
              view.features().size()));
    }
    for (OnDemandFeatureView view : d.onDemandFeatureViews()) {
      views.add(
          new ViewRow(
              view.name(),
              "on-demand",
              "/ui/on-demand-views/" + Page.segment(view.name()),
              "inputs: " + String.join(", ", view.inputs()),
              view.features().size()));
    }
    views.sort(Comparator.comparing(ViewRow::name).thenComparing(ViewRow::kind));
    List<ViewRow> shownViews = matching(views, ViewRow::name, query);
    List<FeatureService> services = matching(d.featureServices(), FeatureService::name, query);
    Paging viewPaging = Paging.of(shownViews.size(), viewPage);
    Paging servicePaging = Paging.of(services.size(), servicePage);
    page.raw("<section class=\"panel\" id=\"views\"><h2>Feature views</h2>");
    table(
        page,
        viewPaging.rows(shownViews),
        "<tr><th>name</th><th>kind</th><th>keys or inputs</th><th class=\"num\">features</th>"
            + "<th>freshness</th></tr>",
        row ->
            page.raw("<tr data-row=\"view\"><td>")
                .codeLink(row.href(), row.name())
                .raw("</td><td>")
                .text(row.kind())
                .raw("</td><td>")
                .text(row.keys())
                .raw("</td><td class=\"num\">")
                .text(Integer.toString(row.features()))
                .raw("</td><td>")
                .raw(row.kind().equals("on-demand") ? "" : state.freshnessBadge(row.name()))
                .raw("</td></tr>"));
    pager(page, viewPaging, query, "vpage", servicePaging, "spage", "views");
    page.raw("</section>");

    page.raw("<section class=\"panel\" id=\"services\"><h2>Feature services</h2>");
    table(
        page,
        servicePaging.rows(services),
        "<tr><th>name</th><th class=\"num\">view references</th><th>logging</th>"
            + "<th>description</th></tr>",
        service ->
            page.raw("<tr data-row=\"service\"><td>")
                .codeLink("/ui/services/" + Page.segment(service.name()), service.name())
                .raw("</td><td class=\"num\">")
                .text(Integer.toString(service.features().size()))
                .raw("</td><td>")
                .text(
                    service.logging() == null
                        ? "off"
                        : "sample rate " + service.logging().sampleRate())
                .raw("</td><td>")
                .text(service.description() == null ? "" : service.description())
                .raw("</td></tr>"));
    pager(page, servicePaging, query, "spage", viewPaging, "vpage", "services");
    page.raw("</section>");

    page.raw("<div class=\"cols\"><section class=\"panel\"><h2>Entities</h2>");
    pills(
        page,
        matching(d.entities(), e -> e.name(), query).stream()
            .map(e -> new String[] {"/ui/entities/" + Page.segment(e.name()), e.name()})
            .toList());
    page.raw("</section><section class=\"panel\"><h2>Sources</h2>");
    List<String[]> sources = new ArrayList<>();
    matching(d.sources(), s -> s.name(), query)
        .forEach(
            s -> sources.add(new String[] {"/ui/sources/" + Page.segment(s.name()), s.name()}));
    matching(d.streamSources(), s -> s.name(), query)
        .forEach(
            s ->
                sources.add(
                    new String[] {
                      "/ui/sources/" + Page.segment(s.name()), s.name() + " (stream)"
                    }));
    pills(page, sources);
    page.raw("</section></div>");
    return page.finish();
  }

  private static void lastApply(Page page, List<HistoryEntry> history) {
    page.raw("<section class=\"panel\"><h2>Last apply</h2>");
    if (history.isEmpty()) {
      page.note("Nothing applied yet: run quiver apply in the repo.").raw("</section>");
      return;
    }
    HistoryEntry last = history.get(history.size() - 1);
    page.raw("<dl class=\"meta\"><dt>version</dt><dd data-last-version>")
        .text(Long.toString(last.version()))
        .raw("</dd><dt>committed</dt><dd>")
        .text(Page.instant(last.committedAt()))
        .raw("</dd><dt>by</dt><dd data-last-user>")
        .text(last.user())
        .raw("</dd><dt>git commit</dt><dd><code data-last-commit>")
        .text(last.gitCommit() == null ? "not a Git checkout" : last.gitCommit())
        .raw("</code></dd><dt>changes</dt><dd>");
    HistoryPage.changes(page, last, 8);
    page.raw("</dd></dl><p class=\"note\">")
        .link("/ui/history", "Every version (" + history.size() + ")")
        .raw("</p></section>");
  }

  private static void card(Page page, long value, String label, String css) {
    page.raw("<div class=\"card ")
        .raw(css)
        .raw("\"><div class=\"value\">")
        .text(String.format(Locale.ROOT, "%,d", value))
        .raw("</div><div class=\"label\">")
        .text(label)
        .raw("</div></div>");
  }

  /** The items whose name contains {@code query}, ignoring case and surrounding blanks. */
  static <T> List<T> matching(List<T> items, Function<T, String> name, String query) {
    if (query == null || query.isBlank()) {
      return items;
    }
    String needle = query.strip().toLowerCase(Locale.ROOT);
    return items.stream()
        .filter(item -> name.apply(item).toLowerCase(Locale.ROOT).contains(needle))
        .toList();
  }

  private static <T> void table(Page page, List<T> rows, String header, Consumer<T> row) {
    if (rows.isEmpty()) {
      page.note("None.");
      return;
    }
    page.raw("<table>").raw(header);
    rows.forEach(row);
    page.raw("</table>");
  }

  /** Links to the previous and next pages of one list, keeping the other list's page. */
  private static void pager(
      Page page,
      Paging paging,
      String query,
      String param,
      Paging other,
      String otherParam,
      String anchor) {
    String href =
        "/ui?"
            + (query == null || query.isBlank() ? "" : "q=" + Page.segment(query) + "&")
            + otherParam
            + "="
            + other.current()
            + "&"
            + param
            + "=";
    String position =
        String.format(
            Locale.ROOT,
            "%,d\u2013%,d of %,d",
            paging.first() + 1,
            Math.min(paging.total(), paging.first() + Paging.SIZE),
            paging.total());
    paging.links(page, anchor, href, "#" + anchor, "\u2190 previous", position, "next \u2192");
  }

  private static void pills(Page page, List<String[]> links) {
    if (links.isEmpty()) {
      page.note("None.");
      return;
    }
    for (String[] link : links.subList(0, Math.min(links.size(), Paging.SIZE))) {
      page.raw("<span class=\"pill\">").link(link[0], link[1]).raw("</span>");
    }
    if (links.size() > Paging.SIZE) {
      page.note((links.size() - Paging.SIZE) + " more: search by name to narrow them.");
    }
  }
}
