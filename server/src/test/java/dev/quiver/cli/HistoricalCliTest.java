package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.EpochNanos;
import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver historical}, {@code reproduce} and the source checks of apply, in-process. */
class HistoricalCliTest {

  @TempDir Path dir;
  private Path repo;
  private Path entities;

  @BeforeEach
  void exampleRepo() {
    repo = dir.resolve("repo");
    ExampleRepo.createAt(repo);
    entities = ExampleData.writeEntityRows(repo, ExampleData.Options.defaults(), 200);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
  }

  @Test
  void writesATrainingSetAndReproducesItValueForValue() throws IOException {
    Path output = dir.resolve("train.csv");
    CliRun run =
        quiver(
            "historical",
            "--entities",
            entities.toString(),
            "--features",
            "driver_hourly_stats:conv_rate, customer_profile:segment",
            "--output",
            output.toString(),
            "--repo",
            repo.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("Wrote 200 rows with 2 features to " + output);
    assertThat(run.err()).as("no progress bar outside a terminal").isEmpty();
    List<String> lines = Files.readAllLines(output);
    assertThat(lines.get(0))
        .isEqualTo(
            "driver_id,customer_id,event_timestamp,trip_completed,fare_quote,conv_rate,segment");
    assertThat(lines).hasSize(201);

    Path again = dir.resolve("again.csv");
    CliRun reproduced =
        quiver("reproduce", output + ".manifest.json", "--output", again.toString());
    assertThat(reproduced.exitCode()).as(reproduced.err()).isZero();
    assertThat(Files.readAllLines(again)).isEqualTo(lines);
  }

  @Test
  void aFeatureServiceWithFullNames() throws IOException {
    Path output = dir.resolve("train.parquet");
    CliRun run =
        quiver(
            "historical",
            "--entities",
            entities.toString(),
            "--feature-service",
            "driver_activity_v1",
            "--full-feature-names",
            "--output",
            output.toString(),
            "--repo",
            repo.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("Wrote 200 rows with 6 features to " + output);
    assertThat(output).isRegularFile();
    assertThat(Files.readString(Path.of(output + ".manifest.json")))
        .contains("\"feature_service\" : \"driver_activity_v1\"")
        .contains("\"driver_hourly_stats:conv_rate\"");
  }

  @Test
  void featuresAndAServiceAreExclusive() {
    CliRun run =
        quiver(
            "historical",
            "--entities",
            entities.toString(),
            "--features",
            "driver_hourly_stats",
            "--feature-service",
            "driver_activity_v1",
            "--output",
            dir.resolve("x.csv").toString(),
            "--repo",
            repo.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("mutually exclusive");
  }

  @Test
  void anUnknownFeatureIsOneLine() {
    CliRun run =
        quiver(
            "historical",
            "--entities",
            entities.toString(),
            "--features",
            "driver_hourly_stat:conv_rate",
            "--output",
            dir.resolve("x.csv").toString(),
            "--repo",
            repo.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "quiver: Cannot retrieve features: there is no feature view 'driver_hourly_stat' (did"
                + " you mean 'driver_hourly_stats'?)\n");
    assertThat(dir.resolve("x.csv")).doesNotExist();
  }

  @Test
  void applyChecksSourceColumnsAndWarnsAboutMissingData() throws IOException {
    Path definitions = repo.resolve("driver_stats.yaml");
    String original = Files.readString(definitions);
    Files.writeString(
        definitions,
        original.replace(
            "{name: acc_rate, type: float32, expect: {min: 0, max: 1}}",
            "{name: acc_rate, type: string}"));
    CliRun wrongType = quiver("plan", "--repo", repo.toString());
    assertThat(wrongType.exitCode()).isEqualTo(1);
    assertThat(wrongType.err())
        .startsWith(
            "driver_stats.yaml:25: source 'driver_stats_source': column 'acc_rate' of"
                + " data/driver_stats.parquet is FLOAT, expected string (feature view"
                + " 'driver_hourly_stats'); declare float32, the column's type\n");

    Files.writeString(definitions, original);
    Files.delete(repo.resolve("data/customer_profile.parquet"));
    CliRun warned = quiver("plan", "--exit-code", "--repo", repo.toString());
    assertThat(warned.exitCode()).isZero();
    assertThat(warned.err())
        .isEqualTo(
            "warning: customer_profile.yaml:2: source 'customer_profile_source': path"
                + " 'data/customer_profile.parquet' matches no Parquet file yet\n");
    CliRun strict = quiver("apply", "--strict", "--repo", repo.toString());
    assertThat(strict.exitCode()).isEqualTo(1);
    assertThat(strict.err())
        .startsWith(
            "customer_profile.yaml:2: source 'customer_profile_source': path"
                + " 'data/customer_profile.parquet' matches no Parquet file yet");
  }

  /** {@code quiver historical} of one feature, with {@code options} added. */
  private CliRun historical(Path entityFile, Path output, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "historical",
                "--entities",
                entityFile.toString(),
                "--features",
                "driver_hourly_stats:conv_rate",
                "--output",
                output.toString(),
                "--repo",
                repo.toString()));
    args.addAll(List.of(options));
    return quiver(args.toArray(String[]::new));
  }

  private static MessageType footerSchema(Path parquet) throws IOException {
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(parquet))) {
      return reader.getFooter().getFileMetaData().getSchema();
    }
  }

  @Test
  void theEntityRowsTimesMayComeFromAColumnOfAnotherName() throws IOException {
    Path renamed = dir.resolve("bookings.csv");
    List<String> rows = new ArrayList<>(Files.readAllLines(entities));
    rows.set(0, rows.get(0).replace("event_timestamp", "booked_at"));
    Files.write(renamed, rows);
    Path output = dir.resolve("train.csv");

    CliRun refused = historical(renamed, output);
    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.err())
        .isEqualTo(
            "quiver: Cannot read entity rows from "
                + renamed.toAbsolutePath()
                + ": a CSV file needs an 'event_timestamp' column (found: driver_id, customer_id,"
                + " booked_at, trip_completed, fare_quote); name the column that holds the rows' times"
                + " instead (--timestamp-column)\n");

    CliRun run = historical(renamed, output, "--timestamp-column", "booked_at");
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> lines = Files.readAllLines(output);
    assertThat(lines.get(0))
        .isEqualTo("driver_id,customer_id,booked_at,trip_completed,fare_quote,conv_rate");
    assertThat(lines).hasSize(201);
    assertThat(Files.readString(Path.of(output + ".manifest.json")))
        .contains("\"timestamp_column\" : \"booked_at\"");

    // The same rows under the default name give the same values.
    Path usual = dir.resolve("usual.csv");
    historical(entities, usual);
    assertThat(lines.subList(1, lines.size()))
        .isEqualTo(Files.readAllLines(usual).subList(1, lines.size()));

    Path again = dir.resolve("again.csv");
    CliRun reproduced =
        quiver("reproduce", output + ".manifest.json", "--output", again.toString());
    assertThat(reproduced.exitCode()).as(reproduced.err()).isZero();
    assertThat(Files.readAllLines(again)).isEqualTo(lines);
  }

  @Test
  void csvEntityColumnsKeepTheTypeTheirValuesShowUnlessOneIsGiven() throws IOException {
    Path inferred = dir.resolve("inferred.parquet");
    CliRun run = historical(entities, inferred);
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(footerSchema(inferred).getType("trip_completed").asPrimitiveType())
        .isEqualTo(Types.optional(PrimitiveTypeName.INT64).named("trip_completed"));

    Path given = dir.resolve("given.parquet");
    run = historical(entities, given, "--column-type", "trip_completed=string");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(footerSchema(given).getType("trip_completed").asPrimitiveType())
        .isEqualTo(
            Types.optional(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named("trip_completed"));

    CliRun unknown =
        historical(entities, dir.resolve("x.parquet"), "--column-type", "trip_completed=text");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err())
        .startsWith(
            "Invalid value for option '--column-type': unknown type 'text' for column"
                + " 'trip_completed' (one of bool, int32, int64, float32, float64, string, bytes,"
                + " timestamp)");
  }

  /** The manifest of the example's entity rows joined into a Parquet file. */
  private Path manifestOfARunToParquet() {
    Path output = dir.resolve("train.parquet");
    CliRun run = historical(entities, output);
    assertThat(run.exitCode()).as(run.err()).isZero();
    return Path.of(output + ".manifest.json");
  }

  @Test
  void reproduceReadsEveryCsvColumnAsTheOriginalRunDid() throws IOException {
    Path manifest = manifestOfARunToParquet();
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree(manifest.toFile());
    assertThat(json.get("entity_column_types").toString())
        .isEqualTo(
            "{\"driver_id\":\"int64\",\"customer_id\":\"int64\","
                + "\"event_timestamp\":\"timestamp\",\"trip_completed\":\"int64\",\"fare_quote\":\"float64\"}");

    // As a Quiver inferring otherwise would find it: the recorded type is the one read.
    ((ObjectNode) json.get("entity_column_types")).put("trip_completed", "float64");
    Files.writeString(manifest, json.toString());
    Path again = dir.resolve("again.parquet");
    CliRun reproduced = quiver("reproduce", manifest.toString(), "--output", again.toString());
    assertThat(reproduced.exitCode()).as(reproduced.err()).isZero();
    assertThat(footerSchema(again).getType("trip_completed").asPrimitiveType())
        .isEqualTo(Types.optional(PrimitiveTypeName.DOUBLE).named("trip_completed"));
  }

  @Test
  void aManifestFromBeforeCsvInferenceReproducesWithItsColumnsAsText() throws IOException {
    Path manifest = manifestOfARunToParquet();
    ObjectNode json = (ObjectNode) new ObjectMapper().readTree(manifest.toFile());
    json.remove("entity_column_types");
    Files.writeString(manifest, json.toString());

    Path again = dir.resolve("again.parquet");
    CliRun reproduced = quiver("reproduce", manifest.toString(), "--output", again.toString());

    assertThat(reproduced.exitCode()).as(reproduced.err()).isZero();
    MessageType schema = footerSchema(again);
    assertThat(schema.getType("trip_completed").asPrimitiveType())
        .isEqualTo(
            Types.optional(PrimitiveTypeName.BINARY)
                .as(LogicalTypeAnnotation.stringType())
                .named("trip_completed"));
    assertThat(schema.getType("driver_id").asPrimitiveType().getPrimitiveTypeName())
        .isEqualTo(PrimitiveTypeName.INT64);
  }

  @Test
  void timestampsKeepTheUnitAndZoneFlagOfTheEntityFileAndOfTheSource() throws IOException {
    writeParquet(
        repo.resolve("data/logins.parquet"),
        "message m { required int64 driver_id; required int64 ts (TIMESTAMP(MILLIS,true));"
            + " optional int64 last_login (TIMESTAMP(MICROS,true)); }",
        List.of(
            Map.of(
                "driver_id",
                1001L,
                "ts",
                millis("2026-03-01T00:00:00Z"),
                "last_login",
                micros("2026-02-28T23:59:58.123456Z"))));
    Files.writeString(
        repo.resolve("logins.yaml"),
        """
        sources:
          - name: logins_source
            path: data/logins.parquet
            timestamp_field: ts
        feature_views:
          - name: logins
            entities: [driver]
            source: logins_source
            features:
              - {name: last_login, type: timestamp}
        """);
    CliRun applied = quiver("apply", "--repo", repo.toString());
    assertThat(applied.exitCode()).as(applied.err()).isZero();
    Path rows =
        writeParquet(
            dir.resolve("rows.parquet"),
            "message m { required int64 driver_id;"
                + " required int64 event_timestamp (TIMESTAMP(MICROS,false));"
                + " optional int64 signed_up (TIMESTAMP(MILLIS,true)); }",
            List.of(
                Map.of(
                    "driver_id",
                    1001L,
                    "event_timestamp",
                    micros("2026-03-02T05:00:00.000001Z"),
                    "signed_up",
                    millis("2025-01-01T08:30:00.250Z")),
                Map.of("driver_id", 1001L, "event_timestamp", micros("2026-02-28T00:00:00Z"))));

    Path parquet = dir.resolve("train.parquet");
    CliRun run =
        quiver(
            "historical",
            "--entities",
            rows.toString(),
            "--features",
            "logins:last_login",
            "--output",
            parquet.toString(),
            "--repo",
            repo.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();

    MessageType footer = footerSchema(parquet);
    assertThat(footer.getType("event_timestamp"))
        .isEqualTo(
            timestampColumn("event_timestamp", false, LogicalTypeAnnotation.TimeUnit.MICROS));
    assertThat(footer.getType("signed_up"))
        .isEqualTo(timestampColumn("signed_up", true, LogicalTypeAnnotation.TimeUnit.MILLIS));
    assertThat(footer.getType("last_login"))
        .isEqualTo(timestampColumn("last_login", true, LogicalTypeAnnotation.TimeUnit.MICROS));

    // The values are the same instants, whatever the unit: the training set read back as CSV.
    Path csv = dir.resolve("back.csv");
    CliRun again =
        quiver(
            "historical",
            "--entities",
            parquet.toString(),
            "--features",
            "driver_hourly_stats:avg_daily_trips",
            "--output",
            csv.toString(),
            "--repo",
            repo.toString());
    assertThat(again.exitCode()).as(again.err()).isZero();
    // (without the last column, the feature asked for to read them back)
    assertThat(Files.readAllLines(csv).stream().map(l -> l.substring(0, l.lastIndexOf(','))))
        .containsExactly(
            "driver_id,event_timestamp,signed_up,last_login",
            "1001,2026-03-02T05:00:00.000001Z,2025-01-01T08:30:00.250Z,2026-02-28T23:59:58.123456Z",
            "1001,2026-02-28T00:00:00Z,,");
  }

  private static PrimitiveType timestampColumn(
      String name, boolean adjustedToUtc, LogicalTypeAnnotation.TimeUnit unit) {
    return Types.optional(PrimitiveTypeName.INT64)
        .as(LogicalTypeAnnotation.timestampType(adjustedToUtc, unit))
        .named(name);
  }

  /**
   * A Parquet file of INT64 columns (timestamps given in the column's own unit, as {@code schema}
   * declares it); absent values are nulls.
   */
  private static Path writeParquet(Path file, String schema, List<Map<String, Long>> rows)
      throws IOException {
    MessageType type = MessageTypeParser.parseMessageType(schema);
    try (ParquetWriter<Group> writer =
        ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(type).build()) {
      for (Map<String, Long> row : rows) {
        Group group = new SimpleGroupFactory(type).newGroup();
        row.forEach(group::add);
        writer.write(group);
      }
    }
    return file;
  }

  private static long micros(String instant) {
    return nanos(instant) / 1_000;
  }

  private static long millis(String instant) {
    return nanos(instant) / 1_000_000;
  }

  private static long nanos(String instant) {
    return EpochNanos.of(Instant.parse(instant));
  }
}
