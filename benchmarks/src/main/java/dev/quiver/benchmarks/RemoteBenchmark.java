package dev.quiver.benchmarks;

import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.HistoricalRequest;
import dev.quiver.sdk.TrainingSet;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code benchmarks/run.sh remote}: a training set of 1M entity rows (over 10M feature rows)
 * retrieved through {@code quiver serve} over Arrow Flight ({@code FeatureStore.connect}) against
 * the embedded store in this JVM, alternately, in the same run, after one warm-up each. {@code
 * ratio} is the remote median over the embedded one.
 *
 * <p>Prints the server's peak resident memory (VmHWM) at the end: with {@code chunkRows} set, the
 * server joins and holds that many entity rows at a time ({@code quiver serve --chunk-rows}).
 *
 * <p>Settings: {@code entities} (1000000), {@code features} (10000000), {@code keys} (500000),
 * {@code runs} (3), {@code chunkRows} (0: the server's default).
 */
public final class RemoteBenchmark {

  private RemoteBenchmark() {}

  public static void main(String[] args) throws Exception {
    long entities = Long.getLong("entities", 1_000_000);
    long features = Long.getLong("features", 10_000_000);
    int keys = Integer.getInteger("keys", 500_000);
    int runs = Integer.getInteger("runs", 3);
    int chunkRows = Integer.getInteger("chunkRows", 0);
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path dir =
        root.resolve(
            "benchmarks/target/data/historical-" + entities + "-" + features + "-" + keys + "-8");
    Path repo = HistoricalBenchmark.prepare(dir, entities, features, keys, 8);
    HistoricalRequest request =
        HistoricalRequest.builder()
            .entities(dir.resolve("entities.parquet"))
            .features(
                List.of(
                    "driver_stats:conv_rate",
                    "driver_stats:acc_rate",
                    "driver_stats:trips",
                    "driver_stats:segment",
                    "driver_stats:active"))
            .build();
    int port = Integer.getInteger("port", 6590);
    int flightPort = port + 1;
    QuiverProcess.run(root, "apply", "--repo", repo.toString());
    Process server =
        QuiverProcess.serve(
            root,
            dir.resolve("server.log"),
            port,
            "--repo",
            repo.toString(),
            "--flight-port",
            String.valueOf(flightPort),
            "--chunk-rows",
            String.valueOf(chunkRows));
    double[] embedded = new double[runs];
    double[] remote = new double[runs];
    try (FeatureStore local = FeatureStore.open(repo)) {
      try (FeatureStore through = FeatureStore.connect(URI.create("http://127.0.0.1:" + port))) {
        long rows = time(local, request, -1);
        time(through, request, rows);
        for (int r = 0; r < runs; r++) {
          long start = System.nanoTime();
          time(local, request, rows);
          embedded[r] = (System.nanoTime() - start) / 1e9;
          start = System.nanoTime();
          time(through, request, rows);
          remote[r] = (System.nanoTime() - start) / 1e9;
          System.err.printf(
              Locale.ROOT,
              "run %d: embedded %.2f s, remote %.2f s%n",
              r + 1,
              embedded[r],
              remote[r]);
        }
      }
      System.out.println("server peak resident memory: " + peakResident(server));
    } finally {
      server.destroy();
      server.waitFor();
    }
    double e = Measurements.median(embedded);
    double q = Measurements.median(remote);
    System.out.printf(
        "embedded runs (s): %s%nremote runs (s): %s%n",
        Measurements.format(embedded), Measurements.format(remote));
    System.out.printf(
        Locale.ROOT,
        "remote: entities=%d features=%d embedded_s=%.2f remote_s=%.2f ratio=%.2f%n",
        entities,
        features,
        e,
        q,
        q / e);
  }

  /** The process's peak resident set, from /proc (Linux). */
  private static String peakResident(Process process) throws java.io.IOException {
    for (String line :
        java.nio.file.Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("VmHWM:")) {
        return line.substring("VmHWM:".length()).strip();
      }
    }
    return "unknown";
  }

  /** Retrieves the training set; checks it has {@code rows} rows unless that is negative. */
  private static long time(FeatureStore store, HistoricalRequest request, long rows) {
    try (TrainingSet set = store.historicalFeatures(request)) {
      long got = set.table().getRowCount();
      if (rows >= 0 && got != rows) {
        throw new IllegalStateException("expected " + rows + " rows, got " + got);
      }
      return got;
    }
  }
}
