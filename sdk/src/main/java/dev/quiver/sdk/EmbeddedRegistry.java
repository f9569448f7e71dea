package dev.quiver.sdk;

import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.store.MaterializationLog;
import dev.quiver.registry.store.RegistryException;
import dev.quiver.registry.store.RegistrySnapshot;
import dev.quiver.registry.store.RegistryStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The embedded store's registry role: one registry store held open (for a PostgreSQL registry, one
 * connection pool) and the snapshot every operation starts from. Operations read {@link #snapshot}
 * once and pass it down, so one never mixes two versions, and what it records (a manifest's
 * registry version) is the version it used.
 */
final class EmbeddedRegistry implements AutoCloseable {

  private final ProjectConfig config;
  private final RegistryStore store;

  /** Swapped whole by {@link #refresh}. */
  private volatile RegistrySnapshot snapshot;

  /** Resolved selections by registry version and request shape. */
  private final Map<Object, OnlineSelection> selections = new ConcurrentHashMap<>();

  /**
   * A selection and the plan of its on-demand features (null without any), made once per registry
   * version and request shape.
   */
  record OnlineSelection(FeatureSelection selection, OnDemandPlan onDemand) {}

  private MaterializationLog materializationLog;

  EmbeddedRegistry(ProjectConfig config, RegistryStore store) {
    this.config = config;
    this.store = store;
    this.snapshot = store.load();
  }

  ProjectConfig config() {
    return config;
  }

  String project() {
    return config.project();
  }

  /** The registry version operations start from now. */
  RegistrySnapshot snapshot() {
    return snapshot;
  }

  /**
   * The definitions of {@code snapshot}.
   *
   * @throws RegistryException when nothing is registered yet
   */
  Definitions definitions(RegistrySnapshot snapshot) {
    if (snapshot.definitions().isEmpty()) {
      throw new RegistryException(
          "Cannot retrieve features: nothing is registered in project '"
              + config.project()
              + "' yet; run 'quiver apply' first");
    }
    return snapshot.definitions();
  }

  /** What {@code service} or {@code features} select in {@code snapshot}, cached by version. */
  OnlineSelection selection(RegistrySnapshot snapshot, String service, List<String> features) {
    Definitions definitions = definitions(snapshot);
    Object shape = List.of(snapshot.version(), service != null ? "service:" + service : features);
    OnlineSelection selection = selections.get(shape);
    if (selection == null) {
      FeatureSelection resolved = FeatureSelection.of(definitions, service, features);
      selection =
          new OnlineSelection(
              resolved, resolved.hasOnDemand() ? OnDemandPlan.of(resolved, definitions) : null);
      if (selections.size() < 1_000) {
        selections.put(shape, selection);
      }
    }
    return selection;
  }

  /**
   * Loads the registry again when a newer version was applied since.
   *
   * @return whether the version changed
   */
  synchronized boolean refresh() {
    // Polled every few seconds by the server: the version alone, the definitions on a change.
    if (store.version() == snapshot.version()) {
      return false;
    }
    RegistrySnapshot latest = store.load();
    if (latest.version() == snapshot.version()) {
      return false;
    }
    snapshot = latest;
    selections.clear();
    return true;
  }

  /**
   * The online store's materialization log, found on first use: an application that only retrieves
   * training sets needs no online store's artifact.
   */
  synchronized MaterializationLog materializationLog() {
    if (materializationLog == null) {
      materializationLog = MaterializationLogs.of(config, store);
    }
    return materializationLog;
  }

  @Override
  public void close() {
    store.close();
  }
}
