package dev.quiver.sdk;

import dev.quiver.online.redis.RedisClusterProcesses;
import dev.quiver.online.redis.TestRedis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The end-to-end online tests, the aggregation features' equality with training sets included, on a
 * real three-master Redis Cluster started for this class.
 */
class RedisClusterOnlineFeaturesTest extends OnlineFeaturesTest {

  private static Path dir;
  private static RedisClusterProcesses cluster;

  private final String project = TestRedis.uniqueProject("driver_ranking");

  @BeforeAll
  static void startCluster() throws Exception {
    dir = Files.createTempDirectory("quiver-sdk-redis-cluster");
    cluster = RedisClusterProcesses.start(dir);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected void configureOnlineStore(Path repo) throws IOException {
    Files.writeString(
        repo.resolve("feature_store.yaml"),
        "project: "
            + project
            + "\nregistry: data/registry.json\nonline_store: {type: redis-cluster, urls: ["
            + String.join(", ", cluster.urls().stream().map(u -> "\"" + u + "\"").toList())
            + "], command_timeout_ms: 10000}\n");
  }
}
