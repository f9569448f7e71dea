package dev.quiver.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.Definitions;
import dev.quiver.streaming.testing.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two consumers of one group sharing the partitions, with a rebalance when the second joins and
 * another when the first leaves, ingest each message once: the same online values, offline log and
 * dead letters as the reference.
 */
class RebalanceTest {

  private KafkaBroker broker;

  @TempDir Path root;

  @BeforeEach
  void startBroker() {
    broker = KafkaBroker.shared();
  }

  @Test
  void twoConsumersWithRebalancesIngestEachMessageOnce() throws Exception {
    long seed = System.nanoTime();
    System.out.println("RebalanceTest seed: " + seed);
    String topic = "rebalance-" + Long.toHexString(seed);
    broker.createTopic(topic, 4);
    StreamScenario scenario =
        new StreamScenario(root, topic, broker.bootstrapServers()).generate(seed, 4500, 200);
    Definitions definitions = scenario.definitions(broker.bootstrapServers());
    Map<String, String> environment = Map.of("BOOTSTRAP", broker.bootstrapServers());

    try (RocksDbOnlineStore store =
        RocksDbOnlineStore.open(StreamScenario.PROJECT, root.resolve("data/online.db"))) {
      IngestionMetrics first = new IngestionMetrics();
      IngestionMetrics second = new IngestionMetrics();
      Ingestor a = ingestor(definitions, store, environment, first);
      Ingestor b = ingestor(definitions, store, environment, second);
      Thread ta = new Thread(a::run, "ingest-a");
      ta.start();
      scenario.produce(broker.bootstrapServers(), 0, 1500);
      await(() -> handled(first) >= 1500);

      Thread tb = new Thread(b::run, "ingest-b");
      tb.start();
      // Both take part once the second consumer was given partitions.
      await(() -> !second.lagByPartition().isEmpty());
      scenario.produce(broker.bootstrapServers(), 1500, 3000);
      await(() -> handled(first) + handled(second) >= 3000);
      assertThat(handled(second)).as("the second consumer ingested a share").isPositive();

      a.stop();
      ta.join(30_000);
      a.close();
      scenario.produce(broker.bootstrapServers(), 3000, 4500);
      await(() -> handled(first) + handled(second) >= 4500);
      b.stop();
      tb.join(30_000);
      b.close();

      assertThat(handled(first) + handled(second)).isEqualTo(4500);
      long t = scenario.newestEvent();
      assertThat(scenario.online(store, definitions, t))
          .as("seed %d", seed)
          .isEqualTo(scenario.expectedOnline(definitions, t));
    }
    StreamChecks.assertOfflineLog(root, scenario, seed);
    StreamChecks.assertDeadLetters(broker, topic, scenario, seed);
  }

  private Ingestor ingestor(
      Definitions definitions,
      RocksDbOnlineStore store,
      Map<String, String> environment,
      IngestionMetrics metrics) {
    return new Ingestor(
        StreamScenario.PROJECT,
        definitions,
        store,
        root,
        IngestOptions.DEFAULTS.withMaxBatch(100).withLogRoll(250, Duration.ofMillis(700)),
        environment,
        metrics);
  }

  /** Messages a consumer ingested (counted once, not per view) or dead-lettered. */
  private static long handled(IngestionMetrics metrics) {
    return metrics.ingestedByView().getOrDefault("card_last", 0L) + metrics.deadLetters();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for ingestion");
      }
      Thread.sleep(50);
    }
  }
}
