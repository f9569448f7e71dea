package dev.quiver.registry.store;

import dev.quiver.registry.model.ProjectConfig;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** The registry store types, by the {@code type} key that selects them. */
public final class RegistryStores {

  private static final Map<String, RegistryStoreFactory> FACTORIES = new LinkedHashMap<>();

  static {
    register(new FileRegistryStore.Factory());
    register(new PostgresRegistryStore.Factory());
  }

  private RegistryStores() {}

  private static void register(RegistryStoreFactory factory) {
    FACTORIES.put(factory.type(), factory);
  }

  public static Map<String, RegistryStoreFactory> factories() {
    return java.util.Collections.unmodifiableMap(FACTORIES);
  }

  /** Opens the registry a repo's {@code feature_store.yaml} names. */
  public static RegistryStore open(ProjectConfig project) {
    return open(project, Clock.systemUTC());
  }

  public static RegistryStore open(ProjectConfig project, Clock clock) {
    RegistryStoreFactory factory = FACTORIES.get(project.registry().type());
    if (factory == null) {
      throw new RegistryException(
          "Cannot open the registry: unknown type '"
              + project.registry().type()
              + "'; known types: "
              + String.join(", ", FACTORIES.keySet()));
    }
    return factory.open(project.registry(), project, clock);
  }
}
