package dev.quiver.offline.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.EpochNanos;
import dev.quiver.offline.io.EntityFiles;
import dev.quiver.offline.resources.Reservation;
import dev.quiver.offline.testing.GoldenFiles;
import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.offline.testing.TestMemory;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pins each edge of the point-in-time rule with a small scenario whose expected output lives in
 * {@code src/test/resources/golden}. Each entity row carries a {@code case} column saying what it
 * checks. The golden files are written by running this test with {@code
 * -Dquiver.golden.update=true} ({@code mvn -pl offline-store test -Dtest=PointInTimeJoinGoldenTest
 * -Dquiver.golden.update=true}); review their diff before committing.
 */
class PointInTimeJoinGoldenTest {

  private static final Entity DRIVER =
      new Entity("driver", "driver_id", ScalarType.INT64, null, null, Map.of(), null);

  @TempDir Path dir;

  private static long at(String instant) {
    return EpochNanos.of(Instant.parse(instant));
  }

  private static Map<String, Object> row(Object... keyValues) {
    Map<String, Object> row = new HashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      row.put((String) keyValues[i], keyValues[i + 1]);
    }
    return row;
  }

  @Test
  void edgesOfThePointInTimeRule() throws IOException {
    String schema =
        "message stats { optional int64 driver_id; optional int64 ts (TIMESTAMP(%s,true));"
            + " optional int64 created (TIMESTAMP(%s,true)); optional int64 value; }";
    ParquetFixtures.write(
        dir.resolve("stats/part-0.parquet"),
        schema.formatted("MICROS", "MICROS"),
        List.of(
            row(
                "driver_id",
                1L,
                "ts",
                at("2026-03-02T10:00:00Z"),
                "created",
                at("2026-03-02T10:05:00Z"),
                "value",
                100L),
            row(
                "driver_id",
                1L,
                "ts",
                at("2026-03-02T10:00:00Z"),
                "created",
                at("2026-03-02T10:06:00Z"),
                "value",
                101L),
            row(
                "driver_id",
                2L,
                "ts",
                at("2026-03-02T10:00:00Z"),
                "created",
                at("2026-03-02T10:01:00Z"),
                "value",
                201L),
            row(
                "driver_id",
                3L,
                "ts",
                at("2026-03-02T10:00:00Z"),
                "created",
                at("2026-03-02T10:05:00Z"),
                "value",
                300L),
            row(
                "driver_id",
                4L,
                "ts",
                at("2026-03-02T10:00:00Z"),
                "created",
                at("2026-03-02T10:00:00Z"),
                "value",
                400L),
            row("driver_id", 5L, "ts", at("2026-03-02T11:00:00Z"), "value", 500L),
            row("driver_id", 5L, "ts", at("2026-03-02T12:00:00Z")),
            row("ts", at("2026-03-02T10:00:00Z"), "value", 999L),
            row("driver_id", 6L, "value", 600L)),
        0);
    ParquetFixtures.write(
        dir.resolve("stats/part-1.parquet"),
        schema.formatted("NANOS", "NANOS"),
        List.of(
            row("driver_id", 2L, "ts", at("2026-03-02T10:00:00Z"), "value", 200L),
            row(
                "driver_id",
                3L,
                "ts",
                at("2026-03-02T10:00:00Z"),
                "created",
                at("2026-03-02T10:05:00Z"),
                "value",
                301L)),
        0);
    FeatureView view =
        FeatureView.builder("stats")
            .entities("driver")
            .source("stats_source")
            .ttl(Duration.ofHours(1))
            .features(Feature.of("value", ValueType.scalar(ScalarType.INT64)))
            .build();
    Definitions definitions =
        new Definitions(
            List.of(DRIVER),
            List.of(
                new ParquetSource("stats_source", "stats", "ts", "created", Map.of(), null, null)),
            List.of(view),
            List.of());
    Files.writeString(
        dir.resolve("entities.csv"),
        """
        case,driver_id,event_timestamp
        entity time equal to the feature time is included,1,2026-03-02T10:00:00Z
        later created timestamp wins a tie,1,2026-03-02T10:30:00Z
        null created timestamp loses,2,2026-03-02T10:30:00Z
        full tie goes to the later file,3,2026-03-02T10:30:00Z
        exactly ttl old is included,4,2026-03-02T11:00:00Z
        one nanosecond past the ttl is excluded,4,2026-03-02T11:00:00.000000001Z
        earlier than all data,1,2026-03-02T09:00:00Z
        a null value stays null,5,2026-03-02T12:30:00Z
        the row before the null one,5,2026-03-02T11:30:00Z
        duplicate entity row,1,2026-03-02T10:30:00Z
        duplicate entity row,1,2026-03-02T10:30:00Z
        null join key,,2026-03-02T10:30:00Z
        key absent from the data,99,2026-03-02T10:30:00Z
        source rows without a timestamp are skipped,6,2026-03-02T10:30:00Z
        offset timestamps are UTC,1,2026-03-02T11:30:00+01:00
        """);

    PointInTimeJoin.Result result =
        join(definitions, List.of("stats:value"), dir.resolve("entities.csv"));
    try (result) {
      assertThat(result.skippedNullKeyRows()).isEqualTo(1);
      assertThat(result.skippedNullTimestampRows()).isEqualTo(1);
      assertGolden("point_in_time_edges.csv", result);
    }
  }

  /**
   * A view known by its created time: a correction written after an entity row's time is not seen
   * by it, whatever its event time; a row without a created time is known from its event time.
   */
  @Test
  void aViewKnownByItsCreatedTimeDoesNotSeeLaterCorrections() throws IOException {
    ParquetFixtures.write(
        dir.resolve("scores.parquet"),
        "message scores { optional int64 driver_id; optional int64 ts (TIMESTAMP(MICROS,true));"
            + " optional int64 created (TIMESTAMP(MICROS,true)); optional int64 value; }",
        List.of(
            // Driver 1: a value, corrected two days later with the same event time.
            row(
                "driver_id",
                1L,
                "ts",
                at("2026-03-02T10:00:00Z"),
                "created",
                at("2026-03-02T10:00:00Z"),
                "value",
                100L),
            row(
                "driver_id",
                1L,
                "ts",
                at("2026-03-02T10:00:00Z"),
                "created",
                at("2026-03-04T09:00:00Z"),
                "value",
                101L),
            // Driver 2: an older row known in time, a newer one written late.
            row(
                "driver_id",
                2L,
                "ts",
                at("2026-03-02T08:00:00Z"),
                "created",
                at("2026-03-02T08:00:00Z"),
                "value",
                200L),
            row(
                "driver_id",
                2L,
                "ts",
                at("2026-03-02T11:00:00Z"),
                "created",
                at("2026-03-03T00:00:00Z"),
                "value",
                201L),
            // Driver 3: no created time: known from its event time.
            row("driver_id", 3L, "ts", at("2026-03-02T10:00:00Z"), "value", 300L)),
        0);
    Definitions definitions =
        new Definitions(
            List.of(DRIVER),
            List.of(
                new ParquetSource(
                    "scores_source", "scores.parquet", "ts", "created", Map.of(), null, null)),
            List.of(
                FeatureView.builder("scores")
                    .entities("driver")
                    .source("scores_source")
                    .knownTime(KnownTime.CREATED)
                    .features(Feature.of("value", ValueType.scalar(ScalarType.INT64)))
                    .build()),
            List.of());
    Files.writeString(
        dir.resolve("entities.csv"),
        """
        case,driver_id,event_timestamp
        before the correction was made: the first value,1,2026-03-03T12:00:00Z
        after the correction was made: the correction,1,2026-03-04T09:00:00Z
        the late row not known yet: the older row,2,2026-03-02T12:00:00Z
        the late row known: it wins,2,2026-03-03T00:00:00Z
        no created time: known at its event time,3,2026-03-02T10:00:00Z
        """);

    try (PointInTimeJoin.Result result =
        join(definitions, List.of("scores:value"), dir.resolve("entities.csv"))) {
      assertGolden("known_time_created.csv", result);
    }
  }

  @Test
  void everyTimestampUnitIsReadAtFullPrecision() throws IOException {
    List<FeatureView> views = new ArrayList<>();
    List<ParquetSource> sources = new ArrayList<>();
    long instant = at("2026-03-02T10:00:00.123Z");
    for (String unit : List.of("MILLIS", "MICROS", "NANOS", "INT96")) {
      String name = unit.toLowerCase(java.util.Locale.ROOT);
      String column =
          unit.equals("INT96")
              ? "required int96 ts;"
              : "required int64 ts (TIMESTAMP(" + unit + ",false));";
      ParquetFixtures.write(
          dir.resolve(name + ".parquet"),
          "message m { required int64 driver_id; " + column + " required int64 " + name + "; }",
          List.of(row("driver_id", 1L, "ts", instant, name, 1L)),
          0);
      sources.add(
          new ParquetSource(name + "_source", name + ".parquet", "ts", null, Map.of(), null, null));
      views.add(
          FeatureView.builder(name + "_view")
              .entities("driver")
              .source(name + "_source")
              .features(Feature.of(name, ValueType.scalar(ScalarType.INT64)))
              .build());
    }
    Definitions definitions = new Definitions(List.of(DRIVER), sources, views, List.of());
    Files.writeString(
        dir.resolve("entities.csv"),
        """
        case,driver_id,event_timestamp
        one nanosecond before the value,1,2026-03-02T10:00:00.122999999Z
        at the value,1,2026-03-02T10:00:00.123Z
        naive timestamps are UTC,1,2026-03-02 10:00:00.123
        """);

    try (PointInTimeJoin.Result result =
        join(
            definitions,
            List.of(
                "millis_view:millis", "micros_view:micros", "nanos_view:nanos", "int96_view:int96"),
            dir.resolve("entities.csv"))) {
      assertGolden("timestamp_units.csv", result);
    }
  }

  private final Reservation memory = TestMemory.reserve("golden join");
  private final BufferAllocator allocator = memory.allocator();

  @org.junit.jupiter.api.AfterEach
  void freeMemory() {
    memory.close();
  }

  private PointInTimeJoin.Result join(
      Definitions definitions, List<String> features, Path entities) {
    EntityFiles.Loaded loaded =
        EntityFiles.read(entities, Map.of("driver_id", ScalarType.INT64), allocator);
    try (EntityTable table = EntityTable.of(loaded.root())) {
      return PointInTimeJoin.run(
          table,
          FeatureSelection.of(definitions, features),
          definitions,
          dir,
          false,
          new JoinOptions(2, Long.MAX_VALUE, dir.resolve("spill")),
          memory,
          JoinProgress.NONE);
    }
  }

  private void assertGolden(String name, PointInTimeJoin.Result result) throws IOException {
    GoldenFiles.assertGolden(name, result.table(), dir, allocator);
  }
}
