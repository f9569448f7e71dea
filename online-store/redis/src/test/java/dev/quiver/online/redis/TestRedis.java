package dev.quiver.online.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The Redis the tests share: {@code QUIVER_REDIS_URL}, by default the local server. Outside CI a
 * missing server skips the calling tests with the reason; with {@code CI=true} it fails them.
 * Shared with other modules through this module's test jar.
 */
public final class TestRedis {

  public static final String URL =
      System.getenv().getOrDefault("QUIVER_REDIS_URL", "redis://127.0.0.1:6379");

  private TestRedis() {}

  /** Call from {@code @BeforeAll}. */
  public static void require() {
    RedisURI uri = RedisURI.create(URL);
    uri.setTimeout(Duration.ofSeconds(2));
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().ping();
    } catch (RuntimeException e) {
      String reason = "Redis is not reachable at " + URL + ": " + e.getMessage();
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(reason, e);
      }
      Assumptions.abort(reason);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** A project name no other test uses, so tests can share the server. */
  public static String uniqueProject(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  /** Removes every key of the projects whose names start with {@code projectPrefix}. */
  public static void deleteProjects(String url, String projectPrefix) {
    RedisClient client = RedisClient.create(url);
    // Keys hold binary entity keys: as bytes, never decoded as text.
    try (StatefulRedisConnection<byte[], byte[]> connection =
        client.connect(ByteArrayCodec.INSTANCE)) {
      RedisCommands<byte[], byte[]> commands = connection.sync();
      ScanIterator<byte[]> keys =
          ScanIterator.scan(
              commands, ScanArgs.Builder.matches("quiver:" + projectPrefix + "*").limit(1000));
      while (keys.hasNext()) {
        commands.unlink(keys.next());
      }
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
