package dev.quiver.sdk;

import dev.quiver.online.OnlineStoreFactory;
import dev.quiver.online.OnlineStores;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.store.MaterializationLog;
import dev.quiver.registry.store.ProcessMaterializationLog;
import dev.quiver.registry.store.RegistryStore;

/** The materialization log of the online store a repo names. */
final class MaterializationLogs {

  private MaterializationLogs() {}

  /**
   * The log of {@code config}'s online store, by the store's identity: in the registry when the
   * store keeps its rows beyond the process, else in this process (a store that starts empty must
   * not read that rows are there).
   *
   * @throws dev.quiver.online.OnlineStoreException when the online store's type is unknown
   */
  static MaterializationLog of(ProjectConfig config, RegistryStore registry) {
    OnlineStoreFactory factory = OnlineStores.factory(config);
    String identity = factory.identity(config.onlineStore(), config);
    return factory.capabilities().contains(OnlineStoreFactory.Capability.DURABLE)
        ? registry.materializationLog(identity)
        : new ProcessMaterializationLog(identity);
  }
}
