package dev.quiver.online.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quiver.online.OnlineStore;
import dev.quiver.online.OnlineStoreContract;
import dev.quiver.online.OnlineStoreException;
import dev.quiver.online.OnlineStoreFactory;
import dev.quiver.online.OnlineStores;
import dev.quiver.online.ValueCodec;
import dev.quiver.registry.model.StoreConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract on the machine's standalone Redis, plus what only a server shared over a network
 * shows.
 */
class RedisOnlineStoreTest extends OnlineStoreContract {

  /** Prefixes this test's project names, so tests sharing the server never meet. */
  private final String run = TestRedis.uniqueProject("t");

  @TempDir Path dir;

  @BeforeAll
  static void requireRedis() {
    TestRedis.require();
  }

  @AfterEach
  void deleteKeys() {
    TestRedis.deleteProjects(TestRedis.URL, run);
  }

  @Override
  protected OnlineStoreFactory factory() {
    return new RedisOnlineStoreFactory.Standalone();
  }

  @Override
  protected StoreConfig config() {
    return new StoreConfig("redis", Map.of("url", TestRedis.URL), null);
  }

  @Override
  protected OnlineStore newStore(String project, OnlineStores.Access access) {
    return super.newStore(run + "_" + project, access);
  }

  @Test
  void writersOnSeparateConnectionsRacingOnOneKeyNeverLeaveTheOlderRow() throws Exception {
    List<OnlineStore> stores = List.of(open("rides"), open("rides"));
    int writers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        OnlineStore store = stores.get(w % 2);
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  // Each writer goes through the times in another order, newest first for some.
                  for (int i = 0; i < 300; i++) {
                    long ts = writer % 2 == 0 ? i * writers + writer : (299 - i) * writers + writer;
                    store.write(
                        "stats", List.of(new OnlineStore.Record(key(1), row(ts, 0, ts, ts))));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    byte[] stored = stores.get(0).read(List.of(new OnlineStore.Key("stats", key(1)))).get(0);
    assertThat(ValueCodec.eventTs(stored)).isEqualTo(299L * writers + writers - 1);
  }

  @Test
  void aRedisThatGoesAwayFailsReadsFastAndTheStoreRecoversWhenItReturns() throws Exception {
    try (RedisProcess redis =
        RedisProcess.start(
            RedisProcess.sparePort(),
            dir.resolve("redis"),
            "--appendonly",
            "yes",
            "--appendfsync",
            "always")) {
      RedisSettings settings =
          RedisSettings.standalone(redis.url())
              .withCommandTimeout(Duration.ofMillis(500))
              .withConnectTimeout(Duration.ofMillis(500));
      try (OnlineStore store = RedisOnlineStore.open("rides", settings)) {
        store.write("stats", List.of(new OnlineStore.Record(key(1), row(5, 0, 1.5, 1))));

        redis.kill();
        long before = System.nanoTime();
        assertThatThrownBy(() -> store.read(List.of(new OnlineStore.Key("stats", key(1)))))
            .isInstanceOf(OnlineStoreException.class)
            .hasMessageStartingWith("Cannot read the Redis online store at " + redis.url() + ": ");
        // Fails within the command timeout's order of magnitude, not after a long hang.
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));

        redis.start();
        // The same store, never reopened, reads again once the client has reconnected.
        byte[] row =
            await()
                .alias("the row written before the restart, read after it")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsMatching(
                    e ->
                        e instanceof OnlineStoreException
                            && e.getMessage()
                                .startsWith(
                                    "Cannot read the Redis online store at " + redis.url() + ": "))
                .until(
                    () -> store.read(List.of(new OnlineStore.Key("stats", key(1)))).get(0),
                    Objects::nonNull);
        assertThat(ValueCodec.eventTs(row)).isEqualTo(5);
        assertThat(store.write("stats", List.of(new OnlineStore.Record(key(1), row(6, 0, 2.5, 2)))))
            .isEqualTo(1);
      }
    }
  }

  @Test
  void aRedisThatIsNotThereIsAClearErrorAtOpen() {
    int port = RedisProcess.sparePort();
    assertThatThrownBy(
            () ->
                RedisOnlineStore.open(
                    "rides",
                    RedisSettings.standalone("redis://127.0.0.1:" + port)
                        .withConnectTimeout(Duration.ofMillis(500))))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageStartingWith(
            "Cannot connect to the Redis online store at redis://127.0.0.1:" + port + ": ")
        .hasMessageEndingWith("(is Redis running there?)");
  }

  @Test
  void aDatabaseTheServerDoesNotHaveIsNamedWithTheServersAnswer() {
    String url = TestRedis.URL.replaceAll("/\\d+$", "") + "/99";
    assertThatThrownBy(() -> RedisOnlineStore.open("rides", RedisSettings.standalone(url)).close())
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageStartingWith("Cannot connect to the Redis online store at ")
        .hasMessageContaining("/99: ")
        .hasMessageContaining("DB index is out of range")
        .hasMessageEndingWith(
            "(the server refused the connection's settings: check the database number and the"
                + " credentials in the URL)");
  }
}
