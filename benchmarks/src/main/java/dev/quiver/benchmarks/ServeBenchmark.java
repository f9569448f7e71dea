package dev.quiver.benchmarks;

import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.Feature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code benchmarks/run.sh serve}: {@code quiver serve} (its own JVM) under wrk on loopback, 16
 * connections, for {@code POST /get-online-features} of 1 entity x 8 features and 100 entities x 8
 * features (random keys), against {@code GET /health} of the same server (a fixed body) in the same
 * run. Prints req/s, p50 and p99 for each; {@code ratio} is the fixed body's req/s over Quiver's
 * for 1 entity.
 *
 * <p>Then the latency at a fixed load: the fixed body and 1 entity at {@code rate} requests a
 * second, open loop (each connection on a schedule, latency from the due time; {@code
 * wrk/fixed-rate.lua}). Saturation shows throughput; the fixed rate shows the latency a service
 * sees at that load, where the saturated p99 is mostly time spent queued behind wrk itself on two
 * shared cores.
 *
 * <p>Settings: {@code keys} (1000000), {@code seconds} (15 per case, after 5 of warm-up), {@code
 * connections} (16), {@code threads} (2), {@code rate} (5000), {@code dir}, {@code serverOpts} (JVM
 * options of the server, none by default).
 */
public final class ServeBenchmark {

  private static final int FEATURES = 8;

  private ServeBenchmark() {}

  record Result(double requestsPerSecond, double p50Millis, double p99Millis) {}

  /**
   * A run at a fixed rate; latencies from each request's due time, and the server's CPU time (user
   * and system, all its threads) per request: a cost that the shared machine's noise moves far less
   * than it moves throughput or a tail.
   */
  record Paced(
      double requestsPerSecond,
      double p50Millis,
      double p99Millis,
      double p999Millis,
      double serverCpuMicros) {}

  public static void main(String[] args) throws Exception {
    int keys = Integer.getInteger("keys", 1_000_000);
    int seconds = Integer.getInteger("seconds", 15);
    int connections = Integer.getInteger("connections", 16);
    int threads = Integer.getInteger("threads", 2);
    int rate = Integer.getInteger("rate", 5000);
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path repo =
        Path.of(
            System.getProperty(
                "dir", root.resolve("benchmarks/target/data/serve-" + keys).toString()));
    List<Feature> features = OnlineData.features(FEATURES);
    OnlineData.writeRepo(repo, "project: bench\n", features);
    if (!Files.exists(repo.resolve("data/.loaded-" + keys))) {
      System.err.println("Writing " + keys + " online rows to " + repo.resolve("data/online"));
      try (RocksDbOnlineStore store =
          RocksDbOnlineStore.open("bench", repo.resolve("data/online"))) {
        OnlineData.load(store, keys, features);
      }
      Files.writeString(repo.resolve("data/.loaded-" + keys), "ok\n");
    }
    StringBuilder refs = new StringBuilder();
    for (Feature feature : features) {
      refs.append(refs.length() == 0 ? "" : ",")
          .append("\"stats:")
          .append(feature.name())
          .append('"');
    }
    Path scripts = Files.createDirectories(repo.resolve("wrk"));
    String seeded = resource("seeded.lua");
    String selection = "\"features\": [" + refs + "]";
    String oneLookup = lookups(selection, 1, keys);
    Path one = write(scripts.resolve("one.lua"), seeded + oneLookup);
    Path hundred = write(scripts.resolve("hundred.lua"), seeded + lookups(selection, 100, keys));
    double intervalMicros = 1e6 * connections / rate;
    Path fixedPaced = write(scripts.resolve("fixed-paced.lua"), paced("", intervalMicros));
    Path onePaced = write(scripts.resolve("one-paced.lua"), paced(oneLookup, intervalMicros));

    int port = Integer.getInteger("port", 6580);
    Process server =
        QuiverProcess.serve(
            root, serverOptions(), repo.resolve("server.log"), port, "--repo", repo.toString());
    try {
      String url = "http://127.0.0.1:" + port;
      Result fixed = wrk(url + "/health", null, seconds, connections, threads);
      Result quiverOne = wrk(url + "/get-online-features", one, seconds, connections, threads);
      Result quiverHundred =
          wrk(url + "/get-online-features", hundred, seconds, connections, threads);
      print("fixed body (GET /health)", fixed);
      print("quiver, 1 entity x " + FEATURES + " features", quiverOne);
      print("quiver, 100 entities x " + FEATURES + " features", quiverHundred);
      Paced fixedAtRate = paced(url + "/health", fixedPaced, seconds, connections, server);
      Paced oneAtRate = paced(url + "/get-online-features", onePaced, seconds, connections, server);
      print("fixed body at " + rate + " req/s", fixedAtRate);
      print("quiver, 1 entity x " + FEATURES + " features at " + rate + " req/s", oneAtRate);
      System.out.printf(
          Locale.ROOT,
          "serve: connections=%d fixed_rps=%.0f q1_rps=%.0f q1_p50_ms=%.2f q1_p99_ms=%.2f"
              + " q100_rps=%.0f q100_p50_ms=%.2f q100_p99_ms=%.2f rate=%d fixed_rate_p99_ms=%.2f"
              + " q1_rate_rps=%.0f q1_rate_p50_ms=%.2f q1_rate_p99_ms=%.2f fixed_rate_cpu_us=%.1f"
              + " q1_rate_cpu_us=%.1f ratio=%.2f%n",
          connections,
          fixed.requestsPerSecond(),
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
          fixedAtRate.serverCpuMicros(),
          oneAtRate.serverCpuMicros(),
          fixed.requestsPerSecond() / quiverOne.requestsPerSecond());
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  /**
   * A wrk script posting online requests for {@code entities} random keys each; {@code selection}
   * is the body's fields before {@code "entities"}.
   */
  static String lookups(String selection, int entities, int keys) {
    return "wrk.method = \"POST\"\n"
        + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
        + "request = function()\n"
        + "  local ids = {}\n"
        + "  for i = 1, "
        + entities
        + " do ids[i] = math.random(0, "
        + (keys - 1)
        + ") end\n"
        + "  local body = '{"
        + selection
        + ", \"entities\": {\"driver_id\": [' .. table.concat(ids, \",\") .. ']}}'\n"
        + "  return wrk.format(nil, nil, nil, body)\n"
        + "end\n";
  }

  /** {@code lua} paced to one request per connection every {@code intervalMicros}. */
  static String paced(String lua, double intervalMicros) throws IOException {
    return String.format(Locale.ROOT, "interval_us = %.1f%n", intervalMicros)
        + resource("seeded.lua")
        + lua
        + resource("fixed-rate.lua");
  }

  static String resource(String name) throws IOException {
    try (var in = ServeBenchmark.class.getResourceAsStream("/wrk/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static Path write(Path file, String lua) throws IOException {
    Files.writeString(file, lua);
    return file;
  }

  /** Warms up for 5 s, then measures. */
  static Result wrk(String url, Path script, int seconds, int connections, int threads)
      throws Exception {
    run(wrkCommand(url, script, 5, connections, threads));
    String output = run(wrkCommand(url, script, seconds, connections, threads));
    if (output.contains("Non-2xx")) {
      throw new IllegalStateException("wrk saw errors:\n" + output);
    }
    return new Result(
        number(output, "Requests/sec:\\s+([0-9.]+)"), millis(output, "50%"), millis(output, "99%"));
  }

  /**
   * Runs a paced script: one wrk thread per connection (the script paces its thread's one
   * connection), latencies as the script measured them.
   */
  static Paced paced(String url, Path script, int seconds, int connections) throws Exception {
    return paced(url, script, seconds, connections, null);
  }

  /**
   * {@link #paced(String, Path, int, int)}, with the CPU time of {@code server} (when not null).
   */
  static Paced paced(String url, Path script, int seconds, int connections, Process server)
      throws Exception {
    long cpuBefore = server == null ? 0 : cpuNanos(server);
    String output = run(wrkCommand(url, script, seconds, connections, connections));
    double cpu = server == null ? Double.NaN : cpuNanos(server) - cpuBefore;
    if (number(output, "fixed-rate: requests=[0-9]+ errors=([0-9]+)") > 0) {
      throw new IllegalStateException("wrk saw errors:\n" + output);
    }
    double requests = number(output, "fixed-rate: requests=([0-9]+)");
    return new Paced(
        requests / seconds,
        number(output, "p50_us=([0-9.]+)") / 1000,
        number(output, "p99_us=([0-9.]+)") / 1000,
        number(output, "p999_us=([0-9.]+)") / 1000,
        cpu / 1000.0 / requests);
  }

  /** The CPU time a process has used so far. */
  private static long cpuNanos(Process process) {
    return process
        .toHandle()
        .info()
        .totalCpuDuration()
        .orElseThrow(() -> new IllegalStateException("no CPU time for process " + process.pid()))
        .toNanos();
  }

  /** JVM options for the server: {@code -DserverOpts="-XX:+UseParallelGC ..."}, none by default. */
  static List<String> serverOptions() {
    String options = System.getProperty("serverOpts", "").strip();
    return options.isEmpty() ? List.of() : List.of(options.split("\\s+"));
  }

  private static List<String> wrkCommand(
      String url, Path script, int seconds, int connections, int threads) {
    List<String> command =
        new ArrayList<>(
            List.of("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency"));
    if (script != null) {
      command.add("-s");
      command.add(script.toString());
    }
    command.add(url);
    return command;
  }

  static String run(List<String> command) throws Exception {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (process.waitFor() != 0) {
      throw new IllegalStateException("failed: " + String.join(" ", command) + "\n" + output);
    }
    return output;
  }

  private static double number(String output, String regex) {
    Matcher matcher = Pattern.compile(regex).matcher(output);
    if (!matcher.find()) {
      throw new IllegalStateException("no " + regex + " in wrk's output:\n" + output);
    }
    return Double.parseDouble(matcher.group(1));
  }

  /** A latency percentile of wrk's distribution, in milliseconds. */
  private static double millis(String output, String percentile) {
    Matcher matcher =
        Pattern.compile("\\s" + percentile + "\\s+([0-9.]+)(us|ms|s)\\b").matcher(output);
    if (!matcher.find()) {
      throw new IllegalStateException("no " + percentile + " in wrk's output:\n" + output);
    }
    double value = Double.parseDouble(matcher.group(1));
    return switch (matcher.group(2)) {
      case "us" -> value / 1000;
      case "s" -> value * 1000;
      default -> value;
    };
  }

  static void print(String what, Paced result) {
    System.out.printf(
        Locale.ROOT,
        "%s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms (from each request's due time),"
            + " server CPU %.1f us/request%n",
        what,
        result.requestsPerSecond(),
        result.p50Millis(),
        result.p99Millis(),
        result.p999Millis(),
        result.serverCpuMicros());
  }

  static void print(String what, Result result) {
    System.out.printf(
        Locale.ROOT,
        "%s: %.0f req/s, p50 %.2f ms, p99 %.2f ms%n",
        what,
        result.requestsPerSecond(),
        result.p50Millis(),
        result.p99Millis());
  }
}
