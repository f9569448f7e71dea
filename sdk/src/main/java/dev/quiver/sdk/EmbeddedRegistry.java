package dev.quiver.sdk;

import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.store.HistoryEntry;
import dev.quiver.registry.store.MaterializationLog;
import dev.quiver.registry.store.RegistryException;
import dev.quiver.registry.store.RegistrySnapshot;
import dev.quiver.registry.store.RegistryStore;
import java.util.ArrayList;
import java.util.HashMap;
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
   * version and request shape, with what every lookup of it needs: its views, each view's entities
   * and (by first use) the response's names. Working these out per request was a fifth of a
   * 250-feature lookup's allocation.
   *
   * @param viewEntities the entities of each of {@code views}, in order; views of the same entities
   *     share one list
   * @param names the response's names (entity columns, then features) by full-names flag and entity
   *     columns
   */
  record OnlineSelection(
      FeatureSelection selection,
      OnDemandPlan onDemand,
      List<FeatureView> views,
      List<List<Entity>> viewEntities,
      Map<List<Object>, List<String>> names) {

    static OnlineSelection of(FeatureSelection selection, Definitions definitions) {
      List<FeatureView> views = selection.views();
      Map<List<Entity>, List<Entity>> shared = new HashMap<>();
      List<List<Entity>> viewEntities = new ArrayList<>(views.size());
      for (FeatureView view : views) {
        List<Entity> entities = List.copyOf(definitions.entitiesOf(view));
        viewEntities.add(shared.computeIfAbsent(entities, e -> e));
      }
      return new OnlineSelection(
          selection,
          selection.hasOnDemand() ? OnDemandPlan.of(selection, definitions) : null,
          views,
          List.copyOf(viewEntities),
          new ConcurrentHashMap<>());
    }

    /**
     * The response's names: {@code entityColumns}, then the features' output names.
     *
     * @throws dev.quiver.registry.InvalidRequestException when two would be the same
     */
    List<String> outputNames(boolean fullFeatureNames, List<String> entityColumns) {
      List<Object> shape = List.of(fullFeatureNames, entityColumns);
      List<String> known = names.get(shape);
      if (known != null) {
        return known;
      }
      List<String> all = new ArrayList<>(entityColumns);
      all.addAll(selection.outputNames(fullFeatureNames, entityColumns));
      List<String> made = List.copyOf(all);
      if (names.size() < 64) {
        names.put(shape, made);
      }
      return made;
    }
  }

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

  /** Every committed version of the registry store, oldest first. */
  List<HistoryEntry> history() {
    return store.history();
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
      selection =
          OnlineSelection.of(FeatureSelection.of(definitions, service, features), definitions);
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
