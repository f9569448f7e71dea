package dev.quiver.registry.model;

import java.util.Map;
import java.util.Objects;

/** One typed column of a feature view. */
public record Feature(String name, ValueType type, String description, Map<String, String> tags) {

  public Feature {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  public static Feature of(String name, ValueType type) {
    return new Feature(name, type, null, Map.of());
  }
}
