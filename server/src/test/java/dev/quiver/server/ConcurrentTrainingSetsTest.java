package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiver.cli.QuiverCli;
import dev.quiver.example.ExampleRepo;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.FeatureStoreContract;
import dev.quiver.sdk.HistoricalRequest;
import dev.quiver.sdk.TrainingSet;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One server answering six training sets over Arrow Flight at once, under a memory limit smaller
 * than what the six would hold together: each gets the rows a join of its own gives, and the Arrow
 * memory the server holds never goes past its limit (the requests wait or spill instead).
 */
class ConcurrentTrainingSetsTest {

  private static final long LIMIT = 96L << 20;
  private static final int REQUESTS = 6;
  private static final int ENTITY_ROWS = 40_000;
  private static final List<String> FEATURES =
      List.of(
          "driver_hourly_stats:conv_rate",
          "driver_hourly_stats:acc_rate",
          "driver_hourly_stats:avg_daily_trips");

  @TempDir Path dir;

  @Test
  void sixConcurrentTrainingSetsAreRightAndStayWithinTheMemoryLimit() throws Exception {
    Path repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    ExampleRepo.createAt(repo, end);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    List<Path> entityFiles = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      entityFiles.add(entityRows(dir.resolve("entities-" + i + ".csv"), end, i));
    }
    // Each request's rows as a join of its own, in this process, gives them.
    List<List<List<Object>>> expected = new ArrayList<>();
    try (FeatureStore embedded = FeatureStore.open(repo)) {
      for (Path file : entityFiles) {
        try (TrainingSet set = embedded.historicalFeatures(request(file))) {
          expected.add(FeatureStoreContract.rowsOf(set.table()));
        }
      }
    }

    int port = freePort();
    int flightPort = freePort();
    Process server = serve(repo, port, flightPort);
    try {
      URI url = URI.create("http://127.0.0.1:" + port);
      ExecutorService clients = Executors.newFixedThreadPool(REQUESTS);
      List<CompletableFuture<List<List<Object>>>> answers = new ArrayList<>();
      try {
        for (Path file : entityFiles) {
          answers.add(
              CompletableFuture.supplyAsync(
                  () -> {
                    try (FeatureStore remote = FeatureStore.connect(url);
                        TrainingSet set = remote.historicalFeatures(request(file))) {
                      return FeatureStoreContract.rowsOf(set.table());
                    }
                  },
                  clients));
        }
        for (int i = 0; i < REQUESTS; i++) {
          assertThat(answers.get(i).join())
              .as("training set %d", i)
              .hasSize(ENTITY_ROWS)
              .isEqualTo(expected.get(i));
        }
      } finally {
        clients.shutdownNow();
      }
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> ready =
          http.send(
              HttpRequest.newBuilder(url.resolve("/health/ready")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      String metrics =
          http.send(
                  HttpRequest.newBuilder(url.resolve("/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(gauge(metrics, "quiver_memory_limit_bytes")).isEqualTo(LIMIT);
      assertThat(gauge(metrics, "quiver_memory_reserved_bytes")).as("all released").isZero();
      assertThat(gauge(metrics, "quiver_memory_peak_allocated_bytes"))
          .as("the most Arrow memory the six held at once")
          .isPositive()
          .isLessThanOrEqualTo(LIMIT);
      // Six at once need more than the limit: some waited for others to finish.
      assertThat(gauge(metrics, "quiver_memory_waits_total")).isPositive();
    } finally {
      server.destroy();
      server.waitFor();
    }
  }

  private static HistoricalRequest request(Path entities) {
    return HistoricalRequest.builder().entities(entities).features(FEATURES).build();
  }

  /** Seeded entity rows over the example's drivers and its last days. */
  private static Path entityRows(Path file, Instant end, int seed) throws IOException {
    Random random = new Random(seed);
    StringBuilder csv = new StringBuilder("driver_id,event_timestamp\n");
    for (int row = 0; row < ENTITY_ROWS; row++) {
      long driver = 1001 + random.nextInt(2_100);
      Instant at = end.minusSeconds(random.nextInt(6 * 24 * 3600));
      csv.append(driver).append(',').append(at).append('\n');
    }
    return Files.writeString(file, csv);
  }

  /** {@code quiver serve} in a JVM of its own, with a small heap and memory limit. */
  private Process serve(Path repo, int port, int flightPort) throws IOException {
    Process server =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Dquiver.memory.limit=" + LIMIT,
                "-cp",
                System.getProperty("java.class.path"),
                QuiverCli.class.getName(),
                "serve",
                "--repo",
                repo.toString(),
                "--port",
                String.valueOf(port),
                "--flight-port",
                String.valueOf(flightPort))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .failFast("the server exited; see server.log", () -> !server.isAlive())
        .until(() -> listens(port));
    return server;
  }

  private static boolean listens(int port) {
    try (Socket ignored = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static long gauge(String metrics, String name) {
    Matcher matcher =
        Pattern.compile("(?m)^" + name + "(?:\\{[^}]*})? ([0-9.E+-]+)$").matcher(metrics);
    assertThat(matcher.find()).as("%s in /metrics", name).isTrue();
    return (long) Double.parseDouble(matcher.group(1));
  }
}
