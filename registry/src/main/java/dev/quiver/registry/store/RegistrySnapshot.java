package dev.quiver.registry.store;

import dev.quiver.registry.model.Definitions;
import java.util.Objects;

/** A project's definitions as of one registry version. */
public record RegistrySnapshot(String project, long version, Definitions definitions) {

  public RegistrySnapshot {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(definitions, "definitions");
  }

  public static RegistrySnapshot empty(String project) {
    return new RegistrySnapshot(project, 0, Definitions.EMPTY);
  }
}
