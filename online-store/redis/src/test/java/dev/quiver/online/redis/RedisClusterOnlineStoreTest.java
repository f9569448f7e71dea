package dev.quiver.online.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiver.online.OnlineStore;
import dev.quiver.online.OnlineStoreContract;
import dev.quiver.online.OnlineStoreException;
import dev.quiver.online.OnlineStoreFactory;
import dev.quiver.online.OnlineStores;
import dev.quiver.online.ValueCodec;
import dev.quiver.registry.model.StoreConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The contract on a real three-master Redis Cluster started for this class, plus a master killed
 * while reads go on (last: the cluster then runs on the promoted replica).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterOnlineStoreTest extends OnlineStoreContract {

  private static Path dir;
  private static RedisClusterProcesses cluster;

  private final String run = TestRedis.uniqueProject("t");

  @BeforeAll
  static void startCluster() throws Exception {
    dir = Files.createTempDirectory("quiver-redis-cluster");
    cluster = RedisClusterProcesses.start(dir);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected OnlineStoreFactory factory() {
    return new RedisOnlineStoreFactory.Cluster();
  }

  @Override
  protected StoreConfig config() {
    return new StoreConfig("redis-cluster", Map.of("urls", cluster.urls()), null);
  }

  @Override
  protected OnlineStore newStore(String project, OnlineStores.Access access) {
    return super.newStore(run + "_" + project, access);
  }

  private static List<OnlineStore.Key> keys(int count) {
    List<OnlineStore.Key> keys = new ArrayList<>();
    for (long k = 0; k < count; k++) {
      keys.add(new OnlineStore.Key("stats", key(k)));
    }
    return keys;
  }

  @Test
  void entitiesSpreadOverEveryMasterAndOneReadSpansThem() {
    OnlineStore store = open("rides");
    List<OnlineStore.Record> rows = new ArrayList<>();
    for (long k = 0; k < 300; k++) {
      rows.add(new OnlineStore.Record(key(k), row(k, 0, k, k)));
    }
    store.write("stats", rows);
    store.write("other", rows.subList(0, 10));

    for (RedisProcess master : cluster.masters()) {
      assertThat(RedisClusterProcesses.keyCount(master)).as("keys on " + master.url()).isPositive();
    }
    List<byte[]> read = store.read(keys(300));
    for (int k = 0; k < 300; k++) {
      assertThat(ValueCodec.eventTs(read.get(k))).isEqualTo(k);
    }
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void aMasterKilledWhileReadsGoOnIsReplacedAndReadsRecover() throws Exception {
    OnlineStore store = open("rides");
    List<OnlineStore.Record> rows = new ArrayList<>();
    for (long k = 0; k < 200; k++) {
      rows.add(new OnlineStore.Record(key(k), row(k, 0, k, k)));
    }
    store.write("stats", rows);
    // Replicas copy asynchronously: wait until each is in sync and holds its master's keys.
    cluster.awaitHealthy();

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong good = new AtomicLong();
    AtomicReference<String> wrong = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              while (!stop.get()) {
                try {
                  List<byte[]> read = store.read(keys(200));
                  for (int k = 0; k < 200; k++) {
                    if (read.get(k) == null || ValueCodec.eventTs(read.get(k)) != k) {
                      wrong.compareAndSet(null, "wrong row for key " + k);
                    }
                  }
                  good.incrementAndGet();
                } catch (OnlineStoreException e) {
                  // Expected while the cluster fails over: reads of the dead master's slots fail.
                  if (!e.getMessage().startsWith("Cannot read the Redis online store at ")) {
                    wrong.compareAndSet(null, "a read failed otherwise: " + e.getMessage());
                  }
                }
              }
            });
    reader.start();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(10))
          .failFast("the reader stopped", () -> !reader.isAlive())
          .until(() -> good.get() > 0);
      RedisProcess victim = cluster.masters().get(0);
      victim.kill();
      long goodAtKill = good.get();
      // The replica takes over after the node timeout; reads then succeed again, complete.
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(100))
          .failFast("the reader stopped", () -> !reader.isAlive())
          .untilAsserted(
              () ->
                  assertThat(good.get())
                      .as("complete reads after the failover")
                      .isGreaterThanOrEqualTo(goodAtKill + 20));
    } finally {
      stop.set(true);
      reader.join();
    }
    assertThat(wrong.get()).as("a read that returned a wrong or missing row").isNull();
    assertThat(store.write("stats", List.of(new OnlineStore.Record(key(1), row(1_000, 0, 1, 1)))))
        .as("a write after the failover")
        .isEqualTo(1);
  }
}
