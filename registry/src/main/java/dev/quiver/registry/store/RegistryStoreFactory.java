package dev.quiver.registry.store;

import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import dev.quiver.registry.plugin.StoreKind;
import dev.quiver.registry.plugin.StoreType;
import java.time.Clock;

/**
 * Opens one type of registry store; as a {@link StoreType} it declares the keys its configuration
 * takes. Found through {@link java.util.ServiceLoader} (see {@link RegistryStores}).
 */
public interface RegistryStoreFactory extends StoreType {

  @Override
  default StoreKind kind() {
    return StoreKind.REGISTRY;
  }

  /**
   * @param clock stamps the time of each commit
   */
  RegistryStore open(StoreConfig config, ProjectConfig project, Clock clock);
}
