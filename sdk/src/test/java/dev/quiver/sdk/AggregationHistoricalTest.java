package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.offline.io.PendingFile;
import dev.quiver.offline.io.TrainingSetFiles;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training set with aggregation features through the embedded store, from YAML definitions: the
 * values, the manifest's record of the aggregation view and its source, and {@code reproduce}.
 */
class AggregationHistoricalTest {

  @TempDir Path repo;
  @TempDir Path out;

  private static long at(String instant) {
    Instant i = Instant.parse(instant);
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /** The repo, its latest transaction of {@code lastAmount}. */
  private void writeRepo(double lastAmount) throws IOException {
    Files.writeString(
        repo.resolve("feature_store.yaml"), "project: spend\nregistry: data/registry.json\n");
    Files.writeString(
        repo.resolve("definitions.yaml"),
        """
        entities:
          - {name: card, join_key: card_id, type: int64}
        sources:
          - name: transactions
            path: data/transactions.parquet
            timestamp_field: ts
        feature_views:
          - name: card_spend
            entities: [card]
            source: transactions
            aggregations:
              - {column: amount, type: float64, function: sum, windows: [1h, 1d]}
              - {function: count, windows: [1h]}
        """);
    Files.createDirectories(repo.resolve("data"));
    try (RootAllocator allocator = new RootAllocator();
        BigIntVector cards = new BigIntVector("card_id", allocator);
        TimeStampNanoTZVector ts = new TimeStampNanoTZVector("ts", allocator, "UTC");
        Float8Vector amounts = new Float8Vector("amount", allocator)) {
      long[] times = {
        at("2026-03-02T08:00:00Z"), at("2026-03-02T09:30:00Z"), at("2026-03-02T10:10:00Z")
      };
      double[] values = {1.0, 2.0, lastAmount};
      cards.allocateNew(3);
      ts.allocateNew(3);
      amounts.allocateNew(3);
      for (int i = 0; i < 3; i++) {
        cards.set(i, 1);
        ts.set(i, times[i]);
        amounts.set(i, values[i]);
      }
      try (VectorSchemaRoot table = new VectorSchemaRoot(List.of(cards, ts, amounts))) {
        table.setRowCount(3);
        try (PendingFile file = PendingFile.beside(repo.resolve("data/transactions.parquet"))) {
          TrainingSetFiles.write(table, file, allocator);
          file.commit();
        }
      }
    }
  }

  private void apply() {
    FeatureRepo loaded = FeatureRepo.load(repo, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan.of(registry.load(), loaded.definitions()).apply(registry, "test", null);
    }
  }

  @Test
  void aTrainingSetWithAggregationFeaturesIsWrittenAndReproduced() throws IOException {
    writeRepo(4.0);
    apply();
    Path entities =
        Files.writeString(
            out.resolve("entities.csv"),
            """
            card_id,event_timestamp
            1,2026-03-02T10:30:00Z
            2,2026-03-02T10:30:00Z
            """);
    Path first = out.resolve("first.csv");
    try (FeatureStore store = FeatureStore.open(repo)) {
      DatasetManifest manifest =
          store.writeHistoricalFeatures(
              HistoricalRequest.builder()
                  .entities(entities)
                  .features(List.of("card_spend"))
                  .build(),
              first);
      assertThat(manifest.sources()).extracting(s -> s.view()).containsOnly("card_spend");
      assertThat(manifest.definitions().toString()).contains("aggregations");
      // 1h of 10:30 (hop 5m) starts at 09:30; 1d (hop 1h) at 2026-03-01T10:00.
      assertThat(Files.readAllLines(first))
          .containsExactly(
              "card_id,event_timestamp,amount_sum_1h,amount_sum_1d,count_1h",
              "1,2026-03-02T10:30:00Z,6.0,7.0,2",
              "2,2026-03-02T10:30:00Z,0.0,0.0,0");

      Path again = out.resolve("again.csv");
      store.reproduce(DatasetManifest.pathFor(first), again);
      assertThat(Files.readAllLines(again)).isEqualTo(Files.readAllLines(first));

      writeRepo(5.0);
      assertThatThrownBy(
              () -> store.reproduce(DatasetManifest.pathFor(first), out.resolve("third.csv")))
          .isInstanceOf(InputsChangedException.class)
          .hasMessageStartingWith(
              "Cannot reproduce: an input changed since the manifest was written:")
          .hasMessageContaining(
              "source file of 'card_spend' " + repo.resolve("data/transactions.parquet"));
    }
  }
}
