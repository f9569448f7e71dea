package dev.quiver.registry.load;

import dev.quiver.registry.model.SourceLocation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed definition document: scalars, mappings and sequences, each with the place it was read
 * from. YAML files and the registry's JSON both become this tree, so one parser serves both.
 */
public sealed interface Node {

  SourceLocation location();

  /** How messages name this node's shape: "a string", "a mapping", "a list". */
  String shape();

  /** A scalar as written; {@code null} text for YAML's null. */
  record Scalar(String text, SourceLocation location) implements Node {
    public boolean isNull() {
      return text == null;
    }

    @Override
    public String shape() {
      return isNull() ? "empty" : "a value";
    }
  }

  /** A mapping with string keys in document order. */
  record Mapping(Map<String, Entry> entries, SourceLocation location) implements Node {
    public Mapping {
      entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    @Override
    public String shape() {
      return "a mapping";
    }
  }

  /** A key of a mapping (where the key itself was written) and its value. */
  record Entry(String key, SourceLocation keyLocation, Node value) {}

  /** A list. */
  record Sequence(List<Node> items, SourceLocation location) implements Node {
    public Sequence {
      items = List.copyOf(items);
    }

    @Override
    public String shape() {
      return "a list";
    }
  }
}
