package dev.quiver.benchmarks;

import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.HistoricalRequest;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code benchmarks/run.sh concurrent}: one {@code quiver serve} with a 1 GB heap answers six
 * training sets over Arrow Flight at once, each 300k entity rows against 3M feature rows (the
 * historical benchmark's data at that size); the peer is the same six answered one after another by
 * the same server. Each answer is checked against the first sequential one, row for row (a checksum
 * of every value). {@code ratio} is the concurrent time over the sequential; the line also gives
 * the server's peak resident memory.
 *
 * <p>Settings: {@code requests} (6), {@code entities} (300000), {@code features} (3000000), {@code
 * keys} (150000), {@code xmx} (1g), {@code runs} (3), {@code serverRoot} (this checkout: another
 * checkout's {@code server/target/quiver.jar} measures another build).
 */
public final class ConcurrentBenchmark {

  private ConcurrentBenchmark() {}

  public static void main(String[] args) throws Exception {
    int requests = Integer.getInteger("requests", 6);
    long entities = Long.getLong("entities", 300_000);
    long features = Long.getLong("features", 3_000_000);
    int keys = Integer.getInteger("keys", 150_000);
    String xmx = System.getProperty("xmx", "1g");
    int runs = Integer.getInteger("runs", 3);
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path serverRoot = Path.of(System.getProperty("serverRoot", root.toString()));
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
    int port = Integer.getInteger("port", 6592);
    QuiverProcess.run(serverRoot, "apply", "--repo", repo.toString());
    Process server =
        QuiverProcess.serve(
            serverRoot,
            List.of("-Xmx" + xmx),
            dir.resolve("concurrent-server.log"),
            port,
            "--repo",
            repo.toString(),
            "--flight-port",
            String.valueOf(port + 1));
    URI url = URI.create("http://127.0.0.1:" + port);
    double[] sequential = new double[runs];
    double[] concurrent = new double[runs];
    ExecutorService clients = Executors.newFixedThreadPool(requests);
    try {
      long expected = checksum(url, request);
      for (int r = 0; r < runs; r++) {
        long start = System.nanoTime();
        for (int i = 0; i < requests; i++) {
          check(expected, checksum(url, request), "sequential");
        }
        sequential[r] = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        List<CompletableFuture<Long>> answers = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
          answers.add(CompletableFuture.supplyAsync(() -> checksum(url, request), clients));
        }
        for (CompletableFuture<Long> answer : answers) {
          check(expected, answer.join(), "concurrent");
        }
        concurrent[r] = (System.nanoTime() - start) / 1e9;
        System.err.printf(
            Locale.ROOT,
            "run %d: sequential %.2f s, concurrent %.2f s, server peak RSS so far %d MB%n",
            r + 1,
            sequential[r],
            concurrent[r],
            QuiverProcess.peakResidentMegabytes(server));
      }
      if (!server.isAlive()) {
        throw new IllegalStateException("the server died; see its log in " + dir);
      }
      long peak = QuiverProcess.peakResidentMegabytes(server);
      double s = Measurements.median(sequential);
      double c = Measurements.median(concurrent);
      System.out.printf(
          "sequential runs (s): %s%nconcurrent runs (s): %s%n",
          Measurements.format(sequential), Measurements.format(concurrent));
      System.out.printf(
          Locale.ROOT,
          "concurrent: requests=%d entities=%d features=%d xmx=%s sequential_s=%.2f"
              + " concurrent_s=%.2f peak_rss_mb=%d ratio=%.2f%n",
          requests,
          entities,
          features,
          xmx,
          s,
          c,
          peak,
          c / s);
    } finally {
      clients.shutdownNow();
      server.destroy();
      server.waitFor();
    }
  }

  private static void check(long expected, long actual, String how) {
    if (expected != actual) {
      throw new IllegalStateException(
          "A training set answered " + how + " differs from the first one");
    }
  }

  /**
   * Retrieves the training set through the server, batch by batch, and returns a checksum of its
   * values in row order.
   */
  private static long checksum(URI server, HistoricalRequest request) {
    AtomicLong sum = new AtomicLong(17);
    try (FeatureStore store = FeatureStore.connect(server)) {
      store.streamHistoricalFeatures(
          request,
          batch -> {
            long h = sum.get();
            for (int r = 0; r < batch.getRowCount(); r++) {
              for (var vector : batch.getFieldVectors()) {
                h = h * 31 + vector.hashCode(r);
              }
            }
            sum.set(h);
          });
    }
    return sum.get();
  }
}
