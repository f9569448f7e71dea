package dev.quiver.online.redis;

import dev.quiver.online.OnlineStore;
import dev.quiver.online.OnlineStoreFactory;
import dev.quiver.online.OnlineStores;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The Redis online store types: {@link Standalone {type: redis, url: ...}} and {@link Cluster
 * {type: redis-cluster, urls: [...]}}, each with optional {@code connect_timeout_ms} (default 2000)
 * and {@code command_timeout_ms} (default 1000). Many processes share one Redis, so readers and
 * writers open the same store whatever their access.
 */
public abstract sealed class RedisOnlineStoreFactory implements OnlineStoreFactory {

  private RedisOnlineStoreFactory() {}

  /** Reads the settings of this type's configuration. */
  abstract RedisSettings settings(StoreConfig config);

  @Override
  public List<String> optionalOptions() {
    return List.of("connect_timeout_ms", "command_timeout_ms");
  }

  @Override
  public Set<Capability> capabilities() {
    return EnumSet.of(Capability.SHARED_BETWEEN_PROCESSES, Capability.DURABLE);
  }

  @Override
  public OnlineStore open(StoreConfig config, ProjectConfig project, OnlineStores.Access access) {
    return RedisOnlineStore.open(project.project(), settings(config));
  }

  /**
   * The type, a colon and {@link RedisSettings#location()}: {@code redis:redis://cache:6379/0},
   * {@code redis-cluster:redis://a:7000,redis://b:7000}. Passwords and user names are left out.
   */
  @Override
  public String identity(StoreConfig config, ProjectConfig project) {
    return type() + ":" + settings(config).location();
  }

  /** {@code {type: redis, url: redis://host:port/database}}: one standalone server. */
  public static final class Standalone extends RedisOnlineStoreFactory {

    @Override
    public String type() {
      return "redis";
    }

    @Override
    public List<String> requiredOptions() {
      return List.of("url");
    }

    @Override
    RedisSettings settings(StoreConfig config) {
      return RedisSettings.standalone(config);
    }
  }

  /** {@code {type: redis-cluster, urls: [redis://host:port, ...]}}: a cluster, by seed servers. */
  public static final class Cluster extends RedisOnlineStoreFactory {

    @Override
    public String type() {
      return "redis-cluster";
    }

    @Override
    public List<String> requiredOptions() {
      return List.of("urls");
    }

    @Override
    RedisSettings settings(StoreConfig config) {
      return RedisSettings.cluster(config);
    }
  }
}
