package dev.quiver.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.EpochNanos;
import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.HistoricalRequest;
import dev.quiver.sdk.OnlineRequest;
import dev.quiver.sdk.OnlineResponse;
import dev.quiver.sdk.TrainingSet;
import dev.quiver.streaming.testing.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training sees what serving saw: after ingestion logged the stream to its batch source, a training
 * set of every key at and after the newest event equals the online lookups as of the same instants,
 * for the plain view and every window of the aggregation view.
 */
class TrainingSeesServingTest {

  private KafkaBroker broker;

  @TempDir Path root;

  @BeforeEach
  void startBroker() {
    broker = KafkaBroker.shared();
  }

  @Test
  void historicalOverTheOfflineLogEqualsOnlineLookups() throws Exception {
    long seed = System.nanoTime();
    System.out.println("TrainingSeesServingTest seed: " + seed);
    String topic = "training-" + Long.toHexString(seed);
    broker.createTopic(topic, 2);
    StreamScenario scenario =
        new StreamScenario(root, topic, broker.bootstrapServers()).generate(seed, 2000, 60);
    scenario.produce(broker.bootstrapServers());
    FeatureRepo repo = FeatureRepo.load(root, Map.of());
    try (RegistryStore registry = RegistryStores.open(repo.config())) {
      RegistryPlan.of(registry.load(), repo.definitions()).apply(registry, "test", null);
    }
    try (RocksDbOnlineStore store =
        RocksDbOnlineStore.open(StreamScenario.PROJECT, root.resolve("data/online.db"))) {
      IngestionMetrics metrics = new IngestionMetrics();
      IngestorTest.runUntilDone(
          scenario.ingestor(
              repo.definitions(),
              store,
              broker.bootstrapServers(),
              IngestOptions.DEFAULTS.withLogRoll(500, Duration.ofSeconds(1)),
              metrics),
          metrics,
          scenario.messages.size());
    }

    Instant newest = EpochNanos.toInstant(scenario.newestEvent());
    List<Instant> instants =
        List.of(
            newest,
            newest.plusNanos(1),
            newest.plus(Duration.ofMinutes(7)),
            newest.plus(Duration.ofHours(2)));
    List<Object> cards = new ArrayList<>();
    scenario.messages.stream()
        .map(StreamScenario.Message::card)
        .distinct()
        .sorted()
        .forEach(cards::add);
    StringBuilder csv = new StringBuilder("card_id,event_timestamp\n");
    for (Instant t : instants) {
      for (Object card : cards) {
        csv.append(card).append(',').append(t).append('\n');
      }
    }
    Path entities = Files.writeString(root.resolve("entities.csv"), csv);
    List<String> references = new ArrayList<>(List.of("card_last:amount", "card_last:merchant"));
    try (FeatureStore store = FeatureStore.open(root)) {
      store
          .registry()
          .definitions()
          .featureView("card_spend")
          .orElseThrow()
          .featureNames()
          .forEach(f -> references.add("card_spend:" + f));
      int compared = 0;
      int present = 0;
      try (TrainingSet offline =
          store.historicalFeatures(
              HistoricalRequest.builder().entities(entities).features(references).build())) {
        VectorSchemaRoot table = offline.table();
        for (int i = 0; i < instants.size(); i++) {
          OnlineResponse online =
              store.onlineFeatures(
                  OnlineRequest.ofFeatures(references, Map.of("card_id", cards))
                      .withAsOf(instants.get(i)));
          for (int c = 0; c < cards.size(); c++) {
            int row = i * cards.size() + c;
            for (String reference : references) {
              String feature = reference.substring(reference.indexOf(':') + 1);
              Object expected = table.getVector(feature).getObject(row);
              Object actual = online.column(feature).values().get(c);
              String what =
                  "seed "
                      + seed
                      + ": card "
                      + cards.get(c)
                      + " "
                      + feature
                      + " at "
                      + instants.get(i);
              if (expected instanceof Double e && actual instanceof Double a) {
                assertThat(a)
                    .as(what)
                    .isCloseTo(e, org.assertj.core.data.Offset.offset(Math.abs(e) * 1e-9 + 1e-9));
              } else {
                assertThat(String.valueOf(actual)).as(what).isEqualTo(String.valueOf(expected));
              }
              compared++;
              if (actual != null && !"0".equals(String.valueOf(actual))) {
                present++;
              }
            }
          }
        }
      }
      assertThat(compared).isEqualTo(instants.size() * cards.size() * references.size());
      assertThat(present).as("values that are neither null nor 0").isGreaterThan(compared / 3);
    }
  }
}
