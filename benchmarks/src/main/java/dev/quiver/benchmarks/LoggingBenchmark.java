package dev.quiver.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code benchmarks/run.sh logging}: what feature logging costs a lookup. One {@code quiver serve}
 * (its own JVM, RocksDB) of the example repo (made and materialized by {@code quiver demo
 * --no-serve}) answers {@code POST /get-online-features} for {@code driver_activity_v3} (which has
 * {@code logging: {sample_rate: 1.0}}) and for {@code driver_activity_v3_unlogged}, the same
 * features without {@code logging:}, 1 entity (random driver and customer, a fare quote) per
 * request. Both run at the same fixed rate, open loop ({@code wrk/fixed-rate.lua}: latency from
 * each request's due time, so queueing counts), in alternating blocks: each round runs one block of
 * each, the order swapped every round (A B, B A, ...), after a warm-up of both. Prints each round's
 * p50 and p99 and the p99 ratio logged / unlogged, and the median ratio.
 *
 * <p>Then the same on a second server whose log queue holds {@code tinyQueue} requests ({@code
 * quiver.server.feature-log.queue-capacity}), so that a logged request is dropped whenever the
 * previous one is still being written: it shows whether dropping costs a lookup anything. The
 * dropped and logged rows come from the server's {@code /metrics}.
 *
 * <p>Settings: {@code rate} (1000 req/s), {@code seconds} (10 per block), {@code rounds} (5),
 * {@code connections} (16), {@code tinyQueue} (1), {@code port} (6590), {@code dir}.
 */
public final class LoggingBenchmark {

  private static final String LOGGED = "driver_activity_v3";
  private static final String UNLOGGED = "driver_activity_v3_unlogged";

  private LoggingBenchmark() {}

  /** A case's rounds: p99 ratios and the latencies of each side. */
  private record Rounds(double[] ratios, double[] loggedP99, double[] unloggedP99) {}

  public static void main(String[] args) throws Exception {
    int rate = Integer.getInteger("rate", 1000);
    int seconds = Integer.getInteger("seconds", 10);
    int rounds = Integer.getInteger("rounds", 5);
    int connections = Integer.getInteger("connections", 16);
    int tinyQueue = Integer.getInteger("tinyQueue", 1);
    int port = Integer.getInteger("port", 6590);
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path repo =
        Path.of(
                System.getProperty(
                    "dir", root.resolve("benchmarks/target/data/logging").toString()))
            .toAbsolutePath();
    makeRepo(root, repo);

    Path scripts = Files.createDirectories(repo.resolve("wrk"));
    double intervalMicros = 1e6 * connections / rate;
    Path logged =
        ServeBenchmark.write(
            scripts.resolve("logged.lua"), ServeBenchmark.paced(lookup(LOGGED), intervalMicros));
    Path unlogged =
        ServeBenchmark.write(
            scripts.resolve("unlogged.lua"),
            ServeBenchmark.paced(lookup(UNLOGGED), intervalMicros));
    System.out.printf(
        Locale.ROOT,
        "1 entity x the features of %s (5 references: a view, a tiled aggregation view, an"
            + " on-demand view, two single features) at %d req/s, %d connections, %d s blocks,"
            + " %d rounds%n",
        LOGGED,
        rate,
        connections,
        seconds,
        rounds);

    System.out.println("== default queue (quiver.server.feature-log.queue-capacity=10000)");
    Rounds normal =
        serveAndMeasure(
            root, repo, List.of(), port, logged, unlogged, seconds, rounds, connections);
    System.out.println(
        "== tiny queue (quiver.server.feature-log.queue-capacity=" + tinyQueue + ")");
    Rounds tiny =
        serveAndMeasure(
            root,
            repo,
            List.of("-Dquiver.server.feature-log.queue-capacity=" + tinyQueue),
            port,
            logged,
            unlogged,
            seconds,
            rounds,
            connections);
    System.out.printf(
        Locale.ROOT,
        "logging: rate=%d rounds=%d p99_logged_ms=%.3f p99_unlogged_ms=%.3f"
            + " tiny_p99_logged_ms=%.3f tiny_p99_unlogged_ms=%.3f tiny_ratio=%.3f ratio=%.3f%n",
        rate,
        rounds,
        Measurements.median(normal.loggedP99()),
        Measurements.median(normal.unloggedP99()),
        Measurements.median(tiny.loggedP99()),
        Measurements.median(tiny.unloggedP99()),
        Measurements.median(tiny.ratios()),
        Measurements.median(normal.ratios()));
  }

  /**
   * A fresh example repo: {@code quiver demo --no-serve} (data ending at the current hour, applied
   * and materialized), plus the unlogged twin of the logged service.
   */
  private static void makeRepo(Path root, Path repo) throws Exception {
    if (Files.exists(repo)) {
      try (Stream<Path> all = Files.walk(repo)) {
        for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
    System.err.println("Making the example repo in " + repo + " (quiver demo --no-serve)");
    QuiverProcess.run(root, "demo", "--no-serve", "--dir", repo.toString());
    Files.writeString(
        repo.resolve("unlogged.yaml"),
        "feature_services:\n  - name: "
            + UNLOGGED
            + "\n    features: [driver_hourly_stats, driver_trip_activity, booking_risk,"
            + " customer_profile:current_balance, driver_customer_stats:trips_together]\n");
    QuiverProcess.run(root, "apply", "--repo", repo.toString());
  }

  /** A wrk script posting one random driver and customer of the example data to {@code service}. */
  private static String lookup(String service) {
    return "wrk.method = \"POST\"\n"
        + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
        + "request = function()\n"
        + "  local body = string.format('{\"feature_service\": \""
        + service
        + "\", \"entities\": {\"driver_id\": [%d], \"customer_id\": [%d],"
        + " \"fare_quote\": [%.2f]}}', math.random(1001, 3000), math.random(5001, 10000),"
        + " 5 + math.random() * 40)\n"
        + "  return wrk.format(nil, nil, nil, body)\n"
        + "end\n";
  }

  private static Rounds serveAndMeasure(
      Path root,
      Path repo,
      List<String> jvmOptions,
      int port,
      Path logged,
      Path unlogged,
      int seconds,
      int rounds,
      int connections)
      throws Exception {
    String url = "http://127.0.0.1:" + port;
    String lookups = url + "/get-online-features";
    Process server =
        QuiverProcess.serve(
            root, jvmOptions, repo.resolve("server.log"), port, "--repo", repo.toString());
    try {
      // Warm-up: both services, saturated (the JIT), then a block of each at the rate.
      ServeBenchmark.wrk(lookups, logged, seconds, connections, 2);
      ServeBenchmark.wrk(lookups, unlogged, seconds, connections, 2);
      ServeBenchmark.paced(lookups, logged, seconds, connections);
      ServeBenchmark.paced(lookups, unlogged, seconds, connections);
      double[] ratios = new double[rounds];
      double[] loggedP99 = new double[rounds];
      double[] unloggedP99 = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        ServeBenchmark.Paced withLog;
        ServeBenchmark.Paced withoutLog;
        if (round % 2 == 0) {
          withLog = ServeBenchmark.paced(lookups, logged, seconds, connections);
          withoutLog = ServeBenchmark.paced(lookups, unlogged, seconds, connections);
        } else {
          withoutLog = ServeBenchmark.paced(lookups, unlogged, seconds, connections);
          withLog = ServeBenchmark.paced(lookups, logged, seconds, connections);
        }
        ratios[round] = withLog.p99Millis() / withoutLog.p99Millis();
        loggedP99[round] = withLog.p99Millis();
        unloggedP99[round] = withoutLog.p99Millis();
        System.out.printf(
            Locale.ROOT,
            "round %d (%s first): logged %.0f req/s p50 %.3f p99 %.3f ms | unlogged %.0f req/s"
                + " p50 %.3f p99 %.3f ms | p99 ratio %.3f%n",
            round + 1,
            round % 2 == 0 ? "logged" : "unlogged",
            withLog.requestsPerSecond(),
            withLog.p50Millis(),
            withLog.p99Millis(),
            withoutLog.requestsPerSecond(),
            withoutLog.p50Millis(),
            withoutLog.p99Millis(),
            ratios[round]);
      }
      String metrics = get(url + "/metrics");
      System.out.printf(
          Locale.ROOT,
          "p99 ratios %s, median %.3f; median p99 logged %.3f ms, unlogged %.3f ms;"
              + " rows logged %.0f, dropped %.0f (server's /metrics)%n",
          Measurements.format(ratios),
          Measurements.median(ratios),
          Measurements.median(loggedP99),
          Measurements.median(unloggedP99),
          counter(metrics, "quiver_feature_log_rows_total"),
          counter(metrics, "quiver_feature_log_dropped_total"));
      return new Rounds(ratios, loggedP99, unloggedP99);
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(url + ": HTTP " + response.statusCode());
    }
    return response.body();
  }

  /** A Prometheus counter of the logged service, or fails when the server does not export it. */
  private static double counter(String metrics, String name) {
    Matcher matcher =
        Pattern.compile(
                "(?m)^" + name + "\\{[^}]*service=\"" + LOGGED + "\"[^}]*}\\s+([0-9.eE+-]+)$")
            .matcher(metrics);
    if (!matcher.find()) {
      List<String> lines = new ArrayList<>();
      metrics.lines().filter(l -> l.contains("feature_log")).forEach(lines::add);
      throw new IllegalStateException("no " + name + " in /metrics: " + lines);
    }
    return Double.parseDouble(matcher.group(1));
  }
}
