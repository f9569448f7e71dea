package dev.quiver.offline.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.EpochNanos;
import dev.quiver.offline.io.EntityFiles;
import dev.quiver.offline.io.ValueText;
import dev.quiver.offline.resources.Reservation;
import dev.quiver.offline.testing.GoldenFiles;
import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.offline.testing.TestMemory;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.Aggregation;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.OnDemandFeature;
import dev.quiver.registry.model.OnDemandFeatureView;
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
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training sets with on-demand features: every type entering CEL and every null rule (DESIGN.md,
 * "On-demand features"), pinned by {@code src/test/resources/golden/on_demand_types.csv}. Each
 * entity row carries a {@code case} column saying what it checks. The golden file is written by
 * {@code mvn -pl offline-store test -Dtest=OnDemandJoinTest -Dquiver.golden.update=true}; review
 * its diff before committing.
 */
class OnDemandJoinTest {

  private static final Entity DRIVER =
      new Entity("driver", "driver_id", ScalarType.INT64, null, null, Map.of(), null);

  private static final ValueType FLOAT64 = ValueType.scalar(ScalarType.FLOAT64);
  private static final ValueType INT64 = ValueType.scalar(ScalarType.INT64);
  private static final ValueType BOOL = ValueType.scalar(ScalarType.BOOL);

  /** The features the golden test asks for, in request order: stored and computed mixed. */
  private static final List<String> REQUESTED =
      List.of(
          "od:f32_widened",
          "stats:i64",
          "od:i32_narrowed",
          "od:f32_rounded",
          "od:int_division",
          "od:long_overflow",
          "od:double_division",
          "od:null_default",
          "od:null_plus",
          "od:short_circuit",
          "od:not_flag",
          "od:name_bang",
          "od:blob_bang",
          "od:hour_later",
          "od:list_size",
          "od:list_doubled",
          "od:count_plus_one",
          "stats:flag",
          "od:amount_over");

  @TempDir Path dir;

  private final Reservation memory = TestMemory.reserve("on-demand join");
  private final BufferAllocator allocator = memory.allocator();
  private Definitions definitions;

  @AfterEach
  void freeMemory() {
    memory.close();
  }

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

  private static OnDemandFeature computed(String name, ValueType type, String expression) {
    return OnDemandFeature.of(name, type, expression);
  }

  @BeforeEach
  void writeRepo() {
    ParquetFixtures.write(
        dir.resolve("stats/part-0.parquet"),
        "message stats { optional int64 driver_id; optional int64 ts (TIMESTAMP(MICROS,true));"
            + " optional int32 i32; optional int64 i64; optional float f32; optional double f64;"
            + " optional boolean flag; optional binary name (STRING); optional binary blob;"
            + " optional int64 at (TIMESTAMP(MILLIS,false));"
            + " optional group nums (LIST) { repeated group list { optional int64 element; } } }",
        List.of(
            row(
                "driver_id",
                1L,
                "ts",
                at("2026-03-02T10:00:00Z"),
                "i32",
                4,
                "i64",
                10L,
                "f32",
                0.1f,
                "f64",
                1.0,
                "flag",
                true,
                "name",
                "ab",
                "blob",
                new byte[] {1, 2},
                "at",
                at("2026-03-02T09:30:00.123Z"),
                "nums",
                List.of(1L, 2L)),
            row(
                "driver_id",
                2L,
                "ts",
                at("2026-03-02T10:00:00Z"),
                "i32",
                0,
                "i64",
                3_000_000_000L,
                "f32",
                -2.5f,
                "f64",
                -3.0,
                "flag",
                false,
                "name",
                "",
                "blob",
                new byte[0],
                "at",
                at("1969-12-31T23:59:59.999Z"),
                "nums",
                List.of()),
            // Driver 3: a row whose every value is null.
            row("driver_id", 3L, "ts", at("2026-03-02T10:00:00Z"))),
        0);
    ParquetFixtures.write(
        dir.resolve("events/part-0.parquet"),
        "message events { optional int64 driver_id; optional int64 ts (TIMESTAMP(MICROS,true));"
            + " optional double amount; }",
        List.of(
            row("driver_id", 1L, "ts", at("2026-03-02T10:10:00Z"), "amount", 5.0),
            row("driver_id", 1L, "ts", at("2026-03-02T10:20:00Z"), "amount", 7.0)),
        0);
    FeatureView stats =
        FeatureView.builder("stats")
            .entities("driver")
            .source("stats_source")
            .ttl(Duration.ofHours(1))
            .features(
                Feature.of("i32", ValueType.scalar(ScalarType.INT32)),
                Feature.of("i64", INT64),
                Feature.of("f32", ValueType.scalar(ScalarType.FLOAT32)),
                Feature.of("f64", FLOAT64),
                Feature.of("flag", BOOL),
                Feature.of("name", ValueType.scalar(ScalarType.STRING)),
                Feature.of("blob", ValueType.scalar(ScalarType.BYTES)),
                Feature.of("at", ValueType.scalar(ScalarType.TIMESTAMP)),
                Feature.of("nums", ValueType.listOf(ScalarType.INT64)))
            .build();
    FeatureView spend =
        FeatureView.builder("spend")
            .entities("driver")
            .source("events")
            .aggregations(
                List.of(
                    new Aggregation(
                        null, null, AggregationFunction.COUNT, List.of(Duration.ofHours(1)))))
            .build();
    OnDemandFeatureView od =
        new OnDemandFeatureView(
            "od",
            List.of("stats", "spend"),
            List.of(Feature.of("amount", FLOAT64), Feature.of("tip", FLOAT64)),
            List.of(
                computed("f32_widened", FLOAT64, "stats.f32"),
                computed("i32_narrowed", ValueType.scalar(ScalarType.INT32), "stats.i64 * 2"),
                computed("f32_rounded", ValueType.scalar(ScalarType.FLOAT32), "stats.f64 / 3.0"),
                computed("int_division", INT64, "stats.i64 / stats.i32"),
                computed("long_overflow", INT64, "stats.i64 + 9223372036854775000"),
                computed("double_division", FLOAT64, "stats.f64 / 0.0"),
                computed("null_default", FLOAT64, "stats.f64 == null ? -1.0 : stats.f64"),
                computed("null_plus", FLOAT64, "stats.f64 + 1.0"),
                computed("short_circuit", BOOL, "false && (1 / 0 == 1)"),
                computed("not_flag", BOOL, "!stats.flag"),
                computed("name_bang", ValueType.scalar(ScalarType.STRING), "stats.name + '!'"),
                computed("blob_bang", ValueType.scalar(ScalarType.BYTES), "stats.blob + b'!'"),
                computed(
                    "hour_later",
                    ValueType.scalar(ScalarType.TIMESTAMP),
                    "stats.at + duration('1h')"),
                computed("list_size", INT64, "size(stats.nums)"),
                computed(
                    "list_doubled", ValueType.listOf(ScalarType.INT64), "stats.nums.map(x, x * 2)"),
                computed("count_plus_one", INT64, "spend.count_1h + 1"),
                computed("amount_over", FLOAT64, "amount / (stats.f64 + 1.0)"),
                computed("unrequested", FLOAT64, "stats.f64 * 2.0"),
                computed("tip_plus", FLOAT64, "tip + 1.0")));
    definitions =
        new Definitions(
            List.of(DRIVER),
            List.of(
                new ParquetSource("stats_source", "stats", "ts", null, Map.of(), null, null),
                new ParquetSource("events", "events", "ts", null, Map.of(), null, null)),
            List.of(stats, spend),
            List.of(),
            List.of(),
            List.of(od));
  }

  private static final String ENTITIES =
      """
      case,driver_id,event_timestamp,amount
      every type; an integer amount column widens to float64,1,2026-03-02T10:30:00Z,100
      zero divisors; past int32; long overflow; empty string bytes and list,2,2026-03-02T10:30:00Z,50
      a null value is CEL null; a null amount,3,2026-03-02T10:30:00Z,
      outside the ttl is CEL null; an empty window counts 0,1,2026-03-02T12:00:00Z,10
      key not found is CEL null,99,2026-03-02T10:30:00Z,10
      """;

  @Test
  void everyTypeAndNullRuleMatchesTheGoldenFile() throws IOException {
    Files.writeString(dir.resolve("entities.csv"), ENTITIES);
    try (PointInTimeJoin.Result result =
        run(REQUESTED, dir.resolve("entities.csv"), new JoinOptions(2, Long.MAX_VALUE, spill()))) {
      List<String> columns =
          result.table().getSchema().getFields().stream().map(f -> f.getName()).toList();
      List<String> expected =
          new ArrayList<>(List.of("case", "driver_id", "event_timestamp", "amount"));
      REQUESTED.forEach(r -> expected.add(r.substring(r.indexOf(':') + 1)));
      // Only the requested features, in request order: inputs read for the expressions are not.
      assertThat(columns).containsExactlyElementsOf(expected);
      GoldenFiles.assertGolden("on_demand_types.csv", result.table(), dir, allocator);
    }
  }

  @Test
  void aMissingRequestColumnIsRefusedNamingItAndTheView() throws IOException {
    Files.writeString(
        dir.resolve("entities.csv"),
        """
        driver_id,event_timestamp
        1,2026-03-02T10:30:00Z
        """);
    assertThatThrownBy(
            () ->
                run(
                    List.of("od:amount_over"),
                    dir.resolve("entities.csv"),
                    new JoinOptions(1, Long.MAX_VALUE, spill())))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "Cannot retrieve features of on-demand feature view 'od': the entity rows have no"
                + " column 'amount', a request field of on-demand feature view 'od'");
  }

  @Test
  void everyMissingRequestColumnIsNamedAtOnce() throws IOException {
    Files.writeString(
        dir.resolve("entities.csv"),
        """
        driver_id,event_timestamp
        1,2026-03-02T10:30:00Z
        """);
    assertThatThrownBy(
            () ->
                run(
                    List.of("od:amount_over", "od:tip_plus"),
                    dir.resolve("entities.csv"),
                    new JoinOptions(1, Long.MAX_VALUE, spill())))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "Cannot retrieve on-demand features: the entity rows have no columns for the request"
                + " fields 'amount' (of on-demand feature view 'od'), 'tip' (of on-demand feature"
                + " view 'od')");
  }

  @Test
  void aRequestColumnOfAnotherTypeIsRefused() throws IOException {
    Files.writeString(
        dir.resolve("entities.csv"),
        """
        driver_id,event_timestamp,amount
        1,2026-03-02T10:30:00Z,lots
        """);
    assertThatThrownBy(
            () ->
                run(
                    List.of("od:amount_over"),
                    dir.resolve("entities.csv"),
                    new JoinOptions(1, Long.MAX_VALUE, spill())))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith(
            "Cannot retrieve features of on-demand feature view 'od': the entity column 'amount'"
                + " is string, but the request field is float64");
  }

  /**
   * In chunks of a few rows, and with many rows (so that evaluation runs over row ranges on several
   * threads) in a few chunks, the sources read once or again per chunk: the same rows as one chunk
   * on one thread.
   */
  @Test
  void chunksAndThreadsGiveTheSameRowsAsOneChunk() throws IOException {
    assertSameRowsInChunks(23, 5, 3);
    // Only the first case's row: CEL errors (the other cases' nulls) are slow to make.
    assertSameRowsInChunks(2 * OnDemandOutput.MIN_TASK_ROWS + 17, 1, 10_000);
  }

  /** {@code rows} entity rows cycling through the first {@code cases} rows of the golden test. */
  private void assertSameRowsInChunks(int rows, int cases, int chunkRows) throws IOException {
    StringBuilder entities = new StringBuilder("case,driver_id,event_timestamp,amount\n");
    String[] lines = ENTITIES.strip().split("\n");
    for (int i = 0; i < rows; i++) {
      entities.append(lines[1 + i % cases]).append('\n');
    }
    Files.writeString(dir.resolve("entities.csv"), entities);
    List<String> expected;
    try (PointInTimeJoin.Result one =
        run(REQUESTED, dir.resolve("entities.csv"), new JoinOptions(1, Long.MAX_VALUE, spill()))) {
      expected = rowsOf(one.table());
    }
    assertThat(expected).hasSize(rows);
    for (long budget : new long[] {Long.MAX_VALUE, 1}) {
      List<String> chunked = new ArrayList<>();
      JoinOptions options = new JoinOptions(2, budget, spill()).withChunkRows(chunkRows);
      EntityFiles.Loaded loaded =
          EntityFiles.read(
              dir.resolve("entities.csv"), Map.of("driver_id", ScalarType.INT64), allocator);
      try (EntityTable table = EntityTable.of(loaded.root())) {
        PointInTimeJoin.runInChunks(
            table,
            FeatureSelection.of(definitions, REQUESTED),
            definitions,
            dir,
            false,
            options,
            memory,
            JoinProgress.NONE,
            chunk -> chunked.addAll(rowsOf(chunk)));
      }
      assertThat(chunked)
          .as("%d rows in chunks of %d, budget %d", rows, chunkRows, budget)
          .isEqualTo(expected);
    }
  }

  private Path spill() {
    return dir.resolve("spill");
  }

  private PointInTimeJoin.Result run(List<String> features, Path entities, JoinOptions options) {
    EntityFiles.Loaded loaded =
        EntityFiles.read(entities, Map.of("driver_id", ScalarType.INT64), allocator);
    try (EntityTable table = EntityTable.of(loaded.root())) {
      return PointInTimeJoin.run(
          table,
          FeatureSelection.of(definitions, features),
          definitions,
          dir,
          false,
          options,
          memory,
          JoinProgress.NONE);
    }
  }

  private static List<String> rowsOf(VectorSchemaRoot table) {
    List<String> rows = new ArrayList<>();
    for (int row = 0; row < table.getRowCount(); row++) {
      StringBuilder text = new StringBuilder();
      for (FieldVector vector : table.getFieldVectors()) {
        text.append(vector.getName())
            .append('=')
            .append(vector.isNull(row) ? "null" : ValueText.format(vector, row))
            .append(' ');
      }
      rows.add(text.toString());
    }
    return rows;
  }
}
