package dev.quiver.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.Definitions;
import dev.quiver.streaming.testing.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once in effect: an ingestion process killed with SIGKILL at random moments, and one that
 * halts right after writing online (before its offline log and commit), restarted each time, leaves
 * the online store, the offline log and the dead-letter topic as the brute-force reference says an
 * uninterrupted run does.
 */
class CrashRecoveryTest {

  private KafkaBroker broker;

  @TempDir Path root;

  @BeforeEach
  void startBroker() {
    broker = KafkaBroker.shared();
  }

  @Test
  void killedAndRestartedIngestionEndsAsAnUninterruptedOne() throws Exception {
    long seed = System.nanoTime();
    System.out.println("CrashRecoveryTest seed: " + seed);
    Random random = new Random(seed);
    String topic = "crash-" + Long.toHexString(seed);
    broker.createTopic(topic, 3);
    StreamScenario scenario =
        new StreamScenario(root, topic, broker.bootstrapServers()).generate(seed, 6000, 300);

    int kills = 0;
    int halted = 0;
    int advancing = 0;
    long committed = committed(topic);
    // A quarter of the messages arrives before each of the first four lives, so no life can take
    // them all and every life has work when it is killed.
    int quarter = scenario.messages.size() / 4;
    for (int life = 0;
        life < 8 && (life < 4 || !StreamChecks.committedToEnd(broker, topic));
        life++) {
      if (life < 4) {
        scenario.produce(
            broker.bootstrapServers(),
            life * quarter,
            life == 3 ? scenario.messages.size() : (life + 1) * quarter);
      }
      // Some lives halt right after an online write, the rest are killed at a random moment.
      int haltAfter = life % 3 == 1 ? 1 + random.nextInt(6) : 0;
      Process process = start(haltAfter);
      if (haltAfter > 0) {
        process.waitFor(60, TimeUnit.SECONDS);
      } else {
        Thread.sleep(3000 + random.nextInt(5000));
      }
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      kills++;
      if (haltAfter > 0 && process.exitValue() == 137) {
        halted++;
      }
      long now = committed(topic);
      if (now > committed) {
        advancing++;
      }
      committed = now;
    }
    System.out.printf(
        "CrashRecoveryTest: %d processes killed, %d halted after an online write, %d committed"
            + " batches before they died, %d of %d messages committed before the last run%n",
        kills, halted, advancing, committed, scenario.messages.size());
    // The kills must have hit running ingestion: some lives committed, some halted mid-batch.
    assertThat(halted).as("lives halted after an online write").isPositive();
    assertThat(advancing).as("lives that committed before they were killed").isGreaterThan(1);

    Definitions definitions = scenario.definitions(broker.bootstrapServers());
    try (RocksDbOnlineStore store =
        RocksDbOnlineStore.open(StreamScenario.PROJECT, root.resolve("data/online.db"))) {
      IngestionMetrics metrics = new IngestionMetrics();
      try (Running last =
          Running.start(
              scenario.ingestor(
                  definitions,
                  store,
                  broker.bootstrapServers(),
                  IngestOptions.DEFAULTS.withMaxBatch(250).withLogRoll(400, Duration.ofSeconds(1)),
                  metrics))) {
        Running.await(() -> StreamChecks.committedToEnd(broker, topic));
      }
      assertThat(StreamChecks.committedToEnd(broker, topic))
          .as("every message committed; " + metrics.status())
          .isTrue();

      long t = scenario.newestEvent();
      assertThat(scenario.online(store, definitions, t))
          .as("seed %d", seed)
          .isEqualTo(scenario.expectedOnline(definitions, t));
    }
    StreamChecks.assertOfflineLog(root, scenario, seed);
    StreamChecks.assertDeadLetters(broker, topic, scenario, seed);
  }

  private Process start(int haltAfter) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        List.of(
            java,
            "-Xmx256m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            IngestProcess.class.getName(),
            root.toString(),
            broker.bootstrapServers(),
            "150",
            Integer.toString(haltAfter));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(root.resolve("ingest-" + System.nanoTime() + ".log").toFile())
        .start();
  }

  /** How many messages the group has committed. */
  private long committed(String topic) throws Exception {
    return broker
        .admin()
        .listConsumerGroupOffsets("quiver." + StreamScenario.PROJECT)
        .partitionsToOffsetAndMetadata()
        .get(30, TimeUnit.SECONDS)
        .entrySet()
        .stream()
        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .mapToLong(e -> e.getValue().offset())
        .sum();
  }
}
