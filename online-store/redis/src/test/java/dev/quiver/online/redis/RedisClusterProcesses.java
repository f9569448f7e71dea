package dev.quiver.online.redis;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Redis Cluster of three masters, each with one replica, started from {@code redis-server}
 * on spare loopback ports and joined with {@code redis-cli --cluster create}; torn down by {@link
 * #close}. A master that dies is replaced by its replica within about two seconds.
 */
public final class RedisClusterProcesses implements AutoCloseable {

  private static final Pattern MASTER_PORT = Pattern.compile("master_port:([0-9]+)");

  private final List<RedisProcess> nodes;

  private RedisClusterProcesses(List<RedisProcess> nodes) {
    this.nodes = nodes;
  }

  public static RedisClusterProcesses start(Path dir) throws IOException, InterruptedException {
    List<RedisProcess> nodes = new ArrayList<>();
    try {
      for (int n = 0; n < 6; n++) {
        int port = RedisProcess.sparePort();
        nodes.add(
            RedisProcess.start(
                port,
                dir.resolve("node-" + port),
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--cluster-node-timeout",
                "1000",
                "--appendonly",
                "no"));
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      for (RedisProcess node : nodes) {
        create.add("127.0.0.1:" + node.port());
      }
      create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
      Process process = new ProcessBuilder(create).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (process.waitFor() != 0) {
        throw new IOException("redis-cli --cluster create failed: " + output);
      }
      RedisClusterProcesses cluster = new RedisClusterProcesses(nodes);
      cluster.awaitHealthy();
      return cluster;
    } catch (IOException | InterruptedException | RuntimeException e) {
      for (RedisProcess node : nodes) {
        node.kill();
      }
      throw e;
    }
  }

  public List<String> urls() {
    return nodes.stream().map(RedisProcess::url).toList();
  }

  public List<RedisProcess> nodes() {
    return nodes;
  }

  /** The nodes serving slots now, by asking each live node its role. */
  public List<RedisProcess> masters() {
    List<RedisProcess> masters = new ArrayList<>();
    for (RedisProcess node : nodes) {
      String role = info(node, "replication");
      if (role != null && role.contains("role:master")) {
        masters.add(node);
      }
    }
    return masters;
  }

  /**
   * Waits until every live node reports the cluster healthy (all slots served) and every live
   * replica is in sync with its master (a replica that never synced cannot take over) and holds as
   * many keys as its master (replicas copy asynchronously).
   */
  public void awaitHealthy() {
    await()
        .alias("the Redis Cluster healthy, every replica in sync with its master")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(this::healthy);
  }

  private boolean healthy() {
    for (RedisProcess node : nodes) {
      String state = clusterInfo(node);
      String replication = info(node, "replication");
      if (state != null && !state.contains("cluster_state:ok")) {
        return false;
      }
      if (replication != null && replication.contains("role:slave")) {
        RedisProcess master = masterOf(replication);
        if (!replication.contains("master_link_status:up")
            || master != null && keyCount(master) != keyCount(node)) {
          return false;
        }
      }
    }
    return true;
  }

  /** The node a replica's {@code INFO replication} names as its master. */
  private RedisProcess masterOf(String replication) {
    Matcher port = MASTER_PORT.matcher(replication);
    if (!port.find()) {
      return null;
    }
    int masterPort = Integer.parseInt(port.group(1));
    return nodes.stream().filter(n -> n.port() == masterPort).findFirst().orElse(null);
  }

  /** The number of keys a node holds, or -1 when it is down. */
  public static long keyCount(RedisProcess node) {
    return ask(node, RedisCommands::dbsize, -1L);
  }

  private static String clusterInfo(RedisProcess node) {
    return ask(node, RedisCommands::clusterInfo, null);
  }

  private static String info(RedisProcess node, String section) {
    return ask(node, commands -> commands.info(section), null);
  }

  /** Asks one node something; {@code whenDown} when it cannot be reached. */
  private static <T> T ask(
      RedisProcess node, Function<RedisCommands<String, String>, T> question, T whenDown) {
    RedisClient client = RedisClient.create(node.url());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return question.apply(connection.sync());
    } catch (RuntimeException e) {
      return whenDown;
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (RedisProcess node : nodes) {
      node.kill();
    }
  }
}
