package dev.quiver.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code benchmarks/run.sh spark}: the historical benchmark's training set (same generated files,
 * same entity rows) three ways, alternating, several runs each: the whole {@code quiver historical}
 * command on the embedded engine ({@code offline_store} left at {@code type: file}), the same
 * command on a copy of the repo whose {@code feature_store.yaml} selects {@code type: spark} (the
 * CLI then starts the Spark driver as its own JVM), and DuckDB's exact-semantics query from {@link
 * HistoricalBenchmark}. Checks that the embedded output agrees with DuckDB's value for value (as
 * {@code historical} does) and that Spark's output has as many rows as the embedded one, then
 * prints medians, Spark over embedded, and, last, {@code spark: ... ratio=R} with R = Spark's time
 * over DuckDB's.
 *
 * <p>The Spark run is timed as the user's command; the class path of the engine is the one {@code
 * run.sh} has just built ({@code spark/target/quiver-spark.jar} and {@code spark/target/lib/}),
 * passed as {@code QUIVER_SPARK_CLASSPATH} so that the CLI's "older than the CLI jar, rebuild"
 * check can never put a Maven build inside a timed run. Peak RSS is polled from /proc as {@code
 * historical} does; for Spark it is the driver's (the CLI's child JVM, where {@code local[N]} also
 * runs the executors), not the thin CLI's.
 *
 * <p>Settings (system properties): {@code entities} (1000000), {@code features} (10000000), {@code
 * keys} (500000), {@code files} (8), {@code runs} (3), {@code master} ({@code local[2]}), {@code
 * partitions} ({@code spark.sql.shuffle.partitions}, 8), {@code sparkopts} (the driver's JVM flags,
 * {@code QUIVER_SPARK_JAVA_OPTS}; default the environment's, else none), {@code xmx} (heap of the
 * embedded quiver process, default the JVM's), {@code sparkonly} (false: only the Spark runs, no
 * embedded or DuckDB run; reports whether Spark completed rather than failing), {@code timeout}
 * (seconds per Spark run, 0 = none; past it the run is killed and reported as not completed),
 * {@code dir} (work folder, shared with {@code historical} for the same sizes). {@code
 * -Dscale=large} changes the defaults to the large case: 10M entity rows, 100M feature rows, 5M
 * keys, 32 files, one run, Spark only, {@code -Xmx2g} for the driver.
 */
public final class SparkBenchmark {

  private SparkBenchmark() {}

  public static void main(String[] args) throws Exception {
    boolean large = "large".equals(System.getProperty("scale", ""));
    long entities = Long.getLong("entities", large ? 10_000_000 : 1_000_000);
    long features = Long.getLong("features", large ? 100_000_000 : 10_000_000);
    int keys = Integer.getInteger("keys", large ? 5_000_000 : 500_000);
    int files = Integer.getInteger("files", large ? 32 : 8);
    int runs = Integer.getInteger("runs", large ? 1 : 3);
    String master = System.getProperty("master", "local[2]");
    int partitions = Integer.getInteger("partitions", 8);
    String sparkOpts =
        System.getProperty(
                "sparkopts",
                large
                    ? "-Xmx2g"
                    : Optional.ofNullable(System.getenv("QUIVER_SPARK_JAVA_OPTS")).orElse(""))
            .trim();
    boolean sparkOnly =
        Boolean.parseBoolean(System.getProperty("sparkonly", String.valueOf(large)));
    long timeout = Long.getLong("timeout", 0);
    String xmx = System.getProperty("xmx", "");
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path dir = HistoricalBenchmark.dataDir(root, entities, features, keys, files);

    Path repo = HistoricalBenchmark.prepare(dir, entities, features, keys, files);
    Path sparkRepo = sparkRepo(dir, repo, master, partitions);
    Path entityFile = dir.resolve("entities.parquet");
    Path embeddedOut = dir.resolve("embedded_out.parquet");
    Path sparkOut = dir.resolve("spark_out.parquet");
    Path duckdbOut = dir.resolve("duckdb_out.parquet");
    Map<String, String> sparkEnv =
        Map.of("QUIVER_SPARK_CLASSPATH", sparkClassPath(root), "QUIVER_SPARK_JAVA_OPTS", sparkOpts);
    List<String> embeddedJvm = xmx.isEmpty() ? List.of() : List.of("-Xmx" + xmx);
    String optsField = sparkOpts.isEmpty() ? "default" : String.join(",", sparkOpts.split("\\s+"));

    if (sparkOnly) {
      Files.deleteIfExists(sparkOut);
      Timed s = time(root, sparkRepo, entityFile, sparkOut, List.of(), sparkEnv, true, timeout);
      boolean completed = s.exitCode() == 0 && !s.timedOut();
      String rows = "none";
      if (completed) {
        long expected = rowCount(entityFile);
        long got = rowCount(sparkOut);
        if (got != expected) {
          throw new IllegalStateException(
              "Spark wrote "
                  + got
                  + " rows for "
                  + expected
                  + " entity rows (the embedded engine writes one per entity row); the run is void");
        }
        rows = String.valueOf(got);
      }
      System.out.printf(
          "spark: entities=%d features=%d keys=%d master=%s partitions=%d spark_opts=%s"
              + " completed=%b exit=%s spark_s=%.2f spark_peak_rss_mb=%d rows=%s"
              + " (spark only: no embedded or peer run)%n",
          entities,
          features,
          keys,
          master,
          partitions,
          optsField,
          completed,
          s.timedOut() ? "timeout" : String.valueOf(s.exitCode()),
          s.seconds(),
          s.driverPeakKb() / 1024,
          rows);
      return;
    }

    double[] embedded = new double[runs];
    double[] spark = new double[runs];
    double[] duckdb = new double[runs];
    long embeddedPeak = 0;
    long sparkPeak = 0;
    for (int run = 0; run < runs; run++) {
      Files.deleteIfExists(embeddedOut);
      Timed e = time(root, repo, entityFile, embeddedOut, embeddedJvm, Map.of(), false, 0);
      e.orThrow("embedded");
      embedded[run] = e.seconds();
      embeddedPeak = Math.max(embeddedPeak, e.cliPeakKb());
      Files.deleteIfExists(sparkOut);
      Timed s = time(root, sparkRepo, entityFile, sparkOut, List.of(), sparkEnv, true, timeout);
      s.orThrow("spark");
      spark[run] = s.seconds();
      sparkPeak = Math.max(sparkPeak, s.driverPeakKb());
      duckdb[run] = HistoricalBenchmark.runDuckDb(dir, entityFile, duckdbOut);
      System.err.printf(
          "run %d: embedded %.2f s, spark %.2f s, duckdb %.2f s%n",
          run + 1, embedded[run], spark[run], duckdb[run]);
    }
    long mismatches = HistoricalBenchmark.compare(embeddedOut, duckdbOut);
    if (mismatches != 0) {
      throw new IllegalStateException(
          "The embedded engine and DuckDB disagree on "
              + mismatches
              + " rows; the benchmark is void");
    }
    long embeddedRows = rowCount(embeddedOut);
    long sparkRows = rowCount(sparkOut);
    if (sparkRows != embeddedRows) {
      throw new IllegalStateException(
          "Spark wrote "
              + sparkRows
              + " rows, the embedded engine "
              + embeddedRows
              + "; the benchmark is void");
    }
    // Not a condition of the benchmark (only the row count is), but worth seeing beside it.
    long sparkMismatches = HistoricalBenchmark.compare(sparkOut, duckdbOut);
    double em = Measurements.median(embedded);
    double sp = Measurements.median(spark);
    double du = Measurements.median(duckdb);
    System.out.printf(
        "embedded runs (s): %s%nspark runs (s): %s%nduckdb runs (s): %s%n",
        Measurements.format(embedded), Measurements.format(spark), Measurements.format(duckdb));
    System.out.printf(
        "rows: embedded %d, spark %d (same count); embedded vs duckdb 0 mismatches;"
            + " spark vs duckdb %d mismatching rows%n",
        embeddedRows, sparkRows, sparkMismatches);
    System.out.printf(
        "medians (s): embedded %.2f, spark %.2f, duckdb %.2f; spark/embedded %.2f,"
            + " spark/duckdb %.2f%n",
        em, sp, du, sp / em, sp / du);
    System.out.printf(
        "spark: entities=%d features=%d keys=%d master=%s partitions=%d spark_opts=%s"
            + " embedded_s=%.2f spark_s=%.2f duckdb_s=%.2f spark_over_embedded=%.2f"
            + " embedded_peak_rss_mb=%d spark_peak_rss_mb=%d ratio=%.2f%n",
        entities,
        features,
        keys,
        master,
        partitions,
        optsField,
        em,
        sp,
        du,
        sp / em,
        embeddedPeak / 1024,
        sparkPeak / 1024,
        sp / du);
  }

  /**
   * A copy of the benchmark repo that selects the Spark engine: the same definitions, its own
   * registry, and the generated source files hard-linked (copied where links are not possible), so
   * both engines read the same bytes.
   */
  static Path sparkRepo(Path dir, Path repo, String master, int partitions) throws IOException {
    Path copy = dir.resolve("repo-spark");
    Path sources = copy.resolve("data/features");
    if (Files.isDirectory(sources)) {
      try (Stream<Path> old = Files.list(sources)) {
        for (Path f : old.toList()) {
          Files.delete(f);
        }
      }
    }
    Files.createDirectories(sources);
    try (Stream<Path> parts = Files.list(repo.resolve("data/features"))) {
      for (Path part : parts.sorted().toList()) {
        Path link = sources.resolve(part.getFileName());
        try {
          Files.createLink(link, part);
        } catch (IOException | UnsupportedOperationException e) {
          Files.copy(part, link);
        }
      }
    }
    Files.copy(
        repo.resolve("definitions.yaml"),
        copy.resolve("definitions.yaml"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.writeString(
        copy.resolve("feature_store.yaml"),
        "project: benchmark\nregistry: data/registry.json\noffline_store:\n  type: spark\n"
            + "  master: \""
            + master
            + "\"\n  conf:\n    spark.sql.shuffle.partitions: \""
            + partitions
            + "\"\n");
    return copy;
  }

  /** The engine's class path as run.sh has just built it. */
  private static String sparkClassPath(Path root) {
    Path jar = root.resolve("spark/target/quiver-spark.jar");
    Path lib = root.resolve("spark/target/lib");
    if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
      throw new IllegalStateException(
          "No Spark engine at "
              + jar
              + " and "
              + lib
              + "; run this through benchmarks/run.sh spark");
    }
    return jar + java.io.File.pathSeparator + lib + java.io.File.separator + "*";
  }

  record Timed(double seconds, int exitCode, boolean timedOut, long cliPeakKb, long driverPeakKb) {
    void orThrow(String engine) {
      if (timedOut) {
        throw new IllegalStateException(
            "quiver historical (" + engine + ") timed out after " + seconds + " s");
      }
      if (exitCode != 0) {
        throw new IllegalStateException(
            "quiver historical (" + engine + ") failed with exit code " + exitCode);
      }
    }
  }

  /**
   * Applies the repo (untimed), then times the whole {@code quiver historical} of {@code
   * driver_stats} as a process, as {@link HistoricalBenchmark} does, polling the peak RSS of the
   * CLI and, when {@code driver} is set, of its child JVM (the Spark driver).
   */
  static Timed time(
      Path root,
      Path repo,
      Path entities,
      Path output,
      List<String> jvmOptions,
      Map<String, String> env,
      boolean driver,
      long timeoutSeconds)
      throws IOException, InterruptedException {
    QuiverProcess.run(root, "apply", "--repo", repo.toString());
    List<String> command =
        new ArrayList<>(
            QuiverProcess.command(
                root,
                jvmOptions,
                "historical",
                "--entities",
                entities.toString(),
                "--features",
                "driver_stats",
                "--output",
                output.toString(),
                "--repo",
                repo.toString()));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(env);
    long start = System.nanoTime();
    long deadline = timeoutSeconds > 0 ? start + timeoutSeconds * 1_000_000_000L : Long.MAX_VALUE;
    Process process = builder.start();
    Path cliStatus = Path.of("/proc/" + process.pid() + "/status");
    Path driverStatus = null;
    long cliPeak = 0;
    long driverPeak = 0;
    boolean timedOut = false;
    while (!process.waitFor(20, TimeUnit.MILLISECONDS)) {
      cliPeak = Math.max(cliPeak, HistoricalBenchmark.peakRss(cliStatus));
      if (driver && driverStatus == null) {
        // Found once: scanning the process table every 20 ms would cost the 2-core machine.
        Optional<ProcessHandle> child = process.children().findFirst();
        if (child.isPresent()) {
          driverStatus = Path.of("/proc/" + child.get().pid() + "/status");
        }
      }
      if (driverStatus != null) {
        driverPeak = Math.max(driverPeak, HistoricalBenchmark.peakRss(driverStatus));
      }
      if (System.nanoTime() > deadline) {
        timedOut = true;
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor();
        break;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Timed(seconds, process.exitValue(), timedOut, cliPeak, driverPeak);
  }

  private static long rowCount(Path parquet) throws SQLException {
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet result =
            statement.executeQuery("SELECT count(*) FROM read_parquet('" + parquet + "')")) {
      result.next();
      return result.getLong(1);
    }
  }
}
