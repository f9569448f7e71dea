package dev.quiver.registry.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.EpochNanos;
import dev.quiver.registry.model.Expectation;
import dev.quiver.registry.model.Expectation.Rule;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValidationMode;
import dev.quiver.registry.model.ValueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RuleCheckerTest {

  private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");

  private static final FeatureView VIEW =
      FeatureView.builder("stats")
          .entities("driver")
          .source("s")
          .validation(ValidationMode.REJECT)
          .features(
              new Feature(
                  "rate",
                  ValueType.scalar(ScalarType.FLOAT64),
                  null,
                  Map.of(),
                  new Expectation(true, 0.0, 1.0, List.of(), null)),
              new Feature(
                  "city",
                  ValueType.scalar(ScalarType.STRING),
                  null,
                  Map.of(),
                  new Expectation(false, null, null, List.of("paris", "rome"), 0.25)),
              new Feature(
                  "trips",
                  ValueType.scalar(ScalarType.INT32),
                  null,
                  Map.of(),
                  new Expectation(false, null, null, List.of(1L, 2L), null)),
              Feature.of("free", ValueType.scalar(ScalarType.INT64)))
          .build();

  record TestRow(long driver, long eventNanos, Map<String, Object> values)
      implements RuleChecker.Row {
    @Override
    public Object value(String feature) {
      return values.get(feature);
    }

    @Override
    public Map<String, Object> keys() {
      return Map.of("driver_id", driver);
    }
  }

  private static TestRow row(long driver, int minute, Object rate, Object city, Object trips) {
    Map<String, Object> values = new HashMap<>();
    values.put("rate", rate);
    values.put("city", city);
    values.put("trips", trips);
    values.put("free", -5L);
    return new TestRow(driver, EpochNanos.of(T0.plusSeconds(60L * minute)), values);
  }

  @Test
  void countsEachRuleAndKeepsTheEarliestExamples() {
    List<TestRow> rows =
        List.of(
            row(1, 5, -0.5, "paris", 1),
            row(2, 1, 1.5, "rome", 2),
            row(3, 3, Double.NaN, "oslo", 3),
            row(4, 0, null, null, null),
            row(5, 9, -1.0, "paris", 2),
            row(6, 2, 0.5, "paris", 1),
            row(7, 4, -2.0, "paris", 1));

    ValidationReport report = RuleChecker.of(VIEW).check(rows);

    assertThat(report.rows()).isEqualTo(7);
    assertThat(report.rejected()).isTrue();
    assertThat(report.failures())
        .extracting(f -> f.feature() + " " + f.rule().yaml() + " " + f.bound() + ": " + f.rows())
        .containsExactly(
            "rate not_null true: 1",
            "rate min 0: 4",
            "rate max 1: 2",
            "city in [paris, rome]: 1",
            "trips in [1, 2]: 1");
    ValidationReport.Failure min = report.failures().get(1);
    // NaN breaks min and max; the three earliest of the four rows below 0 are kept.
    assertThat(min.examples())
        .extracting(ValidationReport.Example::keys)
        .containsExactly(Map.of("driver_id", 3L), Map.of("driver_id", 7L), Map.of("driver_id", 1L));
    assertThat(min.describe(7))
        .isEqualTo(
            "rate: min 0: 4 rows, e.g. driver_id=3 at 2026-03-01T00:03:00Z: NaN;"
                + " driver_id=7 at 2026-03-01T00:04:00Z: -2.0;"
                + " driver_id=1 at 2026-03-01T00:05:00Z: -0.5");
    // One null city in 7 rows is under a quarter: max_null_fraction holds.
    assertThat(report.failures()).noneMatch(f -> f.rule() == Rule.MAX_NULL_FRACTION);
    Map<String, Object> json = report.asMap();
    assertThat(json).containsEntry("feature_view", "stats").containsEntry("passed", false);
    assertThat(report.lines(null).get(0))
        .isEqualTo("stats: 7 rows checked, 5 rules broken (validation: reject).");
  }

  @Test
  void maxNullFractionCountsOnTheBatch() {
    List<TestRow> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(row(i, i, 0.5, i < 3 ? null : "paris", 1));
    }
    ValidationReport report = RuleChecker.of(VIEW).check(rows);
    assertThat(report.failures()).hasSize(1);
    assertThat(report.failures().get(0).describe(10))
        .startsWith("city: max_null_fraction 0.25: 3 rows of 10 null (0.300), e.g. driver_id=0");
    assertThat(RuleChecker.of(VIEW).check(rows.subList(2, 10)).passed()).isTrue();
  }

  /** Tallies merged in any order give the report one tally of all rows gives. */
  @Test
  void mergedTalliesGiveTheSameReportWhateverTheOrder() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    List<TestRow> rows = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      rows.add(
          row(
              random.nextInt(50),
              random.nextInt(100),
              random.nextInt(10) == 0 ? null : random.nextDouble() * 1.2 - 0.1,
              random.nextInt(5) == 0 ? "oslo" : "rome",
              random.nextInt(3) + 1));
    }
    RuleChecker checker = RuleChecker.of(VIEW);
    ValidationReport whole = checker.check(rows);
    List<TestRow> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, random);
    RuleChecker.Tally merged = checker.tally();
    for (int part = 0; part < 5; part++) {
      RuleChecker.Tally tally = checker.tally();
      shuffled.subList(part * 100, part * 100 + 100).forEach(tally::add);
      merged.merge(tally);
    }
    assertThat(merged.report()).as("seed %d", seed).isEqualTo(whole);
  }

  @Test
  void boundsCompareInTheFeaturesOwnType() {
    long big = (1L << 53) + 1;
    FeatureView view =
        FeatureView.builder("typed")
            .entities("driver")
            .source("s")
            .validation(ValidationMode.REJECT)
            .features(
                new Feature(
                    "low",
                    ValueType.scalar(ScalarType.FLOAT32),
                    null,
                    Map.of(),
                    new Expectation(false, 0.7, null, List.of(), null)),
                new Feature(
                    "high",
                    ValueType.scalar(ScalarType.FLOAT32),
                    null,
                    Map.of(),
                    new Expectation(false, null, 0.1, List.of(), null)),
                new Feature(
                    "count",
                    ValueType.scalar(ScalarType.INT64),
                    null,
                    Map.of(),
                    new Expectation(false, null, (double) (1L << 53), List.of(), null)))
            .build();
    RuleChecker checker = RuleChecker.of(view);
    long t = EpochNanos.of(T0);
    // 0.7f and 0.1f are the bounds themselves in float32: (double) 0.7f < 0.7, (double) 0.1f > 0.1.
    ValidationReport ok =
        checker.check(
            List.of(new TestRow(1, t, Map.of("low", 0.7f, "high", 0.1f, "count", 1L << 53))));
    assertThat(ok.failures()).isEmpty();
    // One float step past each bound breaks it; 2^53 + 1 breaks max 2^53 (equal as doubles).
    ValidationReport broken =
        checker.check(
            List.of(
                new TestRow(
                    2,
                    t,
                    Map.of("low", Math.nextDown(0.7f), "high", Math.nextUp(0.1f), "count", big))));
    assertThat(broken.failures())
        .extracting(f -> f.feature() + "/" + f.rule().yaml())
        .containsExactly("low/min", "high/max", "count/max");
  }
}
