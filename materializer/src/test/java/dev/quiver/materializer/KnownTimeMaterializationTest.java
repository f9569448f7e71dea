package dev.quiver.materializer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.EpochNanos;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.InMemoryOnlineStore;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.ValueCodec;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.store.ProcessMaterializationLog;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Materializing a view known by its created time: as of END only rows created by END count, and an
 * incremental run takes the corrections made since the last one, whatever their event time.
 */
class KnownTimeMaterializationTest {

  private static final Feature VALUE = Feature.of("value", ValueType.scalar(ScalarType.INT64));

  @TempDir Path repo;

  private static long at(String instant) {
    return EpochNanos.of(Instant.parse(instant));
  }

  private static Map<String, Object> row(long driver, String ts, String created, long value) {
    Map<String, Object> row = new HashMap<>();
    row.put("driver_id", driver);
    row.put("ts", at(ts));
    row.put("created", created == null ? null : at(created));
    row.put("value", value);
    return row;
  }

  private Definitions definitions(KnownTime knownTime) {
    ParquetFixtures.write(
        repo.resolve("data/scores.parquet"),
        "message scores { required int64 driver_id; required int64 ts (TIMESTAMP(MICROS,true));"
            + " optional int64 created (TIMESTAMP(MICROS,true)); required int64 value; }",
        List.of(
            row(1, "2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", 100),
            // The same event, corrected two days later.
            row(1, "2026-03-02T10:00:00Z", "2026-03-04T09:00:00Z", 101),
            // A row without a created time is known from its event time.
            row(2, "2026-03-02T10:00:00Z", null, 200)),
        0);
    return new Definitions(
        List.of(new Entity("driver", "driver_id", ScalarType.INT64, null, null, Map.of(), null)),
        List.of(
            new ParquetSource(
                "scores_source", "data/scores.parquet", "ts", "created", Map.of(), null, null)),
        List.of(
            FeatureView.builder("scores")
                .entities("driver")
                .source("scores_source")
                .knownTime(knownTime)
                .features(VALUE)
                .build()),
        List.of());
  }

  private static Object value(OnlineStore store, long driver) {
    byte[] row =
        store
            .read(
                List.of(
                    new OnlineStore.Key(
                        "scores",
                        EntityKeyCodec.encode(
                            Map.of("driver_id", driver), Map.of("driver_id", ScalarType.INT64)))))
            .get(0);
    return row == null ? null : ValueCodec.decode(row).value(VALUE).orElseThrow().orElse(null);
  }

  @Test
  void asOfEndOnlyRowsCreatedByEndCountAndIncrementalRunsPickUpLaterCorrections() {
    Definitions definitions = definitions(KnownTime.CREATED);
    InMemoryOnlineStore store = new InMemoryOnlineStore("rides");
    try (MemoryBudget memory = new MemoryBudget(1L << 30)) {
      Materializer materializer =
          new Materializer(
              definitions,
              repo,
              store,
              new ProcessMaterializationLog("memory"),
              MaterializationOptions.defaults(),
              memory);
      materializer.materializeIncremental(
          Instant.parse("2026-03-03T00:00:00Z"), List.of(), MaterializationProgress.NONE);
      assertThat(value(store, 1)).as("the correction is not known on 03-03").isEqualTo(100L);
      assertThat(value(store, 2)).isEqualTo(200L);

      List<Materializer.ViewResult> later =
          materializer.materializeIncremental(
              Instant.parse("2026-03-05T00:00:00Z"), List.of(), MaterializationProgress.NONE);
      assertThat(later.get(0).rowsWritten()).isEqualTo(1);
      assertThat(value(store, 1))
          .as("known on 03-04, its event time before the last run's end")
          .isEqualTo(101L);
    }
  }

  @Test
  void aViewKnownByItsEventTimeTakesTheCorrectionAtOnce() {
    Definitions definitions = definitions(KnownTime.EVENT);
    InMemoryOnlineStore store = new InMemoryOnlineStore("rides");
    try (MemoryBudget memory = new MemoryBudget(1L << 30)) {
      new Materializer(
              definitions,
              repo,
              store,
              new ProcessMaterializationLog("memory"),
              MaterializationOptions.defaults(),
              memory)
          .materialize(
              Instant.parse("2026-03-01T00:00:00Z"),
              Instant.parse("2026-03-03T00:00:00Z"),
              List.of(),
              MaterializationProgress.NONE);
      assertThat(value(store, 1)).isEqualTo(101L);
    }
  }
}
