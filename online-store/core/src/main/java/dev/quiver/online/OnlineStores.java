package dev.quiver.online;

import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.plugin.StoreKind;
import dev.quiver.registry.plugin.StoreTypes;
import java.util.Map;

/**
 * The online store types on the class path, by the {@code type} of {@code online_store} that
 * selects them: the {@link OnlineStoreFactory} implementations that backends' artifacts list for
 * {@link java.util.ServiceLoader} ({@code memory} comes with this artifact, {@code rocksdb} with
 * {@code quiver-online-store-rocksdb}, {@code redis} and {@code redis-cluster} with {@code
 * quiver-online-store-redis}).
 */
public final class OnlineStores {

  /** How a store is opened: readers may share a store a writer holds. */
  public enum Access {
    READ_WRITE,
    READ_ONLY
  }

  private OnlineStores() {}

  /**
   * The factories on the class path, by type in alphabetical order.
   *
   * @throws dev.quiver.QuiverException when the class path declares a type twice, or an online
   *     store type that is not an {@link OnlineStoreFactory}
   */
  public static Map<String, OnlineStoreFactory> factories() {
    return StoreTypes.declared(StoreKind.ONLINE_STORE, OnlineStoreFactory.class);
  }

  /**
   * The factory of the online store a repo's {@code feature_store.yaml} names.
   *
   * @throws OnlineStoreException when no artifact on the class path provides the type; the message
   *     lists the types found and, for Quiver's own types, names the artifact to add
   */
  public static OnlineStoreFactory factory(ProjectConfig project) {
    String type = project.onlineStore().type();
    OnlineStoreFactory factory = factories().get(type);
    if (factory == null) {
      throw new OnlineStoreException(
          "Cannot open the online store: unknown type '"
              + type
              + "'"
              + StoreTypes.knownTypesNote(StoreKind.ONLINE_STORE, type));
    }
    return factory;
  }

  /**
   * Opens the online store a repo's {@code feature_store.yaml} names.
   *
   * @throws OnlineStoreException when the type is unknown or the store cannot be opened
   */
  public static OnlineStore open(ProjectConfig project, Access access) {
    return factory(project).open(project.onlineStore(), project, access);
  }

  /**
   * The identity of the online store a repo's {@code feature_store.yaml} names: {@code
   * <type>:<location>} (see {@link OnlineStoreFactory#identity}).
   *
   * @throws OnlineStoreException when the type is unknown or an option's value is invalid
   */
  public static String identity(ProjectConfig project) {
    return factory(project).identity(project.onlineStore(), project);
  }
}
