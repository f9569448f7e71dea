package dev.quiver.registry.model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A repo's {@code feature_store.yaml}, with {@code ${VAR}} references already replaced.
 *
 * @param root the repo folder; relative paths in the repo are resolved against it
 * @param logPath the folder of feature logs ({@code logging.path}), relative to the repo or
 *     absolute
 */
public record ProjectConfig(
    String project,
    StoreConfig registry,
    StoreConfig onlineStore,
    StoreConfig offlineStore,
    Path root,
    String logPath) {

  /** Where feature logs go unless {@code logging.path} says otherwise. */
  public static final String DEFAULT_LOG_PATH = "data/logs";

  public ProjectConfig {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(onlineStore, "onlineStore");
    Objects.requireNonNull(offlineStore, "offlineStore");
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(logPath, "logPath");
  }

  /** A config with feature logs in the default folder. */
  public ProjectConfig(
      String project,
      StoreConfig registry,
      StoreConfig onlineStore,
      StoreConfig offlineStore,
      Path root) {
    this(project, registry, onlineStore, offlineStore, root, DEFAULT_LOG_PATH);
  }

  /** The folder of one feature service's logs: {@code <logging.path>/<service>/}. */
  public Path logFolder(String service) {
    return resolve(logPath).resolve(service);
  }

  /** A path of the repo: absolute ones stay, relative ones are taken from the repo root. */
  public Path resolve(String path) {
    return root.resolve(path).normalize();
  }
}
