package dev.quiver.server.console;

import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureReference;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KafkaSource;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.model.ParquetSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What feeds what in a project: Parquet sources into the stream sources they back and into feature
 * views, stream sources into views, views and request data into on-demand views, views and
 * on-demand views into feature services. Laid out in columns by kind, left to right in the order
 * data flows, each column ordered to keep edges short (a few sweeps of the barycenter heuristic),
 * and drawn as SVG with the objects' names on the nodes.
 */
final class LineageGraph {

  /** A node's kind: its column, its class in the page and its label. */
  enum Kind {
    SOURCE(0, "source", "parquet source", "sources"),
    STREAM(1, "stream", "stream source", "sources"),
    VIEW(2, "view", "feature view", "views"),
    REQUEST(2, "request", "request data", null),
    ODFV(3, "odfv", "on-demand view", "on-demand-views"),
    SERVICE(4, "service", "feature service", "services");

    final int column;
    final String css;
    final String label;

    /** The console path of this kind's pages, or null when it has none. */
    final String path;

    Kind(int column, String css, String label, String path) {
      this.column = column;
      this.css = css;
      this.label = label;
      this.path = path;
    }
  }

  /**
   * A node.
   *
   * @param id unique across kinds: {@code kind:name}
   * @param name the object's name (for request data, the on-demand view's)
   * @param caption the text on the node
   */
  record Node(String id, Kind kind, String name, String caption) {}

  /** An edge from {@code from} to {@code to}; a batch edge joins a stream to its batch source. */
  record Edge(String from, String to, boolean batch) {}

  private static final int NODE_WIDTH = 210;
  private static final int NODE_HEIGHT = 40;
  private static final int COLUMN_GAP = 80;
  private static final int ROW_GAP = 14;
  private static final int MARGIN = 12;

  private final Map<String, Node> nodes;
  private final List<Edge> edges;

  private LineageGraph(Map<String, Node> nodes, List<Edge> edges) {
    this.nodes = nodes;
    this.edges = edges;
  }

  /** The whole project's graph. */
  static LineageGraph of(Definitions definitions) {
    Map<String, Node> nodes = new LinkedHashMap<>();
    Set<Edge> edges = new LinkedHashSet<>();
    for (ParquetSource source : definitions.sources()) {
      add(nodes, Kind.SOURCE, source.name(), source.name());
    }
    for (KafkaSource stream : definitions.streamSources()) {
      Node node = add(nodes, Kind.STREAM, stream.name(), stream.name());
      if (stream.batchSource() != null) {
        Node batch = add(nodes, Kind.SOURCE, stream.batchSource(), stream.batchSource());
        edges.add(new Edge(batch.id(), node.id(), true));
      }
    }
    for (FeatureView view : definitions.featureViews()) {
      Node node = add(nodes, Kind.VIEW, view.name(), view.name());
      Kind kind = definitions.streamSource(view.source()).isPresent() ? Kind.STREAM : Kind.SOURCE;
      Node source = add(nodes, kind, view.source(), view.source());
      edges.add(new Edge(source.id(), node.id(), false));
    }
    for (OnDemandFeatureView view : definitions.onDemandFeatureViews()) {
      Node node = add(nodes, Kind.ODFV, view.name(), view.name());
      for (String input : view.inputs()) {
        edges.add(new Edge(add(nodes, Kind.VIEW, input, input).id(), node.id(), false));
      }
      if (!view.request().isEmpty()) {
        String fields = String.join(", ", view.request().stream().map(Feature::name).toList());
        Node request = add(nodes, Kind.REQUEST, view.name(), "request: " + fields);
        edges.add(new Edge(request.id(), node.id(), false));
      }
    }
    for (FeatureService service : definitions.featureServices()) {
      Node node = add(nodes, Kind.SERVICE, service.name(), service.name());
      for (FeatureReference reference : service.features()) {
        Kind kind =
            definitions.onDemandFeatureView(reference.view()).isPresent() ? Kind.ODFV : Kind.VIEW;
        Node view = add(nodes, kind, reference.view(), reference.view());
        edges.add(new Edge(view.id(), node.id(), false));
      }
    }
    return new LineageGraph(nodes, List.copyOf(edges));
  }

  private static Node add(Map<String, Node> nodes, Kind kind, String name, String caption) {
    return nodes.computeIfAbsent(id(kind, name), id -> new Node(id, kind, name, caption));
  }

  static String id(Kind kind, String name) {
    return kind.css + ":" + name;
  }

  Map<String, Node> nodes() {
    return nodes;
  }

  List<Edge> edges() {
    return edges;
  }

  /**
   * The part of this graph connected to {@code id} upstream and downstream: what feeds it and what
   * it feeds, transitively (not the siblings of what it feeds).
   */
  LineageGraph around(String id) {
    Set<String> kept = new LinkedHashSet<>();
    kept.add(id);
    walk(id, true, kept);
    walk(id, false, kept);
    Map<String, Node> keptNodes = new LinkedHashMap<>();
    nodes.forEach(
        (nodeId, node) -> {
          if (kept.contains(nodeId)) {
            keptNodes.put(nodeId, node);
          }
        });
    List<Edge> keptEdges =
        edges.stream().filter(e -> kept.contains(e.from()) && kept.contains(e.to())).toList();
    return new LineageGraph(keptNodes, keptEdges);
  }

  private void walk(String start, boolean downstream, Set<String> seen) {
    Deque<String> queue = new ArrayDeque<>(List.of(start));
    while (!queue.isEmpty()) {
      String at = queue.poll();
      for (Edge edge : edges) {
        String near = downstream ? edge.from() : edge.to();
        String next = downstream ? edge.to() : edge.from();
        if (near.equals(at) && seen.add(next)) {
          queue.add(next);
        }
      }
    }
  }

  /** The graph as an SVG element; {@code focus} (a node id, or null) is drawn stronger. */
  String svg(String focus, Map<String, String> viewStates) {
    Layout layout = layout();
    StringBuilder svg = new StringBuilder(512 + 400 * nodes.size());
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg id=\"lineage\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"lineage graph\">\n",
            layout.width(),
            layout.height(),
            layout.width(),
            layout.height()));
    svg.append(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\""
            + " markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\""
            + " fill=\"#94a3b8\"/></marker></defs>\n");
    for (Edge edge : edges) {
      svg.append("<path class=\"edge")
          .append(edge.batch() ? " batch" : "")
          .append("\" data-from=\"")
          .append(Page.escape(edge.from()))
          .append("\" data-to=\"")
          .append(Page.escape(edge.to()))
          .append("\" marker-end=\"url(#arrow)\" d=\"")
          .append(path(layout, edge))
          .append("\"/>\n");
    }
    for (Node node : nodes.values()) {
      double[] xy = layout.at().get(node.id());
      String href =
          node.kind().path == null
              ? null
              : "/ui/" + node.kind().path + "/" + Page.segment(node.name());
      if (href != null) {
        svg.append("<a href=\"").append(Page.escape(href)).append("\">");
      }
      svg.append("<g class=\"node ")
          .append(node.kind().css)
          .append(node.id().equals(focus) ? " focus" : "")
          .append("\" data-id=\"")
          .append(Page.escape(node.id()))
          .append("\" data-kind=\"")
          .append(node.kind().css)
          .append("\" data-name=\"")
          .append(Page.escape(node.name()))
          .append(
              String.format(Locale.ROOT, "\" transform=\"translate(%.1f %.1f)\">", xy[0], xy[1]));
      svg.append("<title>")
          .append(Page.escape(node.kind().label + " " + node.caption()))
          .append("</title>");
      svg.append(
          String.format(
              Locale.ROOT, "<rect width=\"%d\" height=\"%d\" rx=\"8\"/>", NODE_WIDTH, NODE_HEIGHT));
      svg.append("<text class=\"k\" x=\"10\" y=\"14\">")
          .append(node.kind().label.toUpperCase(Locale.ROOT))
          .append("</text><text class=\"n\" x=\"10\" y=\"31\">")
          .append(Page.escape(shorten(node.caption())))
          .append("</text>");
      String state = node.kind() == Kind.VIEW ? viewStates.get(node.name()) : null;
      if (state != null) {
        svg.append(
            String.format(
                Locale.ROOT,
                "<circle class=\"dot %s\" cx=\"%d\" cy=\"12\" r=\"4.5\"/>",
                state,
                NODE_WIDTH - 12));
      }
      svg.append("</g>");
      if (href != null) {
        svg.append("</a>");
      }
      svg.append('\n');
    }
    svg.append("</svg>");
    return svg.toString();
  }

  /**
   * An edge's path: from its source's right side to its target's left side, straight across each
   * column it passes (at its waypoint's height there), curving between columns.
   */
  private static String path(Layout layout, Edge edge) {
    double[] from = layout.at().get(edge.from());
    double[] to = layout.at().get(edge.to());
    List<double[]> points = new ArrayList<>();
    points.add(new double[] {from[0] + NODE_WIDTH, from[1] + NODE_HEIGHT / 2.0});
    for (String waypoint : layout.waypoints().getOrDefault(edge, List.of())) {
      double[] xy = layout.at().get(waypoint);
      points.add(new double[] {xy[0], xy[1]});
      points.add(new double[] {xy[0] + NODE_WIDTH, xy[1]});
    }
    points.add(new double[] {to[0] - 2, to[1] + NODE_HEIGHT / 2.0});
    StringBuilder d = new StringBuilder();
    d.append(String.format(Locale.ROOT, "M%.1f %.1f", points.get(0)[0], points.get(0)[1]));
    for (int i = 1; i < points.size(); i++) {
      double[] a = points.get(i - 1);
      double[] b = points.get(i);
      if (i % 2 == 0) {
        // Across a column the edge passes: straight.
        d.append(String.format(Locale.ROOT, " L%.1f %.1f", b[0], b[1]));
      } else {
        double bend = Math.max(20, (b[0] - a[0]) / 2);
        d.append(
            String.format(
                Locale.ROOT,
                " C%.1f %.1f %.1f %.1f %.1f %.1f",
                a[0] + bend,
                a[1],
                b[0] - bend,
                b[1],
                b[0],
                b[1]));
      }
    }
    return d.toString();
  }

  private static String shorten(String text) {
    return text.length() <= 27 ? text : text.substring(0, 26) + "\u2026";
  }

  /**
   * Where everything goes: each node's top-left corner, and for an edge that passes columns between
   * its ends, one waypoint per such column (ids {@code ~n}), ordered with the nodes so that the
   * edge runs through a gap rather than behind a node.
   *
   * @param at top-left corners of nodes; centre-left points of waypoints
   */
  private record Layout(
      Map<String, double[]> at, Map<Edge, List<String>> waypoints, int width, int height) {}

  private static final int WAYPOINT_GAP = 10;

  private Layout layout() {
    // Columns by kind, the empty ones dropped.
    List<Integer> used =
        nodes.values().stream().map(n -> n.kind().column).distinct().sorted().toList();
    List<List<String>> columns = new ArrayList<>();
    for (int i = 0; i < used.size(); i++) {
      columns.add(new ArrayList<>());
    }
    Map<String, Integer> columnOf = new HashMap<>();
    for (Node node : nodes.values()) {
      int column = used.indexOf(node.kind().column);
      columns.get(column).add(node.id());
      columnOf.put(node.id(), column);
    }
    // Each edge as a chain of hops between neighbouring columns, through its waypoints.
    Map<String, List<String>> upstream = new HashMap<>();
    Map<String, List<String>> downstream = new HashMap<>();
    Map<Edge, List<String>> waypoints = new HashMap<>();
    for (Edge edge : edges) {
      String previous = edge.from();
      List<String> passed = new ArrayList<>();
      for (int c = columnOf.get(edge.from()) + 1; c < columnOf.get(edge.to()); c++) {
        String waypoint = "~" + waypoints.size() + "." + passed.size();
        passed.add(waypoint);
        columns.get(c).add(waypoint);
        hop(previous, waypoint, upstream, downstream);
        previous = waypoint;
      }
      hop(previous, edge.to(), upstream, downstream);
      waypoints.put(edge, passed);
    }
    Map<String, Double> row = new HashMap<>();
    for (List<String> column : columns) {
      number(column, row);
    }
    for (int sweep = 0; sweep < 4; sweep++) {
      for (int c = 1; c < columns.size(); c++) {
        order(columns.get(c), upstream, row);
      }
      for (int c = columns.size() - 2; c >= 0; c--) {
        order(columns.get(c), downstream, row);
      }
    }
    int height = 0;
    for (List<String> column : columns) {
      height = Math.max(height, columnHeight(column));
    }
    Map<String, double[]> at = new HashMap<>();
    int x = MARGIN;
    for (List<String> column : columns) {
      // Shorter columns are centred on the tallest.
      double y = MARGIN + (height - columnHeight(column)) / 2.0;
      for (String id : column) {
        if (id.startsWith("~")) {
          at.put(id, new double[] {x, y + WAYPOINT_GAP / 2.0});
          y += WAYPOINT_GAP;
        } else {
          at.put(id, new double[] {x, y});
          y += NODE_HEIGHT + ROW_GAP;
        }
      }
      x += NODE_WIDTH + COLUMN_GAP;
    }
    int width = Math.max(x - COLUMN_GAP + MARGIN, NODE_WIDTH + 2 * MARGIN);
    return new Layout(
        at, waypoints, width, Math.max(height + 2 * MARGIN, NODE_HEIGHT + 2 * MARGIN));
  }

  private static int columnHeight(List<String> column) {
    int height = 0;
    for (String id : column) {
      height += id.startsWith("~") ? WAYPOINT_GAP : NODE_HEIGHT + ROW_GAP;
    }
    return height;
  }

  private static void hop(
      String from,
      String to,
      Map<String, List<String>> upstream,
      Map<String, List<String>> downstream) {
    upstream.computeIfAbsent(to, k -> new ArrayList<>()).add(from);
    downstream.computeIfAbsent(from, k -> new ArrayList<>()).add(to);
  }

  /** Orders a column by the mean row of each entry's neighbours, then by id. */
  private static void order(
      List<String> column, Map<String, List<String>> neighbours, Map<String, Double> row) {
    Map<String, Double> key = new HashMap<>();
    for (String id : column) {
      List<String> near = neighbours.getOrDefault(id, List.of());
      double mean =
          near.isEmpty()
              ? row.get(id)
              : near.stream().mapToDouble(n -> row.getOrDefault(n, 0.0)).average().orElse(0);
      key.put(id, mean);
    }
    column.sort(Comparator.comparingDouble((String id) -> key.get(id)).thenComparing(id -> id));
    number(column, row);
  }

  private static void number(List<String> column, Map<String, Double> row) {
    for (int i = 0; i < column.size(); i++) {
      row.put(column.get(i), (double) i);
    }
  }
}
