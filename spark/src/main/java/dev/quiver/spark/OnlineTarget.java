package dev.quiver.spark;

import dev.quiver.online.OnlineStore;
import dev.quiver.online.OnlineStores;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The repo's online store as executors open it: its configuration, shipped with the tasks, and one
 * open store per JVM and configuration, shared by the tasks (and, with a {@code local} master, by
 * the driver: an embedded RocksDB opens once per process). Stores opened on an executor close when
 * its JVM exits; the driver closes its own with {@link #closeAll}.
 */
final class OnlineTarget implements Serializable {

  private static final long serialVersionUID = 1L;

  private static final Map<OnlineTarget, OnlineStore> OPEN = new ConcurrentHashMap<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(OnlineTarget::closeAll, "quiver-online-close"));
  }

  private final String project;
  private final String root;
  private final String type;
  private final HashMap<String, Object> options;

  OnlineTarget(ProjectConfig config) {
    this.project = config.project();
    this.root = config.root().toString();
    this.type = config.onlineStore().type();
    this.options = copy(config.onlineStore().options());
  }

  private static HashMap<String, Object> copy(Map<String, Object> options) {
    HashMap<String, Object> copy = new HashMap<>();
    options.forEach(
        (key, value) ->
            copy.put(
                key,
                value instanceof List<?> list
                    ? new ArrayList<>(list)
                    : value instanceof Map<?, ?> map ? new HashMap<>(map) : value));
    return copy;
  }

  /** The store, opened on first use in this JVM. */
  OnlineStore store() {
    return OPEN.computeIfAbsent(
        this, target -> OnlineStores.open(target.config(), OnlineStores.Access.READ_WRITE));
  }

  private ProjectConfig config() {
    StoreConfig none = new StoreConfig("file", Map.of(), null);
    return new ProjectConfig(
        project, none, new StoreConfig(type, options, null), none, Path.of(root));
  }

  static void closeAll() {
    for (OnlineTarget target : List.copyOf(OPEN.keySet())) {
      OnlineStore store = OPEN.remove(target);
      if (store != null) {
        store.close();
      }
    }
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof OnlineTarget t
        && project.equals(t.project)
        && root.equals(t.root)
        && type.equals(t.type)
        && options.equals(t.options);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(project, root, type, options);
  }
}
