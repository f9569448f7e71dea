package dev.quiver.registry.model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A repo's {@code feature_store.yaml}, with {@code ${VAR}} references already replaced.
 *
 * @param root the repo folder; relative paths in the repo are resolved against it
 */
public record ProjectConfig(
    String project,
    StoreConfig registry,
    StoreConfig onlineStore,
    StoreConfig offlineStore,
    Path root) {

  public ProjectConfig {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(onlineStore, "onlineStore");
    Objects.requireNonNull(offlineStore, "offlineStore");
    Objects.requireNonNull(root, "root");
  }

  /** A path of the repo: absolute ones stay, relative ones are taken from the repo root. */
  public Path resolve(String path) {
    return root.resolve(path).normalize();
  }
}
