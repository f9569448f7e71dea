package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnlineStoreIdentityTest {

  private static final Path ROOT = Path.of("/srv/repo");

  private static String identity(String type, Map<String, Object> options) {
    StoreConfig file = new StoreConfig("file", Map.of(), null);
    return OnlineStoreIdentity.of(
        new ProjectConfig("rides", file, new StoreConfig(type, options, null), file, ROOT));
  }

  @Test
  void aRocksDbStoreIsNamedByItsAbsoluteNormalizedPath() {
    assertThat(identity("rocksdb", Map.of())).isEqualTo("rocksdb:/srv/repo/data/online");
    assertThat(identity("rocksdb", Map.of("path", "data/../data/online/", "block_cache_mb", "64")))
        .isEqualTo("rocksdb:/srv/repo/data/online");
    assertThat(identity("rocksdb", Map.of("path", "/var/lib/quiver")))
        .isEqualTo("rocksdb:/var/lib/quiver");
    assertThat(identity("rocksdb", Map.of("path", "data/online-b")))
        .isEqualTo("rocksdb:/srv/repo/data/online-b");
  }

  @Test
  void aRedisStoreIsNamedByItsServerAndDatabaseWithoutCredentialsOrOptions() {
    assertThat(identity("redis", Map.of("url", "redis://127.0.0.1:6379")))
        .isEqualTo("redis:redis://127.0.0.1:6379");
    assertThat(
            identity(
                "redis",
                Map.of(
                    "url", "rediss://quiver:s3cret@Cache.example/0", "command_timeout_ms", "50")))
        .isEqualTo("redis:redis://cache.example:6379");
    assertThat(identity("redis", Map.of("url", "redis://:s3cret@cache:6380/2?timeout=5s")))
        .isEqualTo("redis:redis://cache:6380/2");
  }

  @Test
  void aRedisClusterIsNamedByItsSortedNodes() {
    assertThat(
            identity(
                "redis-cluster",
                Map.of(
                    "urls",
                    java.util.List.of(
                        "redis://:pw@node-b:7001", "redis://node-a:7000", "redis://node-b:7001"))))
        .isEqualTo("redis-cluster:redis://node-a:7000,redis://node-b:7001");
  }

  @Test
  void aStoreWithoutALocationIsNamedByItsType() {
    assertThat(identity("memory", Map.of())).isEqualTo("memory");
  }
}
