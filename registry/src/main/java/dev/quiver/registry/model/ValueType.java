package dev.quiver.registry.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A feature's declared type: a scalar, or {@code list<scalar>}. */
public record ValueType(ScalarType element, boolean list) implements java.io.Serializable {

  public ValueType {
    Objects.requireNonNull(element, "element");
  }

  public static ValueType scalar(ScalarType type) {
    return new ValueType(type, false);
  }

  public static ValueType listOf(ScalarType type) {
    return new ValueType(type, true);
  }

  /** Parses {@code int64} or {@code list<int64>}; white space inside the brackets is allowed. */
  public static Optional<ValueType> parse(String text) {
    String t = text.strip();
    if (t.startsWith("list<") && t.endsWith(">")) {
      return ScalarType.fromYamlName(t.substring(5, t.length() - 1).strip()).map(ValueType::listOf);
    }
    return ScalarType.fromYamlName(t).map(ValueType::scalar);
  }

  /** Every type name a definition may use, for messages and hints. */
  public static List<String> allNames() {
    List<String> names = new ArrayList<>(ScalarType.yamlNames());
    for (String scalar : ScalarType.yamlNames()) {
      names.add("list<" + scalar + ">");
    }
    return names;
  }

  @Override
  public String toString() {
    return list ? "list<" + element.yamlName() + ">" : element.yamlName();
  }
}
