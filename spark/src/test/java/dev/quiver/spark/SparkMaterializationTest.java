package dev.quiver.spark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleRepo;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.online.redis.RedisClusterProcesses;
import dev.quiver.online.redis.TestRedis;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.OnlineRequest;
import dev.quiver.sdk.OnlineResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Materialization on Spark writes what the embedded materializer writes: the example repo is
 * materialized by both engines into stores of the same type, a window and then an incremental run,
 * and every online lookup (plain rows, aggregation tiles, unknown keys) of the two stores is the
 * same, as of the window's end and later. Runs {@code SparkJob} as the CLI starts it, into RocksDB
 * (a local master) and into Redis.
 */
class SparkMaterializationTest {

  private static final Instant END = Instant.parse("2026-03-08T00:00:00Z");

  @TempDir Path dir;

  @Test
  void rocksDbGetsTheSameRowsAndTiles() throws IOException {
    Path embedded = repo(dir.resolve("embedded"), "rocksdb", "driver_ranking", false);
    Path spark = repo(dir.resolve("spark"), "rocksdb", "driver_ranking", true);
    materializeBoth(embedded, spark);
  }

  @Test
  void redisGetsTheSameRowsAndTiles() throws IOException {
    TestRedis.require();
    String prefix = TestRedis.uniqueProject("spark_mat");
    try {
      Path embedded = repo(dir.resolve("embedded"), "redis", prefix + "_embedded", false);
      Path spark = repo(dir.resolve("spark"), "redis", prefix + "_spark", true);
      materializeBoth(embedded, spark);
    } finally {
      TestRedis.deleteProjects(TestRedis.URL, prefix);
    }
  }

  @Test
  void redisClusterGetsTheSameRowsAndTiles() throws Exception {
    try (RedisClusterProcesses cluster = RedisClusterProcesses.start(dir.resolve("nodes"))) {
      String online = "{type: redis-cluster, urls: [" + String.join(", ", cluster.urls()) + "]}";
      Path embedded = repo(dir.resolve("embedded"), online, "cluster_embedded", false);
      Path spark = repo(dir.resolve("spark"), online, "cluster_spark", true);
      materializeBoth(embedded, spark);
    }
  }

  @Test
  void rocksDbIsRefusedOnAClusterMaster() throws IOException {
    Path spark =
        repo(dir.resolve("spark"), "rocksdb", "driver_ranking", "spark://127.0.0.1:9", Map.of());
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cli = SparkJob.cli();
    cli.setErr(new java.io.PrintWriter(err, true));
    // Refused before Spark starts: nothing listens on that master.
    int exit =
        cli.execute("materialize-incremental", "--repo", spark.toString(), "--", END.toString());
    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .contains(
            "Error: Cannot materialize on the Spark cluster spark://127.0.0.1:9 into the online store of"
                + " type 'rocksdb': it is embedded in one process");
  }

  private void materializeBoth(Path embedded, Path spark) {
    Instant start = END.minus(java.time.Duration.ofDays(3));
    Instant middle = END.minus(java.time.Duration.ofDays(1));
    try (FeatureStore store = FeatureStore.open(embedded)) {
      store.materialize(start, middle, List.of(), MaterializationProgress.NONE);
    }
    assertThat(
            job(
                "materialize",
                "--repo",
                spark.toString(),
                "--",
                start.toString(),
                middle.toString()))
        .isZero();
    assertSameLookups(embedded, spark, middle);

    try (FeatureStore store = FeatureStore.open(embedded)) {
      store.materializeIncremental(END, List.of(), MaterializationProgress.NONE);
    }
    assertThat(job("materialize-incremental", "--repo", spark.toString(), "--", END.toString()))
        .isZero();
    assertSameLookups(embedded, spark, END);
    assertSameLookups(embedded, spark, END.plusSeconds(3600));
    // Re-running writes nothing new: newer-wins rows and recomputed tiles are what is stored.
    assertThat(
            job("materialize", "--repo", spark.toString(), "--", start.toString(), END.toString()))
        .isZero();
    assertSameLookups(embedded, spark, END);
  }

  private static int job(String... args) {
    return new CommandLine(new SparkJob()).execute(args);
  }

  static void assertSameLookups(Path embedded, Path spark, Instant asOf) {
    Random random = new Random(7);
    List<Object> drivers = new ArrayList<>();
    List<Object> customers = new ArrayList<>();
    for (long driver = 995; driver < 3010; driver++) {
      drivers.add(driver);
      customers.add(5001L + random.nextInt(5_010));
    }
    OnlineRequest request =
        OnlineRequest.ofService(
                "driver_activity_v2", Map.of("driver_id", drivers, "customer_id", customers))
            .withAsOf(asOf);
    OnlineResponse expected;
    OnlineResponse actual;
    try (FeatureStore store = FeatureStore.open(embedded)) {
      expected = store.onlineFeatures(request);
    }
    try (FeatureStore store = FeatureStore.open(spark)) {
      actual = store.onlineFeatures(request);
    }
    assertThat(actual.featureNames()).isEqualTo(expected.featureNames());
    for (String name : expected.featureNames()) {
      OnlineResponse.Column want = expected.column(name);
      OnlineResponse.Column got = actual.column(name);
      assertThat(got.statuses())
          .as("statuses of %s as of %s", name, asOf)
          .isEqualTo(want.statuses());
      assertThat(got.eventTimestamps())
          .as("event times of %s as of %s", name, asOf)
          .isEqualTo(want.eventTimestamps());
      assertThat(got.values()).as("values of %s as of %s", name, asOf).isEqualTo(want.values());
    }
    // Not an empty comparison: most drivers have values.
    assertThat(expected.column("conv_rate").values().stream().filter(v -> v != null).count())
        .isGreaterThan(1000);
  }

  /**
   * The example repo with its data, applied, its online store of {@code type} ({@code rocksdb},
   * {@code redis}, or a whole {@code {type: ...}} mapping).
   */
  static Path repo(Path root, String type, String project, boolean onSpark) throws IOException {
    return repo(
        root,
        type,
        project,
        onSpark ? "local[2]" : null,
        Map.of("spark.sql.shuffle.partitions", "4"));
  }

  /**
   * The example repo with its data, applied: its online store of {@code type}, its offline work on
   * Spark with {@code master} and {@code conf} (embedded when {@code master} is null).
   */
  static Path repo(Path root, String type, String project, String master, Map<String, String> conf)
      throws IOException {
    ExampleRepo.createAt(root, END);
    String online =
        type.startsWith("{")
            ? "online_store: " + type + "\n"
            : type.equals("redis")
                ? "online_store: {type: redis, url: \"" + TestRedis.URL + "\"}\n"
                : "online_store: {type: rocksdb, path: data/online}\n";
    StringBuilder settings = new StringBuilder();
    conf.forEach(
        (key, value) ->
            settings
                .append(settings.length() == 0 ? "" : ", ")
                .append(key)
                .append(": \"")
                .append(value.replace("\"", "\\\""))
                .append('"'));
    String offline =
        master != null
            ? "offline_store: {type: spark, master: \"" + master + "\", conf: {" + settings + "}}\n"
            : "offline_store: {type: file}\n";
    Files.writeString(
        root.resolve("feature_store.yaml"),
        "project: " + project + "\nregistry: data/registry.json\n" + online + offline);
    FeatureRepo loaded = FeatureRepo.load(root, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan.of(registry.load(), loaded.definitions()).apply(registry, "test", null);
    }
    return root;
  }
}
