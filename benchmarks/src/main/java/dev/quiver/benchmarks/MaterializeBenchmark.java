package dev.quiver.benchmarks;

import dev.quiver.online.redis.RedisOnlineStore;
import dev.quiver.online.redis.RedisSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code benchmarks/run.sh materialize}: the whole {@code quiver materialize} command copying the
 * latest row per key of 10M source rows over 1M keys from Parquet into RocksDB, against the time
 * DuckDB needs just to read the same files and pick the latest row per key, in the same run. Prints
 * source rows per second for both; {@code ratio} is Quiver's time over DuckDB's. With {@code redis}
 * (true), the same command also materializes into the machine's Redis (database 1, or {@code
 * -Dredis.url}), emptied before each run.
 *
 * <p>Settings: {@code features} (10000000), {@code keys} (1000000), {@code files} (8), {@code runs}
 * (3), {@code dir}, {@code redis}.
 */
public final class MaterializeBenchmark {

  private MaterializeBenchmark() {}

  public static void main(String[] args) throws Exception {
    long rows = Long.getLong("features", 10_000_000);
    int keys = Integer.getInteger("keys", 1_000_000);
    int files = Integer.getInteger("files", 8);
    int runs = Integer.getInteger("runs", 3);
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path dir =
        Path.of(
            System.getProperty(
                "dir",
                root.resolve("benchmarks/target/data/materialize-" + rows + "-" + keys)
                    .toString()));
    Path repo = dir.resolve("repo");
    if (!Files.exists(dir.resolve(".generated"))) {
      System.err.println("Generating " + rows + " source rows over " + keys + " keys in " + dir);
      BenchmarkData.writeFeatures(repo.resolve("data/features"), rows, keys, files, 42);
      Files.writeString(dir.resolve(".generated"), "ok\n");
    }
    HistoricalBenchmark.writeRepo(repo);
    boolean redis = Boolean.parseBoolean(System.getProperty("redis", "true"));
    String redisUrl = BenchmarkData.redisUrl();
    Path redisRepo = dir.resolve("repo-redis");
    if (redis) {
      // The same definitions and files, materialized into Redis under another project.
      Files.createDirectories(redisRepo.resolve("data"));
      HistoricalBenchmark.writeRepo(redisRepo);
      Files.writeString(
          redisRepo.resolve("feature_store.yaml"),
          "project: benchmark_redis\nregistry: data/registry.json\n"
              + "online_store: {type: redis, url: \""
              + redisUrl
              + "\"}\n");
      Path definitions = redisRepo.resolve("definitions.yaml");
      Files.writeString(
          definitions,
          Files.readString(definitions)
              .replace(
                  "path: data/features",
                  "path: " + repo.resolve("data/features").toAbsolutePath()));
      quiver("apply", redisRepo);
    }
    quiver("apply", repo);
    double[] quiver = new double[runs];
    double[] duckdb = new double[runs];
    double[] intoRedis = new double[runs];
    // Untimed: the first data command after a build records the launcher's class archive, and the
    // files reach the page cache for both sides.
    deleteOnline(repo.resolve("data/online"));
    materialize(repo);
    for (int r = 0; r < runs; r++) {
      deleteOnline(repo.resolve("data/online"));
      quiver[r] = materialize(repo);
      duckdb[r] = duckDb(repo.resolve("data/features/*.parquet"), keys);
      if (redis) {
        try (RedisOnlineStore store =
            RedisOnlineStore.open("benchmark_redis", RedisSettings.standalone(redisUrl))) {
          store.deleteView("driver_stats");
        }
        intoRedis[r] = materialize(redisRepo);
      }
      System.err.printf(
          "run %d: quiver %.2f s, duckdb %.2f s%s%n",
          r + 1,
          quiver[r],
          duckdb[r],
          redis ? String.format(", quiver into redis %.2f s", intoRedis[r]) : "");
    }
    double q = Measurements.median(quiver);
    double d = Measurements.median(duckdb);
    System.out.printf(
        "quiver runs (s): %s%nduckdb runs (s): %s%n",
        Measurements.format(quiver), Measurements.format(duckdb));
    String redisSummary = "";
    if (redis) {
      double qr = Measurements.median(intoRedis);
      System.out.printf("quiver into redis runs (s): %s%n", Measurements.format(intoRedis));
      redisSummary = String.format(" redis_s=%.2f redis_rows_per_s=%.0f", qr, rows / qr);
    }
    System.out.printf(
        "materialize: rows=%d keys=%d quiver_s=%.2f quiver_rows_per_s=%.0f duckdb_s=%.2f duckdb_rows_per_s=%.0f%s ratio=%.2f%n",
        rows, keys, q, rows / q, d, rows / d, redisSummary, q / d);
  }

  /**
   * Seconds the whole {@code quiver materialize} command takes over the benchmark's window, for the
   * plain view only: the repo also holds an aggregation view over the same rows ({@code
   * benchmarks/run.sh aggregations}, {@code tiles}), which DuckDB's latest-row query does not
   * compute.
   */
  private static double materialize(Path repo) throws Exception {
    long start = System.nanoTime();
    quiver(
        "materialize",
        repo,
        "--views",
        "driver_stats",
        "2026-03-01T00:00:00Z",
        "2026-03-03T00:00:00Z");
    return (System.nanoTime() - start) / 1e9;
  }

  /** Runs a CLI command on a repo, in its own JVM as a user would. */
  private static void quiver(String command, Path repo, String... args) throws Exception {
    List<String> line = new ArrayList<>(List.of(command));
    line.addAll(List.of(args));
    line.addAll(List.of("--repo", repo.toString()));
    QuiverProcess.run(
        Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize(),
        line.toArray(String[]::new));
  }

  /** Removes an online store's folder, when there is one. */
  static void deleteOnline(Path online) throws Exception {
    if (!Files.exists(online)) {
      return;
    }
    try (Stream<Path> files = Files.walk(online)) {
      List<Path> all = new ArrayList<>(files.toList());
      java.util.Collections.reverse(all);
      for (Path p : all) {
        Files.delete(p);
      }
    }
  }

  private static double duckDb(Path features, int keys) throws Exception {
    long start = System.nanoTime();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("SET threads TO 2");
      statement.execute(
          "CREATE TABLE latest AS SELECT * FROM read_parquet('"
              + features
              + "') QUALIFY row_number() OVER (PARTITION BY driver_id"
              + " ORDER BY event_timestamp DESC, created DESC) = 1");
      try (ResultSet count = statement.executeQuery("SELECT count(*) FROM latest")) {
        count.next();
        if (count.getLong(1) > keys) {
          throw new IllegalStateException("more latest rows than keys");
        }
      }
    }
    return (System.nanoTime() - start) / 1e9;
  }
}
