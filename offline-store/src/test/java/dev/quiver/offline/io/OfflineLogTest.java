package dev.quiver.offline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.EpochNanos;
import dev.quiver.QuiverException;
import dev.quiver.offline.join.EntityTable;
import dev.quiver.offline.join.JoinOptions;
import dev.quiver.offline.join.JoinProgress;
import dev.quiver.offline.join.PointInTimeJoin;
import dev.quiver.offline.parquet.SourceFiles;
import dev.quiver.offline.resources.Reservation;
import dev.quiver.offline.testing.TestMemory;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfflineLogTest {

  private static final Entity DRIVER =
      new Entity("driver", "driver_id", ScalarType.INT64, null, null, Map.of(), null);

  /** Every scalar type and two list types, one feature each. */
  private static final List<Feature> FEATURES =
      List.of(
          Feature.of("f_bool", ValueType.scalar(ScalarType.BOOL)),
          Feature.of("f_int32", ValueType.scalar(ScalarType.INT32)),
          Feature.of("f_int64", ValueType.scalar(ScalarType.INT64)),
          Feature.of("f_float32", ValueType.scalar(ScalarType.FLOAT32)),
          Feature.of("f_float64", ValueType.scalar(ScalarType.FLOAT64)),
          Feature.of("f_string", ValueType.scalar(ScalarType.STRING)),
          Feature.of("f_bytes", ValueType.scalar(ScalarType.BYTES)),
          Feature.of("f_timestamp", ValueType.scalar(ScalarType.TIMESTAMP)),
          Feature.of("f_ints", ValueType.listOf(ScalarType.INT64)),
          Feature.of("f_strings", ValueType.listOf(ScalarType.STRING)));

  // conv is the file's name of the feature f_float64, as in a source with a field_mapping.
  private static final ParquetSource SOURCE =
      new ParquetSource(
          "stats_source", "data/stats", "ts", "created", Map.of("conv", "f_float64"), null, null);

  @TempDir Path repo;

  private final Reservation memory = TestMemory.reserve("offline log");
  private final BufferAllocator allocator = memory.allocator();

  @AfterEach
  void freeMemory() {
    memory.close();
  }

  private static Map<String, ValueType> columns() {
    Map<String, ValueType> columns = new LinkedHashMap<>();
    columns.put("driver_id", ValueType.scalar(ScalarType.INT64));
    FEATURES.forEach(f -> columns.put(f.name(), f.type()));
    return columns;
  }

  private static long at(String instant) {
    return EpochNanos.of(Instant.parse(instant));
  }

  private static Map<String, Object> everyType(long driver, int n) {
    Map<String, Object> row = new HashMap<>();
    row.put("driver_id", driver);
    row.put("f_bool", n % 2 == 0);
    row.put("f_int32", n);
    row.put("f_int64", 10_000_000_000L + n);
    row.put("f_float32", 0.11275855f * n);
    row.put("f_float64", 0.1 * n);
    row.put("f_string", "é-" + n);
    row.put("f_bytes", new byte[] {(byte) n, 0, (byte) 255});
    row.put("f_timestamp", Instant.parse("2026-03-02T10:00:00.123456789Z").plusSeconds(n));
    row.put("f_ints", Arrays.asList(1L, null, (long) n));
    row.put("f_strings", List.of());
    return row;
  }

  @Test
  void appendedRowsReadBackThroughThePointInTimeJoinWithEveryTypeAndNull() throws IOException {
    Path folder = OfflineLog.directoryOf(SOURCE, repo);
    assertThat(folder).isDirectory().isEqualTo(repo.resolve("data/stats"));
    try (OfflineLog.Batch batch = new OfflineLog.Batch(SOURCE, columns(), allocator)) {
      batch.add(at("2026-03-02T10:00:00.000000001Z"), at("2026-03-02T10:00:05Z"), everyType(1, 1));
      // A later row of driver 1 with the same event time and an earlier created time loses.
      batch.add(at("2026-03-02T10:00:00.000000001Z"), at("2026-03-02T10:00:01Z"), everyType(1, 9));
      Map<String, Object> nulls = new HashMap<>();
      nulls.put("driver_id", 2L);
      nulls.put("f_strings", Arrays.asList("a", null));
      batch.add(at("2026-03-02T11:00:00Z"), nulls);
      assertThat(batch.rows()).isEqualTo(3);
      String name = OfflineLog.pushFileName(Instant.parse("2026-03-02T11:00:00Z"));
      assertThat(name).matches("push-20260302T110000\\.000000000-[0-9a-f]{8}\\.parquet");
      assertThat(batch.writeTo(folder, name)).isTrue();
    }
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files.map(f -> f.getFileName().toString()).toList())
          .as("only the committed file, no temporary one")
          .singleElement()
          .asString()
          .startsWith("push-");
    }

    FeatureView view =
        FeatureView.builder("stats")
            .entities("driver")
            .source("stats_source")
            .ttl(Duration.ofDays(1))
            .features(FEATURES.toArray(Feature[]::new))
            .build();
    Definitions definitions =
        new Definitions(List.of(DRIVER), List.of(SOURCE), List.of(view), List.of());
    Files.writeString(
        repo.resolve("entities.csv"),
        """
        driver_id,event_timestamp
        1,2026-03-02T10:00:00Z
        1,2026-03-02T10:00:00.000000001Z
        2,2026-03-02T12:00:00Z
        """);
    List<String> references = FEATURES.stream().map(f -> "stats:" + f.name()).toList();
    EntityFiles.Loaded loaded =
        EntityFiles.read(
            repo.resolve("entities.csv"), Map.of("driver_id", ScalarType.INT64), allocator);
    try (EntityTable table = EntityTable.of(loaded.root());
        PointInTimeJoin.Result result =
            PointInTimeJoin.run(
                table,
                FeatureSelection.of(definitions, references),
                definitions,
                repo,
                false,
                new JoinOptions(2, Long.MAX_VALUE, repo.resolve("spill")),
                memory,
                JoinProgress.NONE)) {
      VectorSchemaRoot joined = result.table();
      assertThat(row(joined, 0).values()).as("before the event time").containsOnlyNulls();
      Map<String, Object> expected = everyType(1, 1);
      Map<String, Object> first = row(joined, 1);
      for (Feature feature : FEATURES) {
        Object value = first.get(feature.name());
        Object want = expected.get(feature.name());
        if (want instanceof byte[] bytes) {
          assertThat((byte[]) value).as(feature.name()).isEqualTo(bytes);
        } else {
          assertThat(value).as(feature.name()).isEqualTo(want);
        }
      }
      Map<String, Object> second = row(joined, 2);
      assertThat(second.get("f_strings")).isEqualTo(Arrays.asList("a", null));
      second.remove("f_strings");
      assertThat(second.values()).as("nulls stay null").containsOnlyNulls();
    }
  }

  /** The joined row as Java values (timestamps as Instant, lists as lists, text as String). */
  private static Map<String, Object> row(VectorSchemaRoot table, int row) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Feature feature : FEATURES) {
      FieldVector vector = table.getVector(feature.name());
      Object value;
      if (vector.isNull(row)) {
        value = null;
      } else if (vector instanceof TimeStampVector timestamps) {
        ArrowType.Timestamp type = (ArrowType.Timestamp) vector.getField().getType();
        assertThat(type.getUnit()).isEqualTo(org.apache.arrow.vector.types.TimeUnit.NANOSECOND);
        value = EpochNanos.toInstant(timestamps.get(row));
      } else {
        value = vector.getObject(row);
        if (value instanceof org.apache.arrow.vector.util.Text text) {
          value = text.toString();
        }
        if (value instanceof List<?> list) {
          List<Object> copy = new ArrayList<>();
          for (Object item : list) {
            copy.add(item instanceof org.apache.arrow.vector.util.Text t ? t.toString() : item);
          }
          value = copy;
        }
      }
      values.put(feature.name(), value);
    }
    return values;
  }

  @Test
  void theFileCarriesTheSourcesColumnNamesAndNanosecondTimestamps() {
    Schema schema = OfflineLog.schema(SOURCE, columns());
    assertThat(schema.getFields().stream().map(Field::getName))
        .contains("conv", "ts", "created")
        .doesNotContain("f_float64");
    assertThat(schema.findField("ts").getType())
        .isEqualTo(
            new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.NANOSECOND, "UTC"));
    assertThatThrownBy(
            () -> OfflineLog.schema(SOURCE, Map.of("ts", ValueType.scalar(ScalarType.TIMESTAMP))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "Cannot append rows to source 'stats_source': ts and timestamp_field are both its"
                + " column 'ts'");
  }

  @Test
  void aReplayedNameWritesNothingAndLeavesTheFile() throws IOException {
    Path folder = OfflineLog.directoryOf(SOURCE, repo);
    String name = OfflineLog.streamFileName("trips", 3, 0, 1);
    try (OfflineLog.Batch batch = new OfflineLog.Batch(SOURCE, columns(), allocator)) {
      batch.add(at("2026-03-02T10:00:00Z"), everyType(1, 1));
      assertThat(batch.writeTo(folder, name)).isTrue();
    }
    byte[] written = Files.readAllBytes(folder.resolve(name));
    try (OfflineLog.Batch batch = new OfflineLog.Batch(SOURCE, columns(), allocator)) {
      batch.add(at("2026-03-02T10:00:00Z"), everyType(1, 2));
      batch.add(at("2026-03-02T10:00:01Z"), everyType(1, 3));
      assertThat(batch.writeTo(folder, name)).isFalse();
    }
    assertThat(folder.resolve(name)).hasBinaryContent(written);
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files.count()).as("no temporary file left").isEqualTo(1);
    }
  }

  @Test
  void aWriteThatFailsMidwayLeavesNoFileVisibleOrHidden() throws IOException {
    Path folder = OfflineLog.directoryOf(SOURCE, repo);
    // A column Parquet cannot take fails the write after its temporary file was created.
    Schema schema =
        new Schema(
            List.of(
                new Field("ok", FieldType.nullable(new ArrowType.Int(64, true)), null),
                new Field("bad", FieldType.nullable(new ArrowType.Decimal(10, 2, 128)), null)));
    try (VectorSchemaRoot rows = VectorSchemaRoot.create(schema, allocator)) {
      rows.allocateNew();
      rows.setRowCount(0);
      assertThatThrownBy(() -> OfflineLog.write(folder, "push-x.parquet", rows, allocator))
          .isInstanceOf(QuiverException.class)
          .hasMessageStartingWith("Cannot write column 'bad' to Parquet");
    }
    try (Stream<Path> files = Files.list(folder)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void aValueOfAnotherTypeIsRefusedAndLeavesTheBatchAsItWas() {
    try (OfflineLog.Batch batch = new OfflineLog.Batch(SOURCE, columns(), allocator)) {
      Map<String, Object> row = everyType(1, 1);
      row.put("f_int32", 5L);
      assertThatThrownBy(() -> batch.add(at("2026-03-02T10:00:00Z"), row))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage(
              "Cannot log a row to source 'stats_source': 'f_int32' is int32, not Long (5)");
      assertThatThrownBy(() -> batch.add(0, Map.of("nope", 1L)))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageStartingWith(
              "Cannot log a row to source 'stats_source': it has no column for 'nope'");
      assertThat(batch.rows()).isZero();
    }
  }

  @Test
  void sourceReadersSkipHiddenAndUnderscoreFiles() throws IOException {
    Path folder = OfflineLog.directoryOf(SOURCE, repo);
    String name = OfflineLog.pushFileName(Instant.parse("2026-03-02T10:00:00Z"));
    try (OfflineLog.Batch batch = new OfflineLog.Batch(SOURCE, columns(), allocator)) {
      batch.add(at("2026-03-02T10:00:00Z"), everyType(1, 1));
      batch.writeTo(folder, name);
    }
    // What a writer leaves while writing, or after a crash.
    Files.writeString(folder.resolve("." + name + ".123.tmp"), "half");
    Files.writeString(folder.resolve(".slice-1.parquet"), "half");
    Files.writeString(folder.resolve("_temporary.parquet"), "half");
    Files.createDirectories(folder.resolve("_spark"));
    Files.writeString(folder.resolve("_spark/part-0.parquet"), "half");
    assertThat(SourceFiles.resolve(repo, SOURCE.path())).containsExactly(folder.resolve(name));
  }

  @Test
  void onlyAFolderTakesAppends() throws IOException {
    Files.createDirectories(repo.resolve("data"));
    Files.writeString(repo.resolve("data/one.parquet"), "");
    for (String path : List.of("data/one.parquet", "data/missing.parquet", "data/*.parquet")) {
      ParquetSource source = new ParquetSource("s", path, "ts", null, Map.of(), null, null);
      assertThatThrownBy(() -> OfflineLog.directoryOf(source, repo))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageStartingWith("Cannot append rows to source 's': its path '" + path + "' ")
          .hasMessageEndingWith(
              "; appends need a directory: set path to the folder holding its Parquet files");
    }
  }

  @Test
  void streamFileNamesSortByOffsetAndGiveTheLastLoggedOffset() throws IOException {
    String name = OfflineLog.streamFileName("trips.v1", 7, 42, 99);
    assertThat(name)
        .isEqualTo("stream-trips.v1-00007-00000000000000000042-00000000000000000099.parquet");
    assertThat(OfflineLog.streamRange("trips.v1", name))
        .contains(new OfflineLog.StreamRange(7, 42, 99));
    assertThat(OfflineLog.streamRange("trips", name)).isEmpty();
    assertThat(OfflineLog.streamRange("trips.v1", "push-x.parquet")).isEmpty();
    assertThat(OfflineLog.streamFileName("t", 0, 9, 10))
        .isLessThan(OfflineLog.streamFileName("t", 0, 10, 10));

    Path folder = OfflineLog.directoryOf(SOURCE, repo);
    assertThat(OfflineLog.lastLoggedOffset(folder, "trips", 0)).isEmpty();
    for (String file :
        List.of(
            OfflineLog.streamFileName("trips", 0, 0, 9),
            OfflineLog.streamFileName("trips", 0, 10, 19),
            OfflineLog.streamFileName("trips", 1, 0, 500),
            OfflineLog.streamFileName("trips-eu", 0, 0, 900),
            "." + OfflineLog.streamFileName("trips", 0, 20, 29) + ".1.tmp")) {
      Files.writeString(folder.resolve(file), "");
    }
    assertThat(OfflineLog.lastLoggedOffset(folder, "trips", 0)).isEqualTo(OptionalLong.of(19));
    assertThat(OfflineLog.lastLoggedOffset(folder, "trips", 1)).isEqualTo(OptionalLong.of(500));
    assertThat(OfflineLog.lastLoggedOffset(folder, "trips", 2)).isEmpty();
  }
}
