package dev.quiver.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.registry.RepoFixture;
import dev.quiver.registry.load.DefinitionLocations;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.load.Problem;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Parquet checks point at the key that names the column, and at the nearest column. */
class SourceChecksTest {

  @TempDir Path root;

  private static final String MERCHANT =
      """
      entities:
        - name: merchant
          join_key: merchant_id
          type: int64
      sources:
        - name: merchant_source
          path: data/merchant.parquet
          timestamp_field: updated
          field_mapping:
            amount_avg: avg_amount
      feature_views:
        - name: merchant_stats
          entities: [merchant]
          source: merchant_source
          features:
            - name: fraud_rate
              type: float64
            - name: txn_cont
              type: int64
            - name: avg_amount
              description: mean amount
              type: int64
      """;

  private FeatureRepo repo() {
    ParquetFixtures.write(
        root.resolve("data/merchant.parquet"),
        "message m { required int64 merchant_id; required int64 updated_at"
            + " (TIMESTAMP(MICROS,true)); required double fraud_rate; required int64 txn_count;"
            + " required double amount_avg; }",
        List.of(
            Map.of(
                "merchant_id", 1L,
                "updated_at", 1_700_000_000_000_000_000L,
                "fraud_rate", 0.5,
                "txn_count", 3L,
                "amount_avg", 12.5)),
        0);
    RepoFixture.empty(root)
        .write("feature_store.yaml", RepoFixture.CONFIG)
        .write("merchant.yaml", MERCHANT);
    return FeatureRepo.load(root, Map.of());
  }

  @Test
  void eachProblemIsAtTheKeyThatNamesTheColumnWithTheNearestColumn() {
    FeatureRepo repo = repo();

    SourceChecks.Result result =
        SourceChecks.check(repo.definitions(), repo.locations(), repo.config().root());

    assertThat(result.errors().stream().map(Problem::toString))
        .containsExactly(
            "merchant.yaml:8: source 'merchant_source': data/merchant.parquet has no column"
                + " 'updated' (its timestamp_field) (did you mean 'updated_at'?)",
            "merchant.yaml:18: source 'merchant_source': data/merchant.parquet has no column"
                + " 'txn_cont' (feature view 'merchant_stats') (did you mean 'txn_count'?)",
            "merchant.yaml:22: source 'merchant_source': column 'amount_avg' of"
                + " data/merchant.parquet is DOUBLE, expected int64 (feature view"
                + " 'merchant_stats'); declare float64, the column's type");
    assertThat(result.warnings()).isEmpty();
  }

  @Test
  void aColumnRenamedByFieldMappingIsReportedAtTheMapping() {
    FeatureRepo repo = repo();
    RepoFixture.empty(root)
        .write(
            "merchant.yaml",
            MERCHANT
                .replace("timestamp_field: updated", "timestamp_field: updated_at")
                .replace("txn_cont", "txn_count")
                .replace("amount_avg: avg_amount", "amount_avgg: avg_amount"));
    repo = FeatureRepo.load(root, Map.of());

    assertThat(
            SourceChecks.check(repo.definitions(), repo.locations(), root).errors().stream()
                .map(Problem::toString))
        .containsExactly(
            "merchant.yaml:10: source 'merchant_source': data/merchant.parquet has no column"
                + " 'amount_avgg' (feature view 'merchant_stats') (did you mean 'amount_avg'?)");
  }

  @Test
  void anAggregatedColumnIsCheckedAtItsAggregation() {
    FeatureRepo repo = repo();
    RepoFixture.empty(root)
        .write(
            "merchant.yaml",
            MERCHANT.replace("timestamp_field: updated", "timestamp_field: updated_at")
                + """
                  - name: merchant_activity
                    entities: [merchant]
                    source: merchant_source
                    aggregations:
                      - {function: count, windows: [1d]}
                      - {column: fraud_rate, type: float32, function: max, windows: [1d]}
                      - {column: txn_cont, type: int64, function: sum, windows: [1d, 7d]}
                """);
    repo = FeatureRepo.load(root, Map.of());

    assertThat(
            SourceChecks.check(repo.definitions(), repo.locations(), root).errors().stream()
                .map(Problem::toString))
        .containsExactlyInAnyOrder(
            "merchant.yaml:18: source 'merchant_source': data/merchant.parquet has no column"
                + " 'txn_cont' (feature view 'merchant_stats') (did you mean 'txn_count'?)",
            "merchant.yaml:22: source 'merchant_source': column 'amount_avg' of"
                + " data/merchant.parquet is DOUBLE, expected int64 (feature view"
                + " 'merchant_stats'); declare float64, the column's type",
            "merchant.yaml:28: source 'merchant_source': column 'fraud_rate' of"
                + " data/merchant.parquet is DOUBLE, expected float32 (feature view"
                + " 'merchant_activity'); declare float64, the column's type",
            "merchant.yaml:29: source 'merchant_source': data/merchant.parquet has no column"
                + " 'txn_cont' (feature view 'merchant_activity') (did you mean 'txn_count'?)");
  }

  @Test
  void withoutLocationsProblemsPointAtTheObject() {
    FeatureRepo repo = repo();

    assertThat(
            SourceChecks.check(repo.definitions(), DefinitionLocations.NONE, root).errors().stream()
                .map(p -> p.location().line()))
        .containsExactly(6, 12, 12);
  }

  private void writeFloatSource() {
    ParquetFixtures.write(
        root.resolve("stats.parquet"),
        "message m { required int64 driver_id; required int64 ts (TIMESTAMP(MICROS,true));"
            + " optional float conv_rate; optional int32 trips; }",
        List.of(Map.of("driver_id", 1L, "ts", 0L, "conv_rate", 0.11275855f, "trips", 3)),
        0);
  }

  private static Definitions declaring(ValueType convRate, ValueType trips) {
    return new Definitions(
        List.of(new Entity("driver", "driver_id", ScalarType.INT64, null, null, Map.of(), null)),
        List.of(
            new ParquetSource("stats_source", "stats.parquet", "ts", null, Map.of(), null, null)),
        List.of(
            FeatureView.builder("stats")
                .entities("driver")
                .source("stats_source")
                .features(Feature.of("conv_rate", convRate), Feature.of("trips", trips))
                .build()),
        List.of());
  }

  @Test
  void float64DeclaredOverAFloat32ColumnIsRefusedWithTheTypeToDeclare() {
    writeFloatSource();
    SourceChecks.Result result =
        SourceChecks.check(
            declaring(ValueType.scalar(ScalarType.FLOAT64), ValueType.scalar(ScalarType.INT32)),
            DefinitionLocations.NONE,
            root);

    assertThat(result.errors())
        .extracting(Problem::message)
        .containsExactly(
            "source 'stats_source': column 'conv_rate' of stats.parquet is FLOAT, expected float64"
                + " (feature view 'stats'); declare float32, the column's type");
  }

  @Test
  void theColumnsOwnTypePasses() {
    writeFloatSource();
    SourceChecks.Result result =
        SourceChecks.check(
            declaring(ValueType.scalar(ScalarType.FLOAT32), ValueType.scalar(ScalarType.INT32)),
            DefinitionLocations.NONE,
            root);

    assertThat(result.errors()).isEmpty();
    assertThat(result.warnings()).isEmpty();
  }

  @Test
  void int32ColumnsStillServeInt64FeaturesAsTheirValuesShowUnchanged() {
    writeFloatSource();
    SourceChecks.Result result =
        SourceChecks.check(
            declaring(ValueType.scalar(ScalarType.FLOAT32), ValueType.scalar(ScalarType.INT64)),
            DefinitionLocations.NONE,
            root);

    assertThat(result.errors()).isEmpty();
  }
}
