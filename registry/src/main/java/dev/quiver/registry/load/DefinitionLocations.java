package dev.quiver.registry.load;

import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.SourceLocation;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where each part of a repo's definitions was written, down to single keys and list items, so that
 * a problem found in a definition (by the loader, or later by a check of the source data) points at
 * the line to change rather than at the start of its object. Each method falls back to the nearest
 * enclosing part that was written: a key that is absent to its object, an object that was not read
 * from a file (the registry's definitions) to nothing.
 */
public final class DefinitionLocations {

  /** For definitions that were not read from files, such as the registry's. */
  public static final DefinitionLocations NONE = new DefinitionLocations(Map.of());

  private final Map<ObjectKind, Map<String, Node.Mapping>> nodes;

  DefinitionLocations(Map<ObjectKind, Map<String, Node.Mapping>> nodes) {
    Map<ObjectKind, Map<String, Node.Mapping>> copy = new EnumMap<>(ObjectKind.class);
    nodes.forEach((kind, byName) -> copy.put(kind, new LinkedHashMap<>(byName)));
    this.nodes = copy;
  }

  private Optional<Node.Mapping> node(ObjectKind kind, String name) {
    return Optional.ofNullable(nodes.getOrDefault(kind, Map.of()).get(name));
  }

  /** Where the value of {@code key} of an object was written. */
  public Optional<SourceLocation> value(ObjectKind kind, String name, String key) {
    return node(kind, name)
        .map(
            node -> {
              Node.Entry entry = node.entries().get(key);
              return entry == null ? node.location() : entry.value().location();
            });
  }

  /** Where the first item equal to {@code text} of the list under {@code key} was written. */
  public Optional<SourceLocation> item(ObjectKind kind, String name, String key, String text) {
    return item(kind, name, key, text, 1);
  }

  /** Where the {@code occurrence}-th item equal to {@code text} of a list was written. */
  public Optional<SourceLocation> item(
      ObjectKind kind, String name, String key, String text, int occurrence) {
    int seen = 0;
    for (Node item : items(kind, name, key)) {
      if (item instanceof Node.Scalar scalar
          && scalar.text() != null
          && text.equals(scalar.text().strip())
          && ++seen == occurrence) {
        return Optional.of(scalar.location());
      }
    }
    return value(kind, name, key);
  }

  /**
   * Where the key {@code entryKey} of the mapping under {@code key} was written, such as a column
   * of a source's {@code field_mapping}.
   */
  public Optional<SourceLocation> mappingKey(
      ObjectKind kind, String name, String key, String entryKey) {
    Optional<Node.Entry> entry =
        node(kind, name)
            .map(node -> node.entries().get(key))
            .filter(e -> e.value() instanceof Node.Mapping)
            .map(e -> ((Node.Mapping) e.value()).entries().get(entryKey));
    return entry.map(Node.Entry::keyLocation).or(() -> value(kind, name, key));
  }

  /** Where the last feature of a view with this name starts (a repeated name: the repeat). */
  public Optional<SourceLocation> feature(String view, String featureName) {
    return namedItem(ObjectKind.FEATURE_VIEW, view, "features", featureName);
  }

  /**
   * Where the last item named {@code itemName} of the list of objects under {@code key} starts (a
   * repeated name: the repeat), such as an on-demand view's feature or request field.
   */
  public Optional<SourceLocation> namedItem(
      ObjectKind kind, String name, String key, String itemName) {
    Optional<SourceLocation> last = Optional.empty();
    for (Node.Mapping item : mappings(kind, name, key)) {
      if (hasName(item, itemName)) {
        last = Optional.of(item.location());
      }
    }
    return last.or(() -> value(kind, name, key));
  }

  /** Where the value of {@code key} of a view's feature was written. */
  public Optional<SourceLocation> featureValue(String view, String featureName, String key) {
    return namedItemValue(ObjectKind.FEATURE_VIEW, view, "features", featureName, key);
  }

  /** Where the value of {@code itemKey} of the first item named {@code itemName} was written. */
  public Optional<SourceLocation> namedItemValue(
      ObjectKind kind, String name, String key, String itemName, String itemKey) {
    for (Node.Mapping item : mappings(kind, name, key)) {
      if (hasName(item, itemName)) {
        Node.Entry entry = item.entries().get(itemKey);
        return Optional.of(entry == null ? item.location() : entry.value().location());
      }
    }
    return namedItem(kind, name, key, itemName);
  }

  /**
   * Where the value of {@code key} of the first aggregation of a view over {@code column} was
   * written; the view's {@code aggregations} when none is.
   */
  public Optional<SourceLocation> aggregationValue(String view, String column, String key) {
    for (Node item : items(ObjectKind.FEATURE_VIEW, view, "aggregations")) {
      if (item instanceof Node.Mapping aggregation && hasValue(aggregation, "column", column)) {
        Node.Entry entry = aggregation.entries().get(key);
        return Optional.of(entry == null ? aggregation.location() : entry.value().location());
      }
    }
    return value(ObjectKind.FEATURE_VIEW, view, "aggregations");
  }

  private List<Node> items(ObjectKind kind, String name, String key) {
    return node(kind, name)
        .map(node -> node.entries().get(key))
        .filter(entry -> entry.value() instanceof Node.Sequence)
        .map(entry -> ((Node.Sequence) entry.value()).items())
        .orElse(List.of());
  }

  private List<Node.Mapping> mappings(ObjectKind kind, String name, String key) {
    return items(kind, name, key).stream()
        .filter(Node.Mapping.class::isInstance)
        .map(Node.Mapping.class::cast)
        .toList();
  }

  private static boolean hasName(Node.Mapping feature, String name) {
    return hasValue(feature, "name", name);
  }

  private static boolean hasValue(Node.Mapping mapping, String key, String value) {
    Node.Entry entry = mapping.entries().get(key);
    return entry != null
        && entry.value() instanceof Node.Scalar scalar
        && value.equals(scalar.text());
  }
}
