package dev.quiver.registry.diff;

import dev.quiver.registry.model.ObjectKind;
import java.util.List;
import java.util.Objects;

/**
 * The change to one object, by kind and name.
 *
 * @param details for updates, each changed field, e.g. {@code ttl 1d -> 2d} or {@code + feature
 *     avg_rating}; empty otherwise
 */
public record ObjectChange(ObjectKind kind, String name, ChangeType type, List<String> details) {

  public ObjectChange {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    details = List.copyOf(details);
  }

  /** One line for history: {@code update feature view driver_stats: ttl 1d -> 2d}. */
  public String summary() {
    String line = type.label() + " " + kind.displayName() + " " + name;
    return details.isEmpty() ? line : line + ": " + String.join("; ", details);
  }
}
