package dev.quiver.materializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.EpochNanos;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Expectation;
import dev.quiver.registry.model.Expectation.Rule;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValidationMode;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.rules.ValidationRejectedException;
import dev.quiver.registry.rules.ValidationReport;
import dev.quiver.registry.store.ProcessMaterializationLog;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules on materialization into RocksDB: a reject view whose window breaks a rule stops the whole
 * run before anything is written; a warn view is written and its report counted.
 */
class MaterializeValidationTest {

  private static final Instant START = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant END = Instant.parse("2026-03-02T00:00:00Z");

  @TempDir Path repo;

  private static Map<String, Object> row(long driver, String ts, Double rate) {
    Map<String, Object> row = new HashMap<>();
    row.put("driver_id", driver);
    row.put("ts", EpochNanos.of(Instant.parse(ts)));
    row.put("rate", rate);
    return row;
  }

  /** Drivers 1-5 fine on 03-01; driver 3 below 0 at 10:00 and driver 4 missing at 11:00. */
  private Definitions definitions(ValidationMode mode) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (long driver = 1; driver <= 5; driver++) {
      rows.add(row(driver, "2026-03-01T08:00:00Z", 0.1 * driver));
    }
    rows.add(row(3, "2026-03-01T10:00:00Z", -0.5));
    rows.add(row(4, "2026-03-01T11:00:00Z", null));
    rows.add(row(5, "2026-03-03T11:00:00Z", -7.0));
    ParquetFixtures.write(
        repo.resolve("data/rates.parquet"),
        "message rates { required int64 driver_id; required int64 ts (TIMESTAMP(MICROS,true));"
            + " optional double rate; }",
        rows,
        0);
    Feature checked =
        new Feature(
            "rate",
            ValueType.scalar(ScalarType.FLOAT64),
            null,
            Map.of(),
            new Expectation(true, 0.0, 1.0, List.of(), null));
    return new Definitions(
        List.of(new Entity("driver", "driver_id", ScalarType.INT64, null, null, Map.of(), null)),
        List.of(
            new ParquetSource(
                "rates_source", "data/rates.parquet", "ts", null, Map.of(), null, null)),
        List.of(
            FeatureView.builder("rates")
                .entities("driver")
                .source("rates_source")
                .validation(mode)
                .features(checked)
                .build(),
            FeatureView.builder("unchecked")
                .entities("driver")
                .source("rates_source")
                .features(Feature.of("rate", ValueType.scalar(ScalarType.FLOAT64)))
                .build()),
        List.of());
  }

  private static boolean stored(OnlineStore store, String view, long driver) {
    return store
            .read(
                List.of(
                    new OnlineStore.Key(
                        view,
                        EntityKeyCodec.encode(
                            Map.of("driver_id", driver), Map.of("driver_id", ScalarType.INT64)))))
            .get(0)
        != null;
  }

  @Test
  void aRejectViewThatBreaksARuleIsSkippedAndTheRunsOtherViewsWritten() {
    ProcessMaterializationLog log = new ProcessMaterializationLog("rocksdb");
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open("rides", repo.resolve("online"));
        MemoryBudget memory = new MemoryBudget(1L << 30)) {
      Materializer materializer =
          new Materializer(
              definitions(ValidationMode.REJECT),
              repo,
              store,
              log,
              MaterializationOptions.defaults(),
              memory);

      assertThatThrownBy(
              () -> materializer.materialize(START, END, List.of(), MaterializationProgress.NONE))
          .isInstanceOf(ValidationRejectedException.class)
          .hasMessage(
              "Cannot materialize: feature view 'rates' rejects rows that break its rules"
                  + " (validation: reject): 2 rules broken in 7 rows: rate: not_null true: 1 row, e.g. driver_id=4 at"
                  + " 2026-03-01T11:00:00Z: null; rate: min 0: 1 row, e.g. driver_id=3 at"
                  + " 2026-03-01T10:00:00Z: -0.5; nothing of it was written; the run's other"
                  + " views were written: unchecked")
          .satisfies(
              e -> {
                ValidationReport report = ((ValidationRejectedException) e).reports().get(0);
                assertThat(report.failures())
                    .extracting(f -> f.rule())
                    .containsExactly(Rule.NOT_NULL, Rule.MIN);
              });
      for (long driver = 1; driver <= 5; driver++) {
        assertThat(stored(store, "rates", driver)).isFalse();
        assertThat(stored(store, "unchecked", driver)).as("the run's other view").isTrue();
      }
      assertThat(log.states()).containsOnlyKeys("unchecked");

      // A window without the bad rows passes and is written.
      List<Materializer.ViewResult> results =
          materializer.materialize(
              START,
              Instant.parse("2026-03-01T09:00:00Z"),
              List.of(),
              MaterializationProgress.NONE);
      assertThat(results.get(0).validation().passed()).isTrue();
      assertThat(results.get(0).rowsWritten()).isEqualTo(5);
      assertThat(stored(store, "rates", 3)).isTrue();
    }
  }

  /** An engine that does not check rules (the Spark engine) is never handed a reject view. */
  @Test
  void anEngineThatDoesNotCheckRulesIsRefusedARejectView() {
    class Untouched implements MaterializationEngine {
      @Override
      public Copied latest(
          FeatureView view, ParquetSource source, List<Entity> entities, long start, long end) {
        throw new AssertionError("the engine was asked to copy " + view.name());
      }

      @Override
      public Copied tiles(
          FeatureView view,
          ParquetSource source,
          List<Entity> entities,
          long start,
          long end,
          long knownNewest) {
        throw new AssertionError("the engine was asked to copy " + view.name());
      }
    }
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open("rides", repo.resolve("online"));
        MemoryBudget memory = new MemoryBudget(1L << 30)) {
      Materializer materializer =
          new Materializer(
              definitions(ValidationMode.REJECT),
              repo,
              store,
              new ProcessMaterializationLog("rocksdb"),
              MaterializationOptions.defaults(),
              memory,
              new Untouched());
      assertThatThrownBy(
              () -> materializer.materialize(START, END, List.of(), MaterializationProgress.NONE))
          .isInstanceOf(dev.quiver.registry.InvalidRequestException.class)
          .hasMessage(
              "Cannot materialize feature view 'rates' with Untouched: it has validation: reject,"
                  + " and that engine does not check expect rules; materialize it with the"
                  + " embedded engine (offline_store: file), or check the window first with quiver"
                  + " validate and drop validation: reject");
    }
  }

  @Test
  void aWarnViewIsWrittenAndItsReportCounted() {
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open("rides", repo.resolve("online"));
        MemoryBudget memory = new MemoryBudget(1L << 30)) {
      List<Materializer.ViewResult> results =
          new Materializer(
                  definitions(ValidationMode.WARN),
                  repo,
                  store,
                  new ProcessMaterializationLog("rocksdb"),
                  MaterializationOptions.defaults(),
                  memory)
              .materialize(START, END, List.of(), MaterializationProgress.NONE);

      Materializer.ViewResult rates = results.get(0);
      assertThat(rates.rowsWritten()).isEqualTo(5);
      assertThat(stored(store, "rates", 3)).isTrue();
      assertThat(rates.validation().failures())
          .extracting(f -> f.feature() + " " + f.rule().yaml() + " " + f.rows())
          .containsExactly("rate not_null 1", "rate min 1");
      assertThat(results.get(1).validation()).as("a view without rules").isNull();
      List<String> lines = Materializer.summaryLines(results, null);
      assertThat(lines)
          .contains(
              "rates: 7 rows checked, 2 rules broken (validation: warn).",
              "  rate: min 0: 1 row, e.g. driver_id=3 at 2026-03-01T10:00:00Z: -0.5");
    }
  }
}
