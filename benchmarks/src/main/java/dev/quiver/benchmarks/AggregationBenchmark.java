package dev.quiver.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code benchmarks/run.sh aggregations}: the whole {@code quiver historical} command for windowed
 * aggregations (sum, count and mean of a float64 column over 1h, 1d and 7d windows with their
 * default hops of 5m, 1h and 1h) against DuckDB computing the same windows, {@code floor(t - w, h)
 * <= ts <= t}, with a range join and {@code GROUP BY}, both writing Parquet, alternating, several
 * runs each. Checks that both gave the same values row by row (floats at 1e-9 relative), then
 * prints medians and, last, {@code aggregations: ... ratio=R}.
 *
 * <p>The events are the historical benchmark's feature rows (every row one event, over two days),
 * generated once and shared with it. Settings (system properties): {@code entities} (1000000),
 * {@code events} (10000000), {@code keys} (500000), {@code files} (8), {@code runs} (3), {@code
 * xmx} (heap of the quiver process, default the JVM's), {@code dir} (work folder).
 */
public final class AggregationBenchmark {

  private static final String[] WINDOWS = {"1h", "1d", "7d"};
  private static final long[] WINDOW_MICROS = {3_600_000_000L, 86_400_000_000L, 604_800_000_000L};
  private static final long[] HOP_MICROS = {300_000_000L, 3_600_000_000L, 3_600_000_000L};

  private AggregationBenchmark() {}

  public static void main(String[] args) throws Exception {
    long entities = Long.getLong("entities", 1_000_000);
    long events = Long.getLong("events", 10_000_000);
    int keys = Integer.getInteger("keys", 500_000);
    int files = Integer.getInteger("files", 8);
    int runs = Integer.getInteger("runs", 3);
    String xmx = System.getProperty("xmx", "");
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path dir =
        Path.of(
            System.getProperty(
                "dir",
                root.resolve(
                        "benchmarks/target/data/historical-"
                            + entities
                            + "-"
                            + events
                            + "-"
                            + keys
                            + "-"
                            + files)
                    .toString()));

    Path repo = HistoricalBenchmark.prepare(dir, entities, events, keys, files);
    Path entityFile = dir.resolve("entities.parquet");
    Path quiverOut = dir.resolve("quiver_aggregations.parquet");
    Path duckdbOut = dir.resolve("duckdb_aggregations.parquet");
    double[] quiver = new double[runs];
    double[] duckdb = new double[runs];
    long peakRss = 0;
    for (int run = 0; run < runs; run++) {
      HistoricalBenchmark.QuiverRun q =
          HistoricalBenchmark.runQuiver(root, repo, entityFile, quiverOut, xmx, "driver_activity");
      quiver[run] = q.seconds();
      peakRss = Math.max(peakRss, q.peakRssKb());
      duckdb[run] = runDuckDb(dir, entityFile, duckdbOut);
      System.err.printf(
          "run %d: quiver %.2f s, duckdb %.2f s%n", run + 1, quiver[run], duckdb[run]);
    }
    long mismatches = compare(quiverOut, duckdbOut);
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
        "aggregations: entities=%d events=%d keys=%d quiver_s=%.2f duckdb_s=%.2f"
            + " peak_rss_mb=%d ratio=%.2f%n",
        entities, events, keys, q, d, peakRss / 1024, q / d);
  }

  /** The output columns, in Quiver's order: the view's features as its YAML defines them. */
  private static List<String> features() {
    List<String> names = new ArrayList<>();
    for (String w : WINDOWS) {
      names.add("acc_rate_sum_" + w);
    }
    for (String w : WINDOWS) {
      names.add("count_" + w);
    }
    for (String w : WINDOWS) {
      names.add("acc_rate_mean_" + w);
    }
    return names;
  }

  /** {@code floor(t - w, h)} of the entity row, in microseconds (every instant is after 1970). */
  private static String start(int window) {
    return "((e.t - "
        + WINDOW_MICROS[window]
        + ") // "
        + HOP_MICROS[window]
        + ") * "
        + HOP_MICROS[window];
  }

  private static double runDuckDb(Path dir, Path entities, Path output) throws SQLException {
    String events = dir.resolve("repo/data/features/*.parquet").toString();
    StringBuilder select = new StringBuilder("e.driver_id, e.event_timestamp, e.row_id");
    for (int w = 0; w < WINDOWS.length; w++) {
      select.append(
          ", coalesce(sum(f.acc_rate) FILTER (WHERE f.ts >= %s), 0.0) AS acc_rate_sum_%s"
              .formatted(start(w), WINDOWS[w]));
    }
    for (int w = 0; w < WINDOWS.length; w++) {
      select.append(
          ", count(f.ts) FILTER (WHERE f.ts >= %s) AS count_%s".formatted(start(w), WINDOWS[w]));
    }
    for (int w = 0; w < WINDOWS.length; w++) {
      select.append(
          ", avg(f.acc_rate) FILTER (WHERE f.ts >= %s) AS acc_rate_mean_%s"
              .formatted(start(w), WINDOWS[w]));
    }
    // Every window ends at t and the longest starts first: join on it, then filter per window.
    String sql =
        "COPY (WITH e AS (SELECT driver_id, event_timestamp, row_id,"
            + " epoch_us(event_timestamp) AS t FROM read_parquet('"
            + entities
            + "')), f AS (SELECT driver_id, epoch_us(event_timestamp) AS ts, acc_rate"
            + " FROM read_parquet('"
            + events
            + "')) SELECT "
            + select
            + " FROM e LEFT JOIN f ON e.driver_id = f.driver_id AND f.ts <= e.t AND f.ts >= "
            + start(WINDOWS.length - 1)
            + " GROUP BY e.driver_id, e.event_timestamp, e.row_id) TO '"
            + output
            + "' (FORMAT PARQUET)";
    long begin = System.nanoTime();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement()) {
      statement.execute("SET threads TO 2");
      statement.execute(sql);
    }
    return (System.nanoTime() - begin) / 1e9;
  }

  /** Rows where the outputs differ: counts exactly, sums and means at 1e-9 relative. */
  private static long compare(Path quiver, Path duckdb) throws SQLException {
    StringBuilder differs = new StringBuilder("q.row_id IS NULL OR d.row_id IS NULL");
    for (String name : features()) {
      if (name.startsWith("count_")) {
        differs.append(" OR q.%1$s IS DISTINCT FROM d.%1$s".formatted(name));
      } else {
        differs.append(
            (" OR (q.%1$s IS NULL) <> (d.%1$s IS NULL)"
                    + " OR abs(q.%1$s - d.%1$s) > 1e-9 * greatest(abs(q.%1$s), abs(d.%1$s))")
                .formatted(name));
      }
    }
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT count(*) FROM read_parquet('"
                    + quiver
                    + "') q FULL JOIN read_parquet('"
                    + duckdb
                    + "') d USING (row_id) WHERE "
                    + differs)) {
      result.next();
      return result.getLong(1);
    }
  }
}
