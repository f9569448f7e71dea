package dev.quiver.sdk;

import dev.quiver.online.OnlineStore;
import dev.quiver.online.OnlineStores;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.store.MaterializationLog;
import dev.quiver.registry.store.RegistryStore;
import java.util.List;

/** Upkeep of the online store that follows registry changes. */
public final class OnlineMaintenance {

  private OnlineMaintenance() {}

  /**
   * Deletes the online rows of views the registry no longer has from the online store {@code
   * config} names, and forgets them in that store's materialization log. Other online stores' logs
   * are left alone: their rows were not deleted.
   *
   * @param registry the registry the repo applies to, open
   * @throws dev.quiver.online.OnlineStoreException when the online store cannot be written
   * @throws dev.quiver.registry.store.RegistryException when the log cannot be written
   */
  public static void deleteViews(ProjectConfig config, RegistryStore registry, List<String> views) {
    if (views.isEmpty()) {
      return;
    }
    MaterializationLog log = MaterializationLogs.of(config, registry);
    try (OnlineStore store = OnlineStores.open(config, OnlineStores.Access.READ_WRITE)) {
      for (String view : views) {
        store.deleteView(view);
        log.forget(view);
      }
    }
  }
}
