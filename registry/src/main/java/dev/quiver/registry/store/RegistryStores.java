package dev.quiver.registry.store;

import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.plugin.StoreKind;
import dev.quiver.registry.plugin.StoreTypes;
import java.time.Clock;
import java.util.Map;

/**
 * The registry store types, by the {@code type} key that selects them: the {@link
 * RegistryStoreFactory} implementations on the class path ({@link StoreTypes}).
 */
public final class RegistryStores {

  private RegistryStores() {}

  /** The factories on the class path, by type in alphabetical order. */
  public static Map<String, RegistryStoreFactory> factories() {
    return StoreTypes.declared(StoreKind.REGISTRY, RegistryStoreFactory.class);
  }

  /** Opens the registry a repo's {@code feature_store.yaml} names. */
  public static RegistryStore open(ProjectConfig project) {
    return open(project, Clock.systemUTC());
  }

  public static RegistryStore open(ProjectConfig project, Clock clock) {
    Map<String, RegistryStoreFactory> factories = factories();
    RegistryStoreFactory factory = factories.get(project.registry().type());
    if (factory == null) {
      throw new RegistryException(
          "Cannot open the registry: unknown type '"
              + project.registry().type()
              + "'; known types: "
              + String.join(", ", factories.keySet()));
    }
    return factory.open(project.registry(), project, clock);
  }
}
