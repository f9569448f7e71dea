package dev.quiver.online.rocksdb;

import dev.quiver.online.OnlineStore;
import dev.quiver.online.OnlineStoreException;
import dev.quiver.online.OnlineStoreFactory;
import dev.quiver.online.OnlineStores;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code online_store: {type: rocksdb, path: data/online, block_cache_mb: 512}}, the default online
 * store: a {@link RocksDbOnlineStore} in a folder ({@code path}, relative to the repo, {@code
 * data/online} by default) with a block cache of {@code block_cache_mb} megabytes (512 by default).
 * One process writes a folder at a time; others may open it read-only.
 */
public final class RocksDbOnlineStoreFactory implements OnlineStoreFactory {

  private static final String DEFAULT_PATH = "data/online";

  @Override
  public String type() {
    return "rocksdb";
  }

  @Override
  public List<String> requiredOptions() {
    return List.of();
  }

  @Override
  public List<String> optionalOptions() {
    return List.of("path", "block_cache_mb");
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.IN_PROCESS_READS, Capability.DURABLE);
  }

  @Override
  public OnlineStore open(StoreConfig config, ProjectConfig project, OnlineStores.Access access) {
    Path path = path(config, project);
    long cache = blockCacheBytes(config);
    return access == OnlineStores.Access.READ_ONLY
        ? RocksDbOnlineStore.openReadOnly(project.project(), path, cache)
        : RocksDbOnlineStore.open(project.project(), path, cache);
  }

  /**
   * {@code rocksdb:} and the folder's absolute, normalized path ({@code
   * rocksdb:/srv/repo/data/online}); symbolic links are not resolved, as the folder may not exist
   * yet.
   */
  @Override
  public String identity(StoreConfig config, ProjectConfig project) {
    return type() + ":" + path(config, project);
  }

  private static Path path(StoreConfig config, ProjectConfig project) {
    return project.resolve(config.option("path").orElse(DEFAULT_PATH)).toAbsolutePath().normalize();
  }

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
}
