package dev.quiver.registry.model;

import java.util.Map;
import java.util.Objects;

/**
 * Something features describe (a driver, a customer), identified by one join key.
 *
 * @param location where it was defined; not part of what the registry compares
 */
public record Entity(
    String name,
    String joinKey,
    ScalarType type,
    String description,
    String owner,
    Map<String, String> tags,
    SourceLocation location) {

  public Entity {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(joinKey, "joinKey");
    Objects.requireNonNull(type, "type");
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }
}
