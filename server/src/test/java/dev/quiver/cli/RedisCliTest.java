package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleRepo;
import dev.quiver.online.redis.RedisClusterProcesses;
import dev.quiver.online.redis.TestRedis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver materialize} and {@code quiver online} work unchanged on standalone Redis and on a
 * Redis Cluster: the same commands print the same answers as on RocksDB.
 */
class RedisCliTest {

  private static Path clusterDir;
  private static RedisClusterProcesses cluster;

  @TempDir Path dir;

  @BeforeAll
  static void startServers() throws Exception {
    TestRedis.require();
    clusterDir = Files.createTempDirectory("quiver-cli-cluster");
    cluster = RedisClusterProcesses.start(clusterDir);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The example repo under its own project name, on the given online store. */
  private Path repo(String name, String project, String onlineStore) throws IOException {
    Path repo = dir.resolve(name);
    ExampleRepo.createAt(repo);
    OnlineStoreSwitchCliTest.useOnlineStore(repo, project, onlineStore);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    return repo;
  }

  private static String materializeAndRead(Path repo) {
    CliRun materialize =
        quiver(
            "materialize",
            "2026-03-01T00:00:00Z",
            "2026-03-08T00:00:00Z",
            "--repo",
            repo.toString());
    assertThat(materialize.exitCode()).as(materialize.err()).isZero();
    assertThat(materialize.out()).contains("2000 online rows written");
    CliRun read =
        quiver(
            "online",
            "--feature-service",
            "driver_activity_v1",
            "--entity",
            "driver_id=1001,1002,1500,9999",
            "--entity",
            "customer_id=5001,5002,5003,5004",
            "--json",
            "--repo",
            repo.toString());
    assertThat(read.exitCode()).as(read.err()).isZero();
    return read.out();
  }

  @Test
  void materializeAndOnlineGiveTheSameAnswersOnRocksDbRedisAndRedisCluster() throws Exception {
    String project = TestRedis.uniqueProject("cli");
    List<String> cluster = new ArrayList<>();
    for (String url : RedisCliTest.cluster.urls()) {
      cluster.add("\"" + url + "\"");
    }
    try {
      String rocksDb = materializeAndRead(repo("rocksdb", project, "{type: rocksdb}"));
      String redis =
          materializeAndRead(
              repo(
                  "redis",
                  project,
                  "{type: redis, url: \"" + TestRedis.URL + "\", command_timeout_ms: 10000}"));
      String redisCluster =
          materializeAndRead(
              repo(
                  "cluster",
                  project,
                  "{type: redis-cluster, urls: [" + String.join(", ", cluster) + "]}"));

      assertThat(rocksDb).contains("\"PRESENT\"").contains("\"NOT_FOUND\"");
      assertThat(redis).isEqualTo(rocksDb);
      assertThat(redisCluster).isEqualTo(rocksDb);
    } finally {
      TestRedis.deleteProjects(TestRedis.URL, project);
    }
  }
}
