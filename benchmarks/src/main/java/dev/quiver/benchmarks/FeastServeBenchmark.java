package dev.quiver.benchmarks;

import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.Feature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code benchmarks/run.sh serve-feast}: Feast's feature server benchmark shape served by {@code
 * quiver serve} (its own JVM) under wrk on loopback: 25 feature views of 10 features each (float64
 * and int64 alternating) over one entity, asked for through a feature service of all 250 features,
 * with full feature names ({@code v0__f0}), for 1 and 100 random entities per request: 1 entity
 * saturated (16 connections, 2 wrk threads), then the fixed body {@code GET /health} and 1 entity
 * at a fixed {@code rate} (2,000 req/s), open loop (latency from each request's due time, {@code
 * wrk/fixed-rate.lua}), then 100 entities saturated.
 *
 * <p>Settings: {@code keys} (100000 per view), {@code seconds} (15 per case, after 5 of warm-up),
 * {@code connections} (16), {@code threads} (2), {@code rate} (2000), {@code port} (6581), {@code
 * dir}, {@code serverOpts} (as the serve benchmark's).
 */
final class FeastServeBenchmark {

  static final int VIEWS = 25;
  static final int FEATURES = 10;
  static final String SERVICE = "feast_shape";

  private FeastServeBenchmark() {}

  public static void main(String[] args) throws Exception {
    int keys = Integer.getInteger("keys", 100_000);
    int seconds = Integer.getInteger("seconds", 15);
    int connections = Integer.getInteger("connections", 16);
    int threads = Integer.getInteger("threads", 2);
    int rate = Integer.getInteger("rate", 2000);
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path repo =
        Path.of(
            System.getProperty(
                "dir", root.resolve("benchmarks/target/data/serve-feast-" + keys).toString()));
    List<Feature> features = OnlineData.features(FEATURES);
    writeRepo(repo, features);
    if (!Files.exists(repo.resolve("data/.loaded-" + keys))) {
      System.err.println(
          "Writing " + keys + " online rows of " + VIEWS + " views to " + repo.resolve("data"));
      try (RocksDbOnlineStore store =
          RocksDbOnlineStore.open("bench", repo.resolve("data/online"))) {
        Random random = new Random(42);
        for (int v = 0; v < VIEWS; v++) {
          OnlineData.load(store, view(v), random, keys, features);
        }
      }
      Files.writeString(repo.resolve("data/.loaded-" + keys), "ok\n");
    }
    Path scripts = Files.createDirectories(repo.resolve("wrk"));
    String seeded = ServeBenchmark.resource("seeded.lua");
    String selection = "\"feature_service\": \"" + SERVICE + "\", \"full_feature_names\": true";
    String oneLookup = ServeBenchmark.lookups(selection, 1, keys);
    Path one = ServeBenchmark.write(scripts.resolve("one.lua"), seeded + oneLookup);
    Path hundred =
        ServeBenchmark.write(
            scripts.resolve("hundred.lua"), seeded + ServeBenchmark.lookups(selection, 100, keys));
    double intervalMicros = 1e6 * connections / rate;
    Path fixedPaced =
        ServeBenchmark.write(
            scripts.resolve("fixed-paced.lua"), ServeBenchmark.paced("", intervalMicros));
    Path onePaced =
        ServeBenchmark.write(
            scripts.resolve("one-paced.lua"), ServeBenchmark.paced(oneLookup, intervalMicros));

    int port = Integer.getInteger("port", 6581);
    Process server =
        QuiverProcess.serve(
            root,
            ServeBenchmark.serverOptions(),
            repo.resolve("server.log"),
            port,
            "--repo",
            repo.toString());
    try {
      String url = "http://127.0.0.1:" + port;
      String lookup = url + "/get-online-features";
      ServeBenchmark.Result quiverOne =
          ServeBenchmark.wrk(lookup, one, seconds, connections, threads);
      // The fixed rate before the 100-entity case: its 1.4 MB answers leave the heap full of
      // garbage whose collection would land on the next case (the fixed body's p99 at 2,000
      // req/s was 130-690 ms when measured after it, 0.3-1.5 ms in the serve benchmark).
      ServeBenchmark.Paced fixedAtRate =
          ServeBenchmark.paced(url + "/health", fixedPaced, seconds, connections, server);
      ServeBenchmark.Paced oneAtRate =
          ServeBenchmark.paced(lookup, onePaced, seconds, connections, server);
      ServeBenchmark.Result quiverHundred =
          ServeBenchmark.wrk(lookup, hundred, seconds, connections, threads);
      String shape = VIEWS + " views x " + FEATURES + " features";
      ServeBenchmark.print("quiver, 1 entity x " + shape, quiverOne);
      ServeBenchmark.print("quiver, 100 entities x " + shape, quiverHundred);
      ServeBenchmark.print("fixed body at " + rate + " req/s", fixedAtRate);
      ServeBenchmark.print("quiver, 1 entity x " + shape + " at " + rate + " req/s", oneAtRate);
      System.out.printf(
          Locale.ROOT,
          "serve-feast: views=%d features=%d connections=%d q1_rps=%.0f q1_p50_ms=%.2f"
              + " q1_p99_ms=%.2f q100_rps=%.0f q100_p50_ms=%.2f q100_p99_ms=%.2f rate=%d"
              + " fixed_rate_p99_ms=%.2f q1_rate_rps=%.0f q1_rate_p50_ms=%.2f q1_rate_p99_ms=%.2f"
              + " q1_rate_p999_ms=%.2f fixed_rate_cpu_us=%.1f q1_rate_cpu_us=%.1f%n",
          VIEWS,
          FEATURES,
          connections,
          quiverOne.requestsPerSecond(),
          quiverOne.p50Millis(),
          quiverOne.p99Millis(),
          quiverHundred.requestsPerSecond(),
          quiverHundred.p50Millis(),
          quiverHundred.p99Millis(),
          rate,
          fixedAtRate.p99Millis(),
          oneAtRate.requestsPerSecond(),
          oneAtRate.p50Millis(),
          oneAtRate.p99Millis(),
          oneAtRate.p999Millis(),
          fixedAtRate.serverCpuMicros(),
          oneAtRate.serverCpuMicros());
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  static String view(int v) {
    return "v" + v;
  }

  /**
   * The repo: entity {@code driver}, {@value #VIEWS} views {@code v0..} of {@code features} each,
   * and the feature service {@value #SERVICE} of all of them.
   */
  private static void writeRepo(Path repo, List<Feature> features) throws Exception {
    List<String> views = new ArrayList<>();
    StringBuilder service =
        new StringBuilder("feature_services:\n  - name: " + SERVICE + "\n    features:\n");
    for (int v = 0; v < VIEWS; v++) {
      views.add(view(v));
      service.append("      - ").append(view(v)).append('\n');
    }
    OnlineData.writeRepo(repo, "project: bench\n", views, features, service.toString());
  }
}
