package dev.quiver.registry.plugin;

import java.util.List;

/**
 * One type of store that {@code feature_store.yaml} can select, and the keys its configuration
 * takes: the only place they are declared. Implementations are found with {@link
 * java.util.ServiceLoader} (listed in {@code
 * META-INF/services/dev.quiver.registry.plugin.StoreType} of the artifact that provides the store),
 * so a backend is available exactly when its artifact is on the class path. The factories that open
 * stores extend this interface ({@code RegistryStoreFactory}, {@code OnlineStoreFactory}), so the
 * declaration the loader validates with and the code that reads the options are one class.
 *
 * <p>An implementation needs a public no-argument constructor.
 */
public interface StoreType {

  /** Which store of {@code feature_store.yaml} this type serves. */
  StoreKind kind();

  /** The {@code type} that selects this store, unique within its kind. */
  String type();

  /** Keys the configuration must have (besides {@code type}), in the order messages list them. */
  List<String> requiredOptions();

  /** Keys the configuration may have, in the order messages list them. */
  List<String> optionalOptions();
}
