package dev.quiver.sdk;

import dev.quiver.online.OnlineStore;
import dev.quiver.online.OnlineStores;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.util.List;

/** Upkeep of the online store that follows registry changes. */
public final class OnlineMaintenance {

  private OnlineMaintenance() {}

  /**
   * Deletes the online rows and the materialization record of views the registry no longer has.
   *
   * @throws dev.quiver.online.OnlineStoreException when the online store cannot be written
   */
  public static void deleteViews(ProjectConfig config, List<String> views) {
    if (views.isEmpty()) {
      return;
    }
    try (OnlineStore store = OnlineStores.open(config, OnlineStores.Access.READ_WRITE);
        RegistryStore registry = RegistryStores.open(config)) {
      for (String view : views) {
        store.deleteView(view);
        registry.forgetMaterialized(view);
      }
    }
  }
}
