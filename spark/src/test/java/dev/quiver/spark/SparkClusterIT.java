package dev.quiver.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleData;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.offline.io.EntityFiles;
import dev.quiver.offline.io.ValueText;
import dev.quiver.online.redis.TestRedis;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.HistoricalRequest;
import dev.quiver.spark.testing.SparkCluster;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A training set and a materialization through a real standalone Spark cluster (a master, a worker
 * and its executors, each its own JVM on loopback). The cluster's Spark home holds the jars of a
 * Spark installation but none of Quiver's: its executors load Quiver from the packaged job jar
 * ({@code quiver-spark-job.jar}, shipped with {@code spark.jars}), as on a real cluster; so this
 * runs after {@code package}, under failsafe. The results equal the embedded engine's.
 */
class SparkClusterIT {

  private static final Instant END = Instant.parse("2026-03-08T00:00:00Z");

  @TempDir static Path dir;
  private static SparkCluster cluster;
  private static List<String> sparkJars;

  @BeforeAll
  static void startCluster() throws Exception {
    List<String> spark = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      if (entry.endsWith(".jar") && !path.getFileName().toString().startsWith("quiver-")) {
        spark.add(path.toAbsolutePath().toString());
      }
    }
    sparkJars = spark;
    cluster = SparkCluster.start(dir.resolve("cluster"), spark);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Map<String, String> conf() {
    Path jobJar = Path.of("target", "quiver-spark-job.jar").toAbsolutePath();
    assertThat(jobJar).as("the job jar, packaged before integration tests").isRegularFile();
    Map<String, String> conf = new LinkedHashMap<>(cluster.driverConf());
    conf.put("spark.jars", jobJar.toUri().toString());
    return conf;
  }

  @Test
  void trainingSetAndMaterializationRunOnTheCluster() throws Exception {
    TestRedis.require();
    String prefix = TestRedis.uniqueProject("spark_cluster");
    try {
      Path embedded =
          SparkMaterializationTest.repo(
              dir.resolve("embedded"), "redis", prefix + "_embedded", null, Map.of());
      Path spark =
          SparkMaterializationTest.repo(
              dir.resolve("spark"), "redis", prefix + "_spark", cluster.masterUrl(), conf());

      // Entity rows as Parquet (what the Spark engine reads), with each booking's fare quote.
      Path csv = ExampleData.writeEntityRows(embedded, ExampleData.Options.defaults(), 300);
      Path entities = dir.resolve("entities.parquet");
      Path expected = dir.resolve("expected.parquet");
      try (FeatureStore store = FeatureStore.open(embedded)) {
        store.writeHistoricalFeatures(
            HistoricalRequest.builder()
                .entities(csv)
                .features(List.of("customer_profile:avg_passenger_count"))
                .fullFeatureNames(true)
                .build(),
            entities);
        store.writeHistoricalFeatures(
            HistoricalRequest.builder()
                .entities(entities)
                .featureService("driver_activity_v3")
                .build(),
            expected);
      }
      Path actual = dir.resolve("actual.parquet");
      assertThat(
              job(
                  "historical",
                  "--repo",
                  spark.toString(),
                  "--entities",
                  entities.toString(),
                  "--feature-service",
                  "driver_activity_v3",
                  "--output",
                  actual.toString()))
          .as("historical on the cluster; its logs: %s", cluster.logTails())
          .isZero();
      List<String> want = cells(expected);
      List<String> got = cells(actual);
      assertThat(got).hasSameSizeAs(want);
      for (int row = 0; row < want.size(); row++) {
        assertThat(got.get(row)).as("training set row %d", row).isEqualTo(want.get(row));
      }
      assertThat(Path.of(actual + ".manifest.json")).isRegularFile();

      // The README's spark-submit: the driver too loads Quiver from the job jar alone.
      Path submitted = dir.resolve("submitted.parquet");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(SparkCluster.DAEMON_JVM);
      command.addAll(dev.quiver.registry.plugin.SparkOfflineStoreType.JVM_OPENS);
      command.addAll(
          List.of(
              "-cp",
              String.join(File.pathSeparator, sparkJars),
              "org.apache.spark.deploy.SparkSubmit",
              "--master",
              cluster.masterUrl(),
              "--deploy-mode",
              "client",
              "--class",
              "dev.quiver.spark.SparkJob"));
      cluster
          .driverConf()
          .forEach((key, value) -> command.addAll(List.of("--conf", key + "=" + value)));
      command.addAll(
          List.of(
              Path.of("target", "quiver-spark-job.jar").toAbsolutePath().toString(),
              "historical",
              "--repo",
              spark.toString(),
              "--entities",
              entities.toString(),
              "--feature-service",
              "driver_activity_v3",
              "--output",
              submitted.toString()));
      Path log = dir.resolve("spark-submit.log");
      Process submit =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      assertThat(submit.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
      assertThat(submit.exitValue())
          .as("spark-submit; its output: %s", Files.readString(log))
          .isZero();
      assertThat(cells(submitted)).isEqualTo(want);

      Instant start = END.minus(Duration.ofDays(2));
      try (FeatureStore store = FeatureStore.open(embedded)) {
        store.materialize(start, END, List.of(), MaterializationProgress.NONE);
      }
      assertThat(
              job(
                  "materialize",
                  "--repo",
                  spark.toString(),
                  "--",
                  start.toString(),
                  END.toString()))
          .as("materialize on the cluster; its logs: %s", cluster.logTails())
          .isZero();
      SparkMaterializationTest.assertSameLookups(embedded, spark, END);
      // The cluster ran the application: the master lists it as completed.
      assertThat(cluster.masterState().path("completedapps").size()).isGreaterThanOrEqualTo(2);
    } finally {
      TestRedis.deleteProjects(TestRedis.URL, prefix);
    }
  }

  private static int job(String... args) {
    return new CommandLine(new SparkJob()).execute(args);
  }

  /** Every cell as text (timestamps as instants whatever their unit), row by row. */
  private static List<String> cells(Path file) {
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot table = EntityFiles.read(file, Map.of(), allocator).root()) {
      List<String> rows = new ArrayList<>();
      for (int row = 0; row < table.getRowCount(); row++) {
        StringBuilder line = new StringBuilder();
        for (FieldVector vector : table.getFieldVectors()) {
          line.append(vector.getName())
              .append('=')
              .append(vector.isNull(row) ? "null" : ValueText.format(vector, row))
              .append('|');
        }
        rows.add(line.toString());
      }
      assertThat(rows).isNotEmpty();
      return rows;
    }
  }
}
