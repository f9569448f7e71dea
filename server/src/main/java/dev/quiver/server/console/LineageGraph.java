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
    List<List<Node>> columns = columns();
    Map<String, double[]> at = new HashMap<>();
    int rows = columns.stream().mapToInt(List::size).max().orElse(0);
    int height = 0;
    int x = MARGIN;
    for (List<Node> column : columns) {
      if (column.isEmpty()) {
        continue;
      }
      // Shorter columns are centred on the tallest.
      int y = MARGIN + (rows - column.size()) * (NODE_HEIGHT + ROW_GAP) / 2;
      for (Node node : column) {
        at.put(node.id(), new double[] {x, y});
        y += NODE_HEIGHT + ROW_GAP;
      }
      height = Math.max(height, y - ROW_GAP + MARGIN);
      x += NODE_WIDTH + COLUMN_GAP;
    }
    int width = Math.max(x - COLUMN_GAP + MARGIN, NODE_WIDTH + 2 * MARGIN);
    StringBuilder svg = new StringBuilder(512 + 400 * nodes.size());
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg id=\"lineage\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"lineage graph\">\n",
            width,
            Math.max(height, NODE_HEIGHT + 2 * MARGIN),
            width,
            Math.max(height, NODE_HEIGHT + 2 * MARGIN)));
    for (Edge edge : edges) {
      double[] from = at.get(edge.from());
      double[] to = at.get(edge.to());
      double x1 = from[0] + NODE_WIDTH;
      double y1 = from[1] + NODE_HEIGHT / 2.0;
      double x2 = to[0];
      double y2 = to[1] + NODE_HEIGHT / 2.0;
      double bend = Math.max(30, (x2 - x1) / 2);
      svg.append(
          String.format(
              Locale.ROOT,
              "<path class=\"edge%s\" data-from=\"%s\" data-to=\"%s\" marker-end=\"url(#arrow)\""
                  + " d=\"M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f\"/>\n",
              edge.batch() ? " batch" : "",
              Page.escape(edge.from()),
              Page.escape(edge.to()),
              x1,
              y1,
              x1 + bend,
              y1,
              x2 - bend,
              y2,
              x2 - 2,
              y2));
    }
    svg.append(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\""
            + " markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0 0L10 5L0 10z\""
            + " fill=\"#94a3b8\"/></marker></defs>\n");
    for (Node node : nodes.values()) {
      double[] xy = at.get(node.id());
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

  private static String shorten(String text) {
    return text.length() <= 27 ? text : text.substring(0, 26) + "\u2026";
  }

  /**
   * The nodes by column, each column ordered by the mean row of its neighbours in the column before
   * (then after), which keeps edges short and mostly uncrossed.
   */
  private List<List<Node>> columns() {
    List<List<Node>> columns = new ArrayList<>();
    for (int i = 0; i <= Kind.SERVICE.column; i++) {
      columns.add(new ArrayList<>());
    }
    for (Node node : nodes.values()) {
      columns.get(node.kind().column).add(node);
    }
    Map<String, List<String>> upstream = new HashMap<>();
    Map<String, List<String>> downstream = new HashMap<>();
    for (Edge edge : edges) {
      upstream.computeIfAbsent(edge.to(), k -> new ArrayList<>()).add(edge.from());
      downstream.computeIfAbsent(edge.from(), k -> new ArrayList<>()).add(edge.to());
    }
    Map<String, Double> row = new HashMap<>();
    for (List<Node> column : columns) {
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
    return columns;
  }

  private static void order(
      List<Node> column, Map<String, List<String>> neighbours, Map<String, Double> row) {
    Map<String, Double> key = new HashMap<>();
    for (Node node : column) {
      List<String> near = neighbours.getOrDefault(node.id(), List.of());
      double mean =
          near.isEmpty()
              ? row.get(node.id())
              : near.stream().mapToDouble(id -> row.getOrDefault(id, 0.0)).average().orElse(0);
      key.put(node.id(), mean);
    }
    column.sort(Comparator.comparingDouble((Node n) -> key.get(n.id())).thenComparing(Node::id));
    number(column, row);
  }

  private static void number(List<Node> column, Map<String, Double> row) {
    for (int i = 0; i < column.size(); i++) {
      row.put(column.get(i).id(), (double) i);
    }
  }
}
