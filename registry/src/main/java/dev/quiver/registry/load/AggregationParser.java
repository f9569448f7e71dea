package dev.quiver.registry.load;

import dev.quiver.Excerpt;
import dev.quiver.registry.model.Aggregation;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.DurationText;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.SourceLocation;
import dev.quiver.registry.model.ValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the {@code aggregations:} and {@code hop:} of a feature view, reporting every problem of
 * every entry: an unknown function, a function that cannot take the column's type, a window that is
 * not a duration, two entries that produce the same feature.
 */
final class AggregationParser {

  private final MappingReader view;
  private final Problems problems;
  private final List<Aggregation> aggregations = new ArrayList<>();
  private final Duration hop;

  AggregationParser(MappingReader view, Problems problems) {
    this.view = view;
    this.problems = problems;
    this.hop =
        view.string("hop")
            .flatMap(text -> positiveDuration(text, "hop", view.at("hop")))
            .orElse(null);
    Optional<List<Node.Mapping>> nodes = view.mappingList("aggregations");
    if (nodes.isPresent() && nodes.get().isEmpty()) {
      problems.add(view.at("aggregations"), view.subject() + " has an empty 'aggregations' list");
    }
    Map<String, SourceLocation> produced = new HashMap<>();
    Map<String, Aggregation> typed = new HashMap<>();
    Map<String, SourceLocation> typedAt = new HashMap<>();
    for (Node.Mapping node : nodes.orElse(List.of())) {
      parse(node)
          .ifPresent(
              aggregation -> {
                if (aggregation.column() != null) {
                  // A column has one type: each aggregation of it declares it, and all must agree
                  // (the footers are checked against the type, once per column).
                  Aggregation first = typed.putIfAbsent(aggregation.column(), aggregation);
                  typedAt.putIfAbsent(aggregation.column(), node.location());
                  if (first != null && !first.type().equals(aggregation.type())) {
                    problems.add(
                        node.location(),
                        view.subject()
                            + " declares column '"
                            + aggregation.column()
                            + "' as "
                            + aggregation.type()
                            + " here and as "
                            + first.type()
                            + " at "
                            + typedAt.get(aggregation.column())
                            + "; a column has one type");
                  }
                }
                aggregations.add(aggregation);
                for (Duration window : aggregation.windows()) {
                  String name = aggregation.feature(window, window).name();
                  SourceLocation first = produced.putIfAbsent(name, node.location());
                  if (first != null) {
                    problems.add(
                        node.location(),
                        view.subject()
                            + " produces feature '"
                            + name
                            + "' twice (first at "
                            + first
                            + "); each column, function and window may appear once");
                  }
                }
              });
    }
  }

  List<Aggregation> aggregations() {
    return aggregations;
  }

  /** The view's hop, or null when it sets none. */
  Duration hop() {
    return hop;
  }

  private Optional<Aggregation> parse(Node.Mapping node) {
    Optional<String> columnText =
        Optional.ofNullable(node.entries().get("column"))
            .map(Node.Entry::value)
            .filter(Node.Scalar.class::isInstance)
            .map(value -> ((Node.Scalar) value).text())
            .filter(text -> text != null && !text.isBlank());
    MappingReader r =
        new MappingReader(
            node,
            columnText
                .map(c -> "aggregation '" + Excerpt.of(c) + "' of " + view.subject())
                .orElse("an aggregation of " + view.subject()),
            problems);
    r.rejectUnknownKeys(DefinitionModel.AGGREGATION.names());
    Optional<AggregationFunction> function =
        r.requiredString("function")
            .flatMap(
                text -> {
                  Optional<AggregationFunction> parsed =
                      AggregationFunction.fromYamlName(text.strip());
                  if (parsed.isEmpty()) {
                    problems.add(
                        r.at("function"),
                        "unknown function '"
                            + text
                            + "' in "
                            + r.subject()
                            + Suggestions.hint(text, AggregationFunction.yamlNames())
                            + "; functions are "
                            + String.join(", ", AggregationFunction.yamlNames()));
                  }
                  return parsed;
                });
    Optional<String> column =
        r.node("column").isPresent() ? r.requiredName("column", "column name") : Optional.empty();
    Optional<ValueType> type =
        DefinitionParser.valueType(r, r.string("type"), String.join(", ", ScalarType.yamlNames()));
    boolean typeProblem = r.node("type").isPresent() && type.isEmpty();
    if (r.node("column").isEmpty()) {
      if (function.isPresent() && function.get() != AggregationFunction.COUNT) {
        problems.add(
            r.at("function"),
            function.get().yamlName()
                + " in "
                + r.subject()
                + " needs a 'column' to aggregate (only count may go without one, to count rows)");
      }
      if (r.node("type").isPresent()) {
        problems.add(
            r.at("type"),
            "'type' of " + r.subject() + " is the aggregated column's type; add the 'column'");
      }
    } else if (column.isPresent() && r.node("type").isEmpty()) {
      problems.add(
          r.at("column"),
          r.subject()
              + " is missing required key 'type' (the type of column '"
              + column.get()
              + "')");
    }
    if (function.isPresent() && type.isPresent() && !function.get().accepts(type.get())) {
      problems.add(
          r.at("type"),
          "function '"
              + function.get().yamlName()
              + "' cannot aggregate column '"
              + column.orElse("?")
              + "' of type "
              + type.get()
              + " in "
              + view.subject()
              + ": "
              + function.get().yamlName()
              + " takes "
              + function.get().acceptedTypes());
      typeProblem = true;
    }
    List<Duration> windows = new ArrayList<>();
    Optional<List<Node.Scalar>> windowNodes = r.scalarList("windows");
    if (windowNodes.isEmpty() && r.node("windows").isEmpty()
        || windowNodes.isPresent() && windowNodes.get().isEmpty()) {
      problems.add(
          r.at("windows"),
          r.subject() + " is missing required key 'windows' (such as [1h, 1d, 7d])");
    }
    boolean windowProblem = false;
    for (Node.Scalar windowNode : windowNodes.orElse(List.of())) {
      Optional<Duration> window =
          positiveDuration(windowNode.text(), "window", windowNode.location());
      window.ifPresent(windows::add);
      windowProblem |= window.isEmpty();
    }
    if (function.isEmpty()
        || typeProblem
        || windowProblem
        || windows.isEmpty()
        || r.node("column").isPresent() && (column.isEmpty() || type.isEmpty())
        || r.node("column").isEmpty()
            && (function.get() != AggregationFunction.COUNT || r.node("type").isPresent())) {
      return Optional.empty();
    }
    return Optional.of(
        new Aggregation(column.orElse(null), type.orElse(null), function.get(), windows));
  }

  private Optional<Duration> positiveDuration(String text, String what, SourceLocation at) {
    String shown = text == null ? "" : text;
    Optional<Duration> parsed = text == null ? Optional.empty() : DurationText.parse(text);
    if (parsed.isEmpty() || parsed.get().isZero()) {
      String hint =
          shown.strip().matches("\\d+") && !shown.strip().equals("0")
              ? " (add a unit: " + shown.strip() + "s is seconds)"
              : "";
      problems.add(
          at,
          "invalid "
              + what
              + " '"
              + shown
              + "' of "
              + view.subject()
              + hint
              + ": write a duration greater than 0 with units s, m, h or d (5m, 1h, 7d, 1d12h)");
      return Optional.empty();
    }
    if (parsed.get().compareTo(LONGEST) > 0) {
      problems.add(
          at,
          "invalid "
              + what
              + " '"
              + shown
              + "' of "
              + view.subject()
              + ": at most "
              + LONGEST.toDays()
              + "d (100 years)");
      return Optional.empty();
    }
    return parsed;
  }

  /** Windows and hops are nanoseconds in a long, with room to add one to the other. */
  private static final Duration LONGEST = Duration.ofDays(36_500);
}
