package dev.quiver.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.example.ExampleData;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.HistoricalRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The Spark engine's training-set files: one coalesced {@code .parquet} file or a folder of part
 * files in input order, a manifest that says Spark built it, {@code reproduce} giving the same
 * bytes and refusing, naming the file, when an input changed; the embedded engine refuses to
 * reproduce a Spark manifest rather than report every file as changed.
 */
class SparkTrainingSetTest {

  @TempDir static Path dir;
  private static Path repo;
  private static Path entities;

  @BeforeAll
  static void repo() throws Exception {
    repo =
        SparkMaterializationTest.repo(
            dir.resolve("repo"),
            "rocksdb",
            "driver_ranking",
            "local[2]",
            // Without adaptive execution the sort keeps its 3 partitions: a folder of 3 parts.
            Map.of("spark.sql.shuffle.partitions", "3", "spark.sql.adaptive.enabled", "false"));
    Path csv = ExampleData.writeEntityRows(repo, ExampleData.Options.defaults(), 200);
    entities = dir.resolve("entities.parquet");
    Path embedded = dir.resolve("embedded");
    SparkMaterializationTest.repo(embedded, "rocksdb", "driver_ranking", null, Map.of());
    try (FeatureStore store = FeatureStore.open(embedded)) {
      store.writeHistoricalFeatures(
          HistoricalRequest.builder()
              .entities(csv)
              .features(List.of("customer_profile:avg_passenger_count"))
              .fullFeatureNames(true)
              .build(),
          entities);
    }
  }

  private static String run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine cli = new CommandLine(new SparkJob());
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          throw e;
        });
    int exit = cli.execute(args);
    assertThat(exit).as("exit of %s; stderr: %s", List.of(args), err).isZero();
    return out.toString();
  }

  @Test
  void reproduceGivesTheSameBytesAndRefusesChangedInputs() throws Exception {
    Path first = dir.resolve("first.parquet");
    String summary =
        run(
            "historical",
            "--repo",
            repo.toString(),
            "--entities",
            entities.toString(),
            "--feature-service",
            "driver_activity_v3",
            "--output",
            first.toString());
    assertThat(summary).contains("Wrote 200 rows with 16 features to " + first, "on Spark");
    Path manifest = DatasetManifest.pathFor(first);
    assertThat(DatasetManifest.read(manifest).engine()).isEqualTo(DatasetManifest.SPARK);

    Path again = dir.resolve("again.parquet");
    run("reproduce", manifest.toString(), "--output", again.toString());
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(first));

    try (FeatureStore store = FeatureStore.open(repo)) {
      assertThatThrownBy(() -> store.reproduce(manifest, dir.resolve("in-process.parquet")))
          .hasMessageContaining("the spark engine built it");
    }

    Path trips = repo.resolve("data/trips.parquet");
    byte[] original = Files.readAllBytes(trips);
    Files.write(trips, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
    try {
      assertThatThrownBy(() -> run("reproduce", manifest.toString(), "--output", again.toString()))
          .hasMessageContaining("source file of 'driver_trip_activity' " + trips + " changed size");
    } finally {
      Files.write(trips, original);
    }
  }

  @Test
  void aFolderOutputHoldsThePartsInInputOrder() throws Exception {
    Path folder = dir.resolve("folder-set");
    Path single = dir.resolve("single.parquet");
    for (Path output : List.of(folder, single)) {
      run(
          "historical",
          "--repo",
          repo.toString(),
          "--entities",
          entities.toString(),
          "--features",
          "driver_trip_activity:count_1d,driver_hourly_stats:conv_rate",
          "--output",
          output.toString());
    }
    assertThat(Files.isDirectory(folder)).isTrue();
    try (var files = Files.list(folder)) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .allMatch(name -> name.startsWith("part-") || name.equals("_SUCCESS"));
    }
    // The folder read in path order is the single file, row for row.
    org.apache.spark.sql.SparkSession spark =
        SparkEngine.session(
            new dev.quiver.registry.model.StoreConfig("spark", Map.of("master", "local[1]"), null));
    try {
      List<org.apache.spark.sql.Row> parts = new java.util.ArrayList<>();
      try (var files = Files.list(folder)) {
        for (Path part :
            files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
          parts.addAll(spark.read().parquet(part.toUri().toString()).collectAsList());
        }
      }
      assertThat(parts).isEqualTo(spark.read().parquet(single.toUri().toString()).collectAsList());
      assertThat(parts).hasSize(200);
      try (var files = Files.list(folder)) {
        assertThat(files.filter(f -> f.getFileName().toString().startsWith("part-")).count())
            .isGreaterThan(1);
      }
    } finally {
      spark.stop();
    }
  }

  @Test
  void aFolderOfEntityFilesIsFingerprintedWholeAndReproduced() throws Exception {
    Path folder = dir.resolve("entity-folder");
    org.apache.spark.sql.SparkSession spark =
        SparkEngine.session(
            new dev.quiver.registry.model.StoreConfig("spark", Map.of("master", "local[1]"), null));
    try {
      spark
          .read()
          .parquet(entities.toUri().toString())
          // Read back as nanoseconds (a long), written as a microsecond timestamp.
          .withColumn(
              "event_timestamp",
              org.apache.spark.sql.functions.expr("timestamp_micros(event_timestamp div 1000)"))
          .repartition(3)
          .write()
          .parquet(folder.toUri().toString());
    } finally {
      spark.stop();
    }
    Path output = dir.resolve("from-folder.parquet");
    String summary =
        run(
            "historical",
            "--repo",
            repo.toString(),
            "--entities",
            folder.toString(),
            "--features",
            "driver_hourly_stats:conv_rate",
            "--output",
            output.toString());
    assertThat(summary).contains("Wrote 200 rows");
    DatasetManifest manifest = DatasetManifest.read(DatasetManifest.pathFor(output));
    assertThat(manifest.entities().path()).isEqualTo(folder);
    long parts;
    try (var files = Files.list(folder)) {
      parts = files.filter(f -> f.getFileName().toString().startsWith("part-")).count();
    }
    assertThat(parts).isEqualTo(3);

    Path again = dir.resolve("from-folder-again.parquet");
    run("reproduce", DatasetManifest.pathFor(output).toString(), "--output", again.toString());
    assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(output));

    Path part;
    try (var files = Files.list(folder)) {
      part = files.filter(f -> f.getFileName().toString().startsWith("part-")).findFirst().get();
    }
    Files.delete(part);
    assertThatThrownBy(
            () ->
                run(
                    "reproduce",
                    DatasetManifest.pathFor(output).toString(),
                    "--output",
                    again.toString()))
        .hasMessageContaining("entity file " + folder + " changed size");
  }

  @Test
  void theEntityTimeColumnIsChosenAsTheEmbeddedEngineChoosesIt() throws Exception {
    Path renamed = dir.resolve("entities-ts.parquet");
    Path untyped = dir.resolve("entities-int64.parquet");
    dev.quiver.offline.testing.ParquetFixtures.write(
        renamed,
        "message e { required int64 driver_id; required int64 booked (TIMESTAMP(MICROS,true)); }",
        List.of(Map.of("driver_id", 1001L, "booked", 1_772_000_000_000_000_000L)),
        0);
    dev.quiver.offline.testing.ParquetFixtures.write(
        untyped,
        "message e { required int64 driver_id; required int64 event_timestamp; }",
        List.of(Map.of("driver_id", 1001L, "event_timestamp", 1_772_000_000_000L)),
        0);
    Path output = dir.resolve("ts.parquet");
    // The only timestamp column is the rows' time, as in the embedded engine.
    assertThat(
            run(
                "historical",
                "--repo",
                repo.toString(),
                "--entities",
                renamed.toString(),
                "--features",
                "driver_hourly_stats:conv_rate",
                "--output",
                output.toString()))
        .contains("Wrote 1 rows");
    // An int64 is not a time: refused, not read as nanoseconds.
    assertThatThrownBy(
            () ->
                run(
                    "historical",
                    "--repo",
                    repo.toString(),
                    "--entities",
                    untyped.toString(),
                    "--features",
                    "driver_hourly_stats:conv_rate",
                    "--output",
                    output.toString()))
        .hasMessageContaining("the entity column 'event_timestamp' is bigint, not a timestamp");
  }
}
