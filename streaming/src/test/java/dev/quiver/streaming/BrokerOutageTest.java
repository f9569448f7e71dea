package dev.quiver.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.Definitions;
import dev.quiver.streaming.testing.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker that goes away: ingestion reports it (its status turns unhealthy, with the reason),
 * keeps retrying, and resumes when the broker is back, without a restart and without losing or
 * repeating a message.
 */
class BrokerOutageTest {

  @TempDir Path root;

  @Test
  void ingestionReportsABrokerThatWentAwayAndResumesWhenItIsBack() throws Exception {
    KafkaBroker broker = KafkaBroker.shared(); // skips (or fails under CI) where no broker runs
    broker = KafkaBroker.start(root.resolve("broker"));
    long seed = System.nanoTime();
    System.out.println("BrokerOutageTest seed: " + seed);
    String topic = "outage-" + Long.toHexString(seed);
    broker.createTopic(topic, 2);
    Path repo = root.resolve("repo");
    StreamScenario scenario =
        new StreamScenario(repo, topic, broker.bootstrapServers()).generate(seed, 2000, 100);
    Definitions definitions = scenario.definitions(broker.bootstrapServers());
    try (RocksDbOnlineStore store =
        RocksDbOnlineStore.open(StreamScenario.PROJECT, repo.resolve("data/online.db"))) {
      IngestionMetrics metrics = new IngestionMetrics();
      Running running =
          Running.start(
              scenario.ingestor(
                  definitions,
                  store,
                  broker.bootstrapServers(),
                  IngestOptions.DEFAULTS.withMaxBatch(200).withLogRoll(300, Duration.ofSeconds(1)),
                  metrics));
      scenario.produce(broker.bootstrapServers(), 0, 1000);
      Running.await(() -> handled(metrics) >= 1000 && metrics.status().healthy());

      broker.close();
      Running.await(() -> !metrics.status().healthy());
      assertThat(metrics.status().detail()).contains("Kafka");

      broker = broker.startAgain();
      scenario.produce(broker.bootstrapServers(), 1000, 2000);
      Running.await(() -> handled(metrics) >= 2000);
      Running.await(() -> metrics.status().healthy());
      running.close();

      assertThat(handled(metrics)).isEqualTo(2000);
      long t = scenario.newestEvent();
      assertThat(scenario.online(store, definitions, t))
          .as("seed %d", seed)
          .isEqualTo(scenario.expectedOnline(definitions, t));
    }
    StreamChecks.assertOfflineLog(repo, scenario, seed);
    StreamChecks.assertDeadLetters(broker, topic, scenario, seed);
    broker.close();
  }

  private static long handled(IngestionMetrics metrics) {
    return metrics.ingestedByView().getOrDefault("card_last", 0L) + metrics.deadLetters();
  }
}
