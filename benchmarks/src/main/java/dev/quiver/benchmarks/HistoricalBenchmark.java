package dev.quiver.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code benchmarks/run.sh historical}: the whole {@code quiver historical} command against DuckDB
 * computing the same semantics (dedup by created timestamp, ASOF LEFT JOIN, nulls past the ttl) on
 * the same files, both writing Parquet, alternating, several runs each. Checks that both produced
 * the same values, then prints medians and, last, {@code historical: ... ratio=R}.
 *
 * <p>Settings (system properties): {@code entities} (1000000), {@code features} (10000000), {@code
 * keys} (500000), {@code files} (8), {@code runs} (3), {@code xmx} (heap of the quiver process,
 * default the JVM's), {@code dir} (work folder).
 */
public final class HistoricalBenchmark {

  private HistoricalBenchmark() {}

  public static void main(String[] args) throws Exception {
    long entities = Long.getLong("entities", 1_000_000);
    long features = Long.getLong("features", 10_000_000);
    int keys = Integer.getInteger("keys", 500_000);
    int files = Integer.getInteger("files", 8);
    int runs = Integer.getInteger("runs", 3);
    String xmx = System.getProperty("xmx", "");
    boolean peer = Boolean.parseBoolean(System.getProperty("peer", "true"));
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path dir = dataDir(root, entities, features, keys, files);

    Path repo = prepare(dir, entities, features, keys, files);
    Path entityFile = dir.resolve("entities.parquet");
    double[] quiver = new double[runs];
    double[] duckdb = new double[runs];
    long peakRss = 0;
    // Untimed: the first data command after a build records the launcher's class archive, and the
    // files reach the page cache for both sides.
    runQuiver(root, repo, entityFile, dir.resolve("quiver_out.parquet"), xmx, "driver_stats");
    for (int run = 0; run < runs; run++) {
      QuiverRun q =
          runQuiver(root, repo, entityFile, dir.resolve("quiver_out.parquet"), xmx, "driver_stats");
      quiver[run] = q.seconds();
      peakRss = Math.max(peakRss, q.peakRssKb());
      duckdb[run] =
          peer ? runDuckDb(dir, entityFile, dir.resolve("duckdb_out.parquet")) : Double.NaN;
      System.err.printf(
          "run %d: quiver %.2f s, duckdb %.2f s%n", run + 1, quiver[run], duckdb[run]);
    }
    if (!peer) {
      System.out.printf(
          "historical: entities=%d features=%d keys=%d xmx=%s quiver_s=%.2f peak_rss_mb=%d"
              + " (no peer run: -Dpeer=false)%n",
          entities,
          features,
          keys,
          xmx.isEmpty() ? "default" : xmx,
          Measurements.median(quiver),
          peakRss / 1024);
      return;
    }
    long mismatches = compare(dir.resolve("quiver_out.parquet"), dir.resolve("duckdb_out.parquet"));
    if (mismatches != 0) {
      throw new IllegalStateException(
          "Quiver and DuckDB disagree on " + mismatches + " rows; the benchmark is void");
    }
    double q = Measurements.median(quiver);
    double d = Measurements.median(duckdb);
    System.out.printf(
        "quiver runs (s): %s%nduckdb runs (s): %s%nrows agree: %d entity rows, 0 mismatches%n",
        Measurements.format(quiver), Measurements.format(duckdb), entities);
    System.out.printf(
        "historical: entities=%d features=%d keys=%d quiver_s=%.2f duckdb_s=%.2f peak_rss_mb=%d ratio=%.2f%n",
        entities, features, keys, q, d, peakRss / 1024, q / d);
  }

  /**
   * Where a case's generated data lives: {@code -Ddir}, else a folder named by its sizes under
   * {@code benchmarks/target/data}, shared by the benchmarks that time the same case.
   */
  static Path dataDir(Path root, long entities, long features, long keys, int files) {
    return Path.of(
        System.getProperty(
            "dir",
            root.resolve(
                    "benchmarks/target/data/historical-"
                        + entities
                        + "-"
                        + features
                        + "-"
                        + keys
                        + "-"
                        + files)
                .toString()));
  }

  static Path prepare(Path dir, long entities, long features, int keys, int files)
      throws IOException {
    Path done = dir.resolve(".generated");
    if (!Files.exists(done)) {
      System.err.println(
          "Generating " + features + " feature rows and " + entities + " entity rows in " + dir);
      BenchmarkData.writeFeatures(dir.resolve("repo/data/features"), features, keys, files, 42);
      BenchmarkData.writeEntities(dir.resolve("entities.parquet"), entities, keys, 42);
      Files.writeString(done, "ok\n");
    }
    Path repo = dir.resolve("repo");
    writeRepo(repo);
    return repo;
  }

  /**
   * The benchmark's feature repo: one view of five features over the generated source, and one of
   * windowed aggregations over the same rows as events ({@code benchmarks/run.sh aggregations}).
   */
  static void writeRepo(Path repo) throws IOException {
    Files.writeString(
        repo.resolve("feature_store.yaml"), "project: benchmark\nregistry: data/registry.json\n");
    Files.writeString(
        repo.resolve("definitions.yaml"),
        """
        entities:
          - {name: driver, join_key: driver_id, type: int64}
        sources:
          - name: driver_stats_source
            path: data/features
            timestamp_field: event_timestamp
            created_timestamp_field: created
        feature_views:
          - name: driver_stats
            entities: [driver]
            source: driver_stats_source
            ttl: 2h
            features:
              - {name: conv_rate, type: float32}
              - {name: acc_rate, type: float64}
              - {name: trips, type: int64}
              - {name: segment, type: string}
              - {name: active, type: bool}
          - name: driver_activity
            entities: [driver]
            source: driver_stats_source
            aggregations:
              - {column: acc_rate, type: float64, function: sum, windows: [1h, 1d, 7d]}
              - {function: count, windows: [1h, 1d, 7d]}
              - {column: acc_rate, type: float64, function: mean, windows: [1h, 1d, 7d]}
        """);
  }

  record QuiverRun(double seconds, long peakRssKb) {}

  /** Applies the repo, then times {@code quiver historical} of {@code features} as a process. */
  static QuiverRun runQuiver(
      Path root, Path repo, Path entities, Path output, String xmx, String features)
      throws IOException, InterruptedException {
    QuiverProcess.run(root, "apply", "--repo", repo.toString());
    List<String> command =
        QuiverProcess.command(
            root,
            xmx.isEmpty() ? List.of() : List.of("-Xmx" + xmx),
            "historical",
            "--entities",
            entities.toString(),
            "--features",
            features,
            "--output",
            output.toString(),
            "--repo",
            repo.toString());
    long start = System.nanoTime();
    Process process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    long peak = 0;
    Path status = Path.of("/proc/" + process.pid() + "/status");
    while (!process.waitFor(20, TimeUnit.MILLISECONDS)) {
      peak = Math.max(peak, peakRss(status));
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "quiver historical failed with exit code " + process.exitValue());
    }
    return new QuiverRun(seconds, peak);
  }

  static long peakRss(Path status) {
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // The process ended between polls.
    }
    return 0;
  }

  static double runDuckDb(Path dir, Path entities, Path output) throws SQLException {
    String features = dir.resolve("repo/data/features/*.parquet").toString();
    String sql =
        "COPY (WITH f AS (SELECT * FROM read_parquet('"
            + features
            + "') QUALIFY row_number() OVER (PARTITION BY driver_id, event_timestamp"
            + " ORDER BY created DESC NULLS LAST) = 1)"
            + " SELECT e.driver_id, e.event_timestamp, e.row_id,"
            + ttl("conv_rate")
            + ","
            + ttl("acc_rate")
            + ","
            + ttl("trips")
            + ","
            + ttl("segment")
            + ","
            + ttl("active")
            + " FROM read_parquet('"
            + entities
            + "') e ASOF LEFT JOIN f ON e.driver_id = f.driver_id"
            + " AND e.event_timestamp >= f.event_timestamp) TO '"
            + output
            + "' (FORMAT PARQUET)";
    long start = System.nanoTime();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("SET threads TO 2");
      statement.execute(sql);
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private static String ttl(String column) {
    return " CASE WHEN f.event_timestamp >= e.event_timestamp - INTERVAL 2 HOUR THEN f."
        + column
        + " END AS "
        + column;
  }

  /** Rows where the two outputs differ in any feature, matched by row_id. */
  static long compare(Path quiver, Path duckdb) throws SQLException {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT count(*) FROM read_parquet('"
                    + quiver
                    + "') q FULL JOIN read_parquet('"
                    + duckdb
                    + "') d USING (row_id) WHERE q.conv_rate IS DISTINCT FROM d.conv_rate"
                    + " OR q.acc_rate IS DISTINCT FROM d.acc_rate OR q.trips IS DISTINCT FROM d.trips"
                    + " OR q.segment IS DISTINCT FROM d.segment OR q.active IS DISTINCT FROM d.active"
                    + " OR q.row_id IS NULL OR d.row_id IS NULL")) {
      result.next();
      return result.getLong(1);
    }
  }
}
