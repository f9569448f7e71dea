package dev.quiver.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.offline.testing.ParquetFixtures;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceChecksTest {

  @TempDir Path repo;

  @BeforeEach
  void writeSource() {
    ParquetFixtures.write(
        repo.resolve("stats.parquet"),
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
    SourceChecks.Result result =
        SourceChecks.check(
            declaring(ValueType.scalar(ScalarType.FLOAT64), ValueType.scalar(ScalarType.INT32)),
            repo);

    assertThat(result.errors())
        .extracting(Problem::message)
        .containsExactly(
            "source 'stats_source': column 'conv_rate' of stats.parquet is FLOAT, expected float64"
                + " (feature view 'stats'); declare float32, the column's type");
  }

  @Test
  void theColumnsOwnTypePasses() {
    SourceChecks.Result result =
        SourceChecks.check(
            declaring(ValueType.scalar(ScalarType.FLOAT32), ValueType.scalar(ScalarType.INT32)),
            repo);

    assertThat(result.errors()).isEmpty();
    assertThat(result.warnings()).isEmpty();
  }

  @Test
  void int32ColumnsStillServeInt64FeaturesAsTheirValuesShowUnchanged() {
    SourceChecks.Result result =
        SourceChecks.check(
            declaring(ValueType.scalar(ScalarType.FLOAT32), ValueType.scalar(ScalarType.INT64)),
            repo);

    assertThat(result.errors()).isEmpty();
  }
}
