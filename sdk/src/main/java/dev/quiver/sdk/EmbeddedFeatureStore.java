package dev.quiver.sdk;

import dev.quiver.online.OnlineStore;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.store.HistoryEntry;
import dev.quiver.registry.store.RegistrySnapshot;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.nio.file.Path;
import java.util.List;

/**
 * The in-process store: a repo's registry (read when opened, and again on {@link #refreshRegistry})
 * and its roles, each working on the registry snapshot current when an operation starts. It holds
 * one registry store (for a PostgreSQL registry, one connection pool) from open to close; the
 * online store is opened on first use.
 */
final class EmbeddedFeatureStore implements FeatureStore, SharesOnlineStore {

  private final EmbeddedRegistry registry;
  private final EmbeddedOnline online;
  private final EmbeddedHistorical historical;
  private final EmbeddedMaterialization materialization;

  private EmbeddedFeatureStore(EmbeddedRegistry registry, FeatureStoreOptions options) {
    this.registry = registry;
    this.online = new EmbeddedOnline(registry, options.clock(), options.onlineAccess());
    this.historical = new EmbeddedHistorical(registry, options.clock());
    this.materialization = new EmbeddedMaterialization(registry, online);
  }

  static FeatureStore open(Path repo, FeatureStoreOptions options) {
    ProjectConfig config = FeatureRepo.loadConfig(repo, System.getenv());
    RegistryStore store = RegistryStores.open(config);
    try {
      return new EmbeddedFeatureStore(new EmbeddedRegistry(config, store), options);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  @Override
  public String project() {
    return registry.project();
  }

  @Override
  public RegistrySnapshot registry() {
    return registry.snapshot();
  }

  @Override
  public boolean refreshRegistry() {
    return registry.refresh();
  }

  @Override
  public List<HistoryEntry> registryHistory() {
    return registry.history();
  }

  @Override
  public OnlineStore onlineStore() {
    return online.store();
  }

  @Override
  public OnlineFeatures online() {
    return online;
  }

  @Override
  public HistoricalFeatures historical() {
    return historical;
  }

  @Override
  public Materialization materialization() {
    return materialization;
  }

  @Override
  public void close() {
    try (EmbeddedRegistry closingRegistry = registry;
        EmbeddedHistorical closingHistorical = historical;
        EmbeddedOnline closingOnline = online) {
      // Closed in reverse order: the online store, the training sets' memory, the registry.
    }
  }
}
