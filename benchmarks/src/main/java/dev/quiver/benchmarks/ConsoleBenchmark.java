package dev.quiver.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code benchmarks/run.sh console}: how long each console page takes from a cold server. For each
 * page and run, a new {@code quiver serve} of the demo repo (made by {@code quiver demo --no-serve}
 * once, with its training set as drift baseline) is started, waited on until ready, and asked for
 * that page first: the time to its last byte is the page's cold time. The peer is the same server's
 * JSON of the same data, {@code GET /api/v1/projects/{p}/registry}, asked for first on a cold
 * server in the same way: the ratio is the slowest page's median over the API's.
 *
 * <p>Settings: {@code runs} (5 per page), {@code port} (6590), {@code dir} (the demo repo).
 */
final class ConsoleBenchmark {

  private static final Map<String, String> PAGES = new LinkedHashMap<>();

  static {
    PAGES.put("overview", "/ui");
    PAGES.put("lineage", "/ui/lineage");
    PAGES.put("freshness", "/ui/freshness");
    PAGES.put("monitoring", "/ui/monitoring");
    PAGES.put("history", "/ui/history");
    PAGES.put("entity", "/ui/entities/driver");
    PAGES.put("source", "/ui/sources/trips_stream");
    PAGES.put("view", "/ui/views/driver_hourly_stats");
    PAGES.put("aggregation", "/ui/views/driver_trip_activity");
    PAGES.put("on-demand", "/ui/on-demand-views/booking_risk");
    PAGES.put("service", "/ui/services/driver_activity_v3");
  }

  private ConsoleBenchmark() {}

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("runs", 5);
    int port = Integer.getInteger("port", 6590);
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path repo =
        Path.of(
            System.getProperty("dir", root.resolve("benchmarks/target/data/console").toString()));
    if (!Files.exists(repo.resolve("data/training_set.parquet"))) {
      System.err.println("Making the demo repo in " + repo);
      QuiverProcess.run(root, "demo", "--no-serve", "--dir", repo.toString());
    }
    Path log = Files.createTempFile("quiver-console-bench", ".log");
    HttpClient client = HttpClient.newHttpClient();
    Map<String, double[]> times = new LinkedHashMap<>();
    String api = "/api/v1/projects/driver_ranking/registry";
    for (int run = 0; run < runs; run++) {
      for (Map.Entry<String, String> page : PAGES.entrySet()) {
        times.computeIfAbsent(page.getKey(), k -> new double[runs])[run] =
            cold(root, repo, log, port, client, page.getValue());
      }
      times.computeIfAbsent("api", k -> new double[runs])[run] =
          cold(root, repo, log, port, client, api);
    }
    double worst = 0;
    String worstPage = "";
    for (Map.Entry<String, double[]> page : times.entrySet()) {
      double median = Measurements.median(page.getValue());
      System.out.printf(
          Locale.ROOT, "%-12s cold ms: %s%n", page.getKey(), Measurements.format(page.getValue()));
      if (!page.getKey().equals("api") && median > worst) {
        worst = median;
        worstPage = page.getKey();
      }
    }
    double peer = Measurements.median(times.get("api"));
    System.out.printf(
        Locale.ROOT,
        "console: pages=%d runs=%d slowest=%s slowest_median_ms=%.1f api_median_ms=%.1f"
            + " ratio=%.2f%n",
        PAGES.size(),
        runs,
        worstPage,
        worst,
        peer,
        worst / peer);
  }

  /** Starts a server, waits until it is ready, and times the first request: {@code path}. */
  private static double cold(
      Path root, Path repo, Path log, int port, HttpClient client, String path) throws Exception {
    Process server =
        QuiverProcess.serve(
            root,
            log,
            port,
            "--repo",
            repo.toString(),
            "--drift-baseline",
            "data/training_set.parquet");
    try {
      String base = "http://127.0.0.1:" + port;
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (true) {
        HttpResponse<Void> ready =
            client.send(
                HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding());
        if (ready.statusCode() == 200) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the server was not ready within 60 s; see " + log);
        }
        Thread.sleep(100);
      }
      long start = System.nanoTime();
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create(base + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      double millis = (System.nanoTime() - start) / 1e6;
      if (response.statusCode() != 200) {
        throw new IllegalStateException(path + " answered " + response.statusCode());
      }
      return millis;
    } finally {
      server.destroy();
      server.waitFor();
    }
  }
}
