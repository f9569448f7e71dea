package dev.quiver.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.Definitions;
import dev.quiver.streaming.testing.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
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

    try (RocksDbOnlineStore store =
        RocksDbOnlineStore.open(StreamScenario.PROJECT, root.resolve("data/online.db"))) {
      IngestionMetrics first = new IngestionMetrics();
      IngestionMetrics second = new IngestionMetrics();
      IngestOptions options =
          IngestOptions.DEFAULTS.withMaxBatch(100).withLogRoll(250, Duration.ofMillis(700));
      String bootstrap = broker.bootstrapServers();
      Running a = Running.start(scenario.ingestor(definitions, store, bootstrap, options, first));
      try {
        scenario.produce(bootstrap, 0, 1500);
        Running.await(() -> handled(first) >= 1500);
        try (Running b =
            Running.start(scenario.ingestor(definitions, store, bootstrap, options, second))) {
          // Both take part once the second consumer was given partitions.
          Running.await(() -> !second.lagByPartition().isEmpty());
          scenario.produce(bootstrap, 1500, 3000);
          Running.await(() -> handled(first) + handled(second) >= 3000);
          assertThat(handled(second)).as("the second consumer ingested a share").isPositive();

          // The first leaves: its partitions move to the second.
          a.close();
          scenario.produce(bootstrap, 3000, 4500);
          Running.await(() -> handled(first) + handled(second) >= 4500);
        }
      } finally {
        a.close();
      }

      assertThat(handled(first) + handled(second)).isEqualTo(4500);
      long t = scenario.newestEvent();
      assertThat(scenario.online(store, definitions, t))
          .as("seed %d", seed)
          .isEqualTo(scenario.expectedOnline(definitions, t));
    }
    StreamChecks.assertOfflineLog(root, scenario, seed);
    StreamChecks.assertDeadLetters(broker, topic, scenario, seed);
  }

  /** Messages a consumer ingested (counted once, not per view) or dead-lettered. */
  private static long handled(IngestionMetrics metrics) {
    return metrics.ingestedByView().getOrDefault("card_last", 0L) + metrics.deadLetters();
  }
}
