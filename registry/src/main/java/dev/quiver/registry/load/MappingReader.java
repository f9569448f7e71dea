package dev.quiver.registry.load;

import dev.quiver.registry.model.SourceLocation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the fields of one mapping, reporting each wrong shape, missing key or unknown key as a
 * problem located at the offending node and continuing, so a file's problems surface together.
 */
final class MappingReader {

  private static final Pattern IDENTIFIER = Pattern.compile(DefinitionModel.IDENTIFIER);

  private final Node.Mapping mapping;
  private final Problems problems;
  private String subject;

  MappingReader(Node.Mapping mapping, String subject, Problems problems) {
    this.mapping = mapping;
    this.subject = subject;
    this.problems = problems;
  }

  /** Names what is being read in messages, e.g. {@code feature view 'driver_stats'}. */
  void subject(String value) {
    this.subject = value;
  }

  String subject() {
    return subject;
  }

  SourceLocation location() {
    return mapping.location();
  }

  void rejectUnknownKeys(Collection<String> allowed) {
    for (Node.Entry entry : mapping.entries().values()) {
      if (!allowed.contains(entry.key())) {
        problems.add(
            entry.keyLocation(),
            "unknown key '"
                + entry.key()
                + "' in "
                + subject
                + Suggestions.hint(entry.key(), allowed)
                + "; allowed keys: "
                + String.join(", ", allowed));
      }
    }
  }

  Optional<Node> node(String key) {
    Node.Entry entry = mapping.entries().get(key);
    return entry == null ? Optional.empty() : Optional.of(entry.value());
  }

  /** Where a key's value was written, or the mapping itself when the key is absent. */
  SourceLocation at(String key) {
    return node(key).map(Node::location).orElse(mapping.location());
  }

  /** A scalar value; an empty value counts as absent. */
  Optional<String> string(String key) {
    Optional<Node> node = node(key);
    if (node.isEmpty()) {
      return Optional.empty();
    }
    if (node.get() instanceof Node.Scalar scalar) {
      return Optional.ofNullable(scalar.text());
    }
    problems.add(
        node.get().location(),
        "'" + key + "' of " + subject + " must be a value, found " + node.get().shape());
    return Optional.empty();
  }

  Optional<String> requiredString(String key) {
    Optional<Node> node = node(key);
    if (node.isEmpty() || node.get() instanceof Node.Scalar scalar && scalar.isNull()) {
      problems.add(at(key), subject + " is missing required key '" + key + "'");
      return Optional.empty();
    }
    Optional<String> value = string(key);
    if (value.isPresent() && value.get().isBlank()) {
      problems.add(at(key), "'" + key + "' of " + subject + " is empty");
      return Optional.empty();
    }
    return value;
  }

  /** A name that must be an identifier; a bad one is reported and not returned. */
  Optional<String> requiredName(String key, String what) {
    return requiredString(key).filter(name -> checkIdentifier(name, what, at(key)));
  }

  boolean checkIdentifier(String name, String what, SourceLocation location) {
    if (IDENTIFIER.matcher(name).matches()) {
      return true;
    }
    problems.add(
        location,
        "invalid "
            + what
            + " '"
            + name
            + "': use letters, digits and underscores, not starting with a digit");
    return false;
  }

  Optional<Boolean> bool(String key) {
    return string(key)
        .flatMap(
            text ->
                switch (text.toLowerCase(Locale.ROOT)) {
                  case "true" -> Optional.of(true);
                  case "false" -> Optional.of(false);
                  default -> {
                    problems.add(
                        at(key),
                        "'"
                            + key
                            + "' of "
                            + subject
                            + " must be true or false, found '"
                            + text
                            + "'");
                    yield Optional.empty();
                  }
                });
  }

  /** A list of plain values; an empty value counts as an empty list. */
  Optional<List<Node.Scalar>> scalarList(String key) {
    return items(key, Node.Scalar.class, "names");
  }

  /** A list of mappings; an empty value counts as an empty list. */
  Optional<List<Node.Mapping>> mappingList(String key) {
    return items(key, Node.Mapping.class, "mappings");
  }

  /**
   * The items of a list that have the expected shape; each other item is reported. Empty when the
   * key is absent or is not a list.
   */
  private <T extends Node> Optional<List<T>> items(String key, Class<T> shape, String expected) {
    Optional<Node> node = node(key);
    if (node.isEmpty()) {
      return Optional.empty();
    }
    if (node.get() instanceof Node.Scalar scalar && scalar.isNull()) {
      return Optional.of(List.of());
    }
    if (!(node.get() instanceof Node.Sequence sequence)) {
      problems.add(
          node.get().location(),
          "'" + key + "' of " + subject + " must be a list, found " + node.get().shape());
      return Optional.empty();
    }
    List<T> items = new ArrayList<>();
    for (Node item : sequence.items()) {
      if (shape.isInstance(item) && !(item instanceof Node.Scalar scalar && scalar.isNull())) {
        items.add(shape.cast(item));
      } else {
        problems.add(
            item.location(),
            "items of '"
                + key
                + "' in "
                + subject
                + " must be "
                + expected
                + ", found "
                + item.shape());
      }
    }
    return Optional.of(items);
  }

  /**
   * A nested mapping, such as a feature's {@code expect}; empty when the key is absent or empty,
   * and reported when it is not a mapping.
   */
  Optional<Node.Mapping> mapping(String key) {
    Optional<Node> node = node(key);
    if (node.isEmpty() || node.get() instanceof Node.Scalar scalar && scalar.isNull()) {
      return Optional.empty();
    }
    if (!(node.get() instanceof Node.Mapping map)) {
      problems.add(
          node.get().location(),
          "'" + key + "' of " + subject + " must be a mapping, found " + node.get().shape());
      return Optional.empty();
    }
    return Optional.of(map);
  }

  /** A number; reported when the value is not one. */
  Optional<Double> number(String key) {
    return string(key)
        .flatMap(
            text -> {
              try {
                double value = Double.parseDouble(text.strip());
                if (Double.isFinite(value)) {
                  return Optional.of(value);
                }
              } catch (NumberFormatException e) {
                // reported below
              }
              problems.add(
                  at(key),
                  "'" + key + "' of " + subject + " must be a number, found '" + text + "'");
              return Optional.empty();
            });
  }

  /** A mapping of plain values, such as tags. */
  Map<String, String> stringMap(String key) {
    Optional<Node> node = node(key);
    Map<String, String> values = new LinkedHashMap<>();
    if (node.isEmpty() || node.get() instanceof Node.Scalar scalar && scalar.isNull()) {
      return values;
    }
    if (!(node.get() instanceof Node.Mapping map)) {
      problems.add(
          node.get().location(),
          "'" + key + "' of " + subject + " must be a mapping, found " + node.get().shape());
      return values;
    }
    for (Node.Entry entry : map.entries().values()) {
      if (entry.value() instanceof Node.Scalar scalar && !scalar.isNull()) {
        values.put(entry.key(), scalar.text());
      } else {
        problems.add(
            entry.value().location(),
            "'"
                + key
                + "."
                + entry.key()
                + "' of "
                + subject
                + " must be a value, found "
                + entry.value().shape());
      }
    }
    return values;
  }

  Problems problems() {
    return problems;
  }
}
