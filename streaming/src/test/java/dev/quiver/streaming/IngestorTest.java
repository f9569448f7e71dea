package dev.quiver.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.online.OnlineStore;
import dev.quiver.online.redis.RedisOnlineStore;
import dev.quiver.online.redis.RedisSettings;
import dev.quiver.online.redis.TestRedis;
import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.Definitions;
import dev.quiver.streaming.testing.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingestion in this process against a real broker: valid events reach the online store (plain rows
 * and tiles) and the offline log exactly as a brute-force reference over them says, bad messages
 * reach the dead-letter topic once each, with their reason.
 */
class IngestorTest {

  private KafkaBroker broker;

  @TempDir Path root;

  @BeforeEach
  void startBroker() {
    broker = KafkaBroker.shared();
  }

  @Test
  void ingestsEveryValidEventOnceIntoRocksDbAndDeadLettersTheRest() throws Exception {
    ingestsEveryValidEventOnce(
        RocksDbOnlineStore.open(StreamScenario.PROJECT, root.resolve("data/online.db")));
  }

  @Test
  void ingestsEveryValidEventOnceIntoRedisAndDeadLettersTheRest() throws Exception {
    TestRedis.require();
    String project = TestRedis.uniqueProject("ingest");
    try {
      ingestsEveryValidEventOnce(
          RedisOnlineStore.open(
              project,
              RedisSettings.standalone(TestRedis.URL).withCommandTimeout(Duration.ofSeconds(10))));
    } finally {
      TestRedis.deleteProjects(TestRedis.URL, project);
    }
  }

  private void ingestsEveryValidEventOnce(OnlineStore opened) throws Exception {
    long seed = System.nanoTime();
    System.out.println("IngestorTest seed: " + seed);
    String topic = "txns-" + Long.toHexString(seed);
    broker.createTopic(topic, 3);
    StreamScenario scenario =
        new StreamScenario(root, topic, broker.bootstrapServers()).generate(seed, 3000, 150);
    scenario.produce(broker.bootstrapServers());
    Definitions definitions = scenario.definitions(broker.bootstrapServers());

    try (OnlineStore store = opened) {
      IngestionMetrics metrics = new IngestionMetrics();
      runUntilDone(
          scenario.ingestor(
              definitions,
              store,
              broker.bootstrapServers(),
              IngestOptions.DEFAULTS.withMaxBatch(500).withLogRoll(700, Duration.ofSeconds(1)),
              metrics),
          metrics,
          scenario.messages.size());

      long t = scenario.newestEvent();
      assertThat(scenario.online(store, definitions, t))
          .as("seed %d", seed)
          .isEqualTo(scenario.expectedOnline(definitions, t));
      assertThat(metrics.deadLetters()).isEqualTo(scenario.invalidJson().size());
      assertThat(metrics.ingestedByView())
          .containsEntry("card_last", (long) scenario.valid().size())
          .containsEntry("card_spend", (long) scenario.valid().size());
    }
    StreamChecks.assertOfflineLog(root, scenario, seed);
    StreamChecks.assertDeadLetters(broker, topic, scenario, seed);
  }

  /** Runs the ingestor in a thread until every message was committed, then stops it. */
  static void runUntilDone(Ingestor ingestor, IngestionMetrics metrics, long messages)
      throws Exception {
    try (Running running = Running.start(ingestor)) {
      Running.await(
          () -> metrics.ingested() / 2 + metrics.deadLetters() >= messages || !running.isAlive());
    }
    assertThat(metrics.ingested() / 2 + metrics.deadLetters())
        .as("messages ingested or dead-lettered; status: " + metrics.status())
        .isEqualTo(messages);
  }
}
