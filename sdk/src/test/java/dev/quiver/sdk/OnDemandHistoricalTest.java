package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.offline.io.PendingFile;
import dev.quiver.offline.io.TrainingSetFiles;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.registry.InvalidRequestException;
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
 * A training set with on-demand features through the embedded store, from YAML definitions: request
 * fields read from the entity file's columns (a CSV column read as the field's type), the input
 * features read but not returned, the manifest's record of the on-demand view, and {@code
 * reproduce}.
 */
class OnDemandHistoricalTest {

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
        on_demand_feature_views:
          - name: txn_risk
            inputs: [card_spend]
            request: [{name: amount, type: float64}]
            features:
              - {name: amount_over_hour, type: float64, expression: "amount / (card_spend.amount_sum_1h + 1.0)"}
              - {name: burst, type: bool, expression: "card_spend.count_1h > 1"}
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
  void aTrainingSetWithOnDemandFeaturesIsWrittenAndReproduced() throws IOException {
    writeRepo(4.0);
    apply();
    Path entities =
        Files.writeString(
            out.resolve("entities.csv"),
            """
            card_id,event_timestamp,amount
            1,2026-03-02T10:30:00Z,70
            2,2026-03-02T10:30:00Z,3
            """);
    Path first = out.resolve("first.csv");
    try (FeatureStore store = FeatureStore.open(repo)) {
      HistoricalRequest request =
          HistoricalRequest.builder()
              .entities(entities)
              .features(
                  List.of("txn_risk:amount_over_hour", "card_spend:count_1h", "txn_risk:burst"))
              .build();
      DatasetManifest manifest = store.writeHistoricalFeatures(request, first);
      assertThat(manifest.features())
          .containsExactly("txn_risk:amount_over_hour", "card_spend:count_1h", "txn_risk:burst");
      assertThat(manifest.definitions().toString()).contains("txn_risk");
      // amount_sum_1h is read for the expression but not returned; the amount column, read as
      // the request field's float64, is written as one.
      List<String> expected =
          List.of(
              "card_id,event_timestamp,amount,amount_over_hour,count_1h,burst",
              "1,2026-03-02T10:30:00Z,70.0,10.0,2,true",
              "2,2026-03-02T10:30:00Z,3.0,3.0,0,false");
      assertThat(Files.readAllLines(first)).containsExactlyElementsOf(expected);

      try (TrainingSet whole = store.historicalFeatures(request)) {
        assertThat(whole.table().getSchema().getFields())
            .extracting(f -> f.getName())
            .containsExactly(
                "card_id", "event_timestamp", "amount", "amount_over_hour", "count_1h", "burst");
      }

      Path again = out.resolve("again.csv");
      store.reproduce(DatasetManifest.pathFor(first), again);
      assertThat(Files.readAllLines(again)).isEqualTo(expected);
    }
  }

  @Test
  void anEntityFileWithoutTheRequestColumnIsRefused() throws IOException {
    writeRepo(4.0);
    apply();
    Path entities =
        Files.writeString(
            out.resolve("entities.csv"),
            """
            card_id,event_timestamp
            1,2026-03-02T10:30:00Z
            """);
    try (FeatureStore store = FeatureStore.open(repo)) {
      assertThatThrownBy(
              () ->
                  store.writeHistoricalFeatures(
                      HistoricalRequest.builder()
                          .entities(entities)
                          .features(List.of("txn_risk"))
                          .build(),
                      out.resolve("set.csv")))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage(
              "Cannot retrieve features of on-demand feature view 'txn_risk': the entity rows have"
                  + " no column 'amount', a request field of on-demand feature view 'txn_risk'");
    }
  }
}
