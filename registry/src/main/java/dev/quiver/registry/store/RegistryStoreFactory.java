package dev.quiver.registry.store;

import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import java.time.Clock;
import java.util.List;

/** Opens one type of registry store, and says which keys its configuration takes. */
public interface RegistryStoreFactory {

  /** The {@code type} in {@code feature_store.yaml} that selects this store. */
  String type();

  List<String> requiredOptions();

  List<String> optionalOptions();

  /**
   * @param clock stamps the time of each commit
   */
  RegistryStore open(StoreConfig config, ProjectConfig project, Clock clock);
}
