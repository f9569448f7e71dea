package dev.quiver.server.console;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /ui/lineage}: the project's lineage graph, whole, or around one object ({@code
 * ?focus=view:driver_hourly_stats}). A graph too large to read whole asks for an object to centre
 * on, with a search among the objects' names.
 */
final class LineagePage {

  /** The largest graph drawn whole. */
  static final int MAX_NODES = 400;

  private LineagePage() {}

  static String render(ConsoleState state, String focus, String query) {
    LineageGraph whole = LineageGraph.of(state.definitions());
    Page page = state.page("Lineage", "/ui/lineage");
    page.heading("lineage", focus == null ? "Sources \u2192 views \u2192 services" : focus);
    page.raw("<p class=\"sub\">Parquet and stream sources feed feature views, views and request")
        .raw(" data feed on-demand views, and feature services serve them. A dot on a view is")
        .raw(" its freshness against its goal. Click a node to open its page.</p>");
    page.raw("<form class=\"search\" method=\"get\" action=\"/ui/lineage\">")
        .raw("<input type=\"search\" name=\"q\" placeholder=\"Centre on an object: name\" value=\"")
        .text(query == null ? "" : query)
        .raw("\"><button type=\"submit\">Find</button></form>");
    if (query != null && !query.isBlank()) {
      List<LineageGraph.Node> found =
          OverviewPage.matching(List.copyOf(whole.nodes().values()), LineageGraph.Node::name, query)
              .stream()
              .limit(Paging.SIZE)
              .toList();
      page.raw("<section class=\"panel\"><h2>Matching objects</h2>");
      if (found.isEmpty()) {
        page.note("No object's name contains '" + query + "'.");
      }
      for (LineageGraph.Node node : found) {
        page.raw("<span class=\"pill\">")
            .link(
                "/ui/lineage?focus=" + Page.segment(node.id()),
                node.kind().label + " " + node.name())
            .raw("</span>");
      }
      page.raw("</section>");
    }
    LineageGraph shown = whole;
    if (focus != null) {
      if (!whole.nodes().containsKey(focus)) {
        page.raw("<p class=\"error\">There is no object '")
            .text(focus)
            .raw("' in the graph: pick one below.</p>");
        focus = null;
      } else {
        shown = whole.around(focus);
      }
    }
    page.raw("<section class=\"panel\"><div class=\"legend\">")
        .raw("<span class=\"source\">parquet source</span>")
        .raw("<span class=\"stream\">stream source</span>")
        .raw("<span class=\"view\">feature view</span>")
        .raw("<span class=\"request\">request data</span>")
        .raw("<span class=\"odfv\">on-demand view</span>")
        .raw("<span class=\"service\">feature service</span></div>");
    if (focus == null && shown.nodes().size() > MAX_NODES) {
      page.note(
          "The project has "
              + shown.nodes().size()
              + " objects in its lineage, more than a graph shows readably: find one above to"
              + " see what feeds it and what it feeds.");
    } else {
      page.raw("<div class=\"lineage\">").raw(shown.svg(focus, viewStates(state))).raw("</div>");
      page.raw("<p class=\"note\">")
          .text(shown.nodes().size() + " nodes, " + shown.edges().size() + " edges")
          .raw(focus == null ? "" : " &middot; <a href=\"/ui/lineage\">the whole graph</a>")
          .raw("</p>");
    }
    page.raw("</section>");
    return page.finish();
  }

  /** Each view with a freshness goal: {@code fresh} or {@code stale}, for the dots on views. */
  static Map<String, String> viewStates(ConsoleState state) {
    Map<String, String> states = new HashMap<>();
    for (String view : state.freshness().keySet()) {
      String css = state.freshnessClass(view);
      if (!css.equals("unknown")) {
        states.put(view, css);
      }
    }
    return states;
  }
}
