package dev.quiver.online;

import dev.quiver.online.redis.RedisOnlineStore;
import dev.quiver.online.redis.RedisSettings;
import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The online store types, by the {@code type} of {@code online_store} that selects them. */
public final class OnlineStores {

  /** How a store is opened: readers may share a store a writer holds. */
  public enum Access {
    READ_WRITE,
    READ_ONLY
  }

  /** Opens one type of online store. */
  public interface Factory {
    String type();

    OnlineStore open(StoreConfig config, ProjectConfig project, Access access);
  }

  private static final Map<String, Factory> FACTORIES = new LinkedHashMap<>();

  static {
    register(
        new Factory() {
          @Override
          public String type() {
            return "rocksdb";
          }

          @Override
          public OnlineStore open(StoreConfig config, ProjectConfig project, Access access) {
            var path = project.resolve(config.option("path").orElse("data/online"));
            long cache = blockCacheBytes(config);
            return access == Access.READ_ONLY
                ? RocksDbOnlineStore.openReadOnly(project.project(), path, cache)
                : RocksDbOnlineStore.open(project.project(), path, cache);
          }
        });
    // Redis serves many processes at once: readers and writers open the same store.
    for (String type : List.of("redis", "redis-cluster")) {
      register(
          new Factory() {
            @Override
            public String type() {
              return type;
            }

            @Override
            public OnlineStore open(StoreConfig config, ProjectConfig project, Access access) {
              return RedisOnlineStore.open(project.project(), RedisSettings.of(config));
            }
          });
    }
  }

  private OnlineStores() {}

  /**
   * RocksDB's {@code block_cache_mb}: the block cache's capacity, 512 by default. Size it to the
   * store's hot data: a lookup that misses reads and decompresses a block.
   */
  static long blockCacheBytes(StoreConfig config) {
    String text = config.option("block_cache_mb").orElse(null);
    if (text == null) {
      return RocksDbOnlineStore.DEFAULT_BLOCK_CACHE_BYTES;
    }
    try {
      long megabytes = Long.parseLong(text.trim());
      if (megabytes > 0 && megabytes <= (1L << 40)) {
        return megabytes << 20;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new OnlineStoreException(
        "online_store block_cache_mb must be a positive number of megabytes, got '" + text + "'");
  }

  private static void register(Factory factory) {
    FACTORIES.put(factory.type(), factory);
  }

  public static Map<String, Factory> factories() {
    return Collections.unmodifiableMap(FACTORIES);
  }

  /**
   * Opens the online store a repo's {@code feature_store.yaml} names.
   *
   * @throws OnlineStoreException when the type is unknown or the store cannot be opened
   */
  public static OnlineStore open(ProjectConfig project, Access access) {
    Factory factory = FACTORIES.get(project.onlineStore().type());
    if (factory == null) {
      throw new OnlineStoreException(
          "Cannot open the online store: unknown type '"
              + project.onlineStore().type()
              + "'; known types: "
              + String.join(", ", FACTORIES.keySet()));
    }
    return factory.open(project.onlineStore(), project, access);
  }
}
