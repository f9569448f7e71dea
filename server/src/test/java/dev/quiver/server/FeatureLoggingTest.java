package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import dev.quiver.monitoring.logging.FeatureLogs;
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
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's feature logging, on the example repo (nothing materialized: every row is logged,
 * found or not): files rolled by size and by age, never visible half-written, the last rows written
 * when the server stops; a full queue drops rows and counts them while responses stay as they are;
 * and serving with logging is not slower than without.
 */
class FeatureLoggingTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SERVICE = "driver_activity_v3";
  private static final String UNLOGGED = "driver_activity_v3_unlogged";

  /** Lookups per service in the latency comparison, the first quarter to warm up. */
  @TempDir static Path dir;

  static Path repo;

  @BeforeAll
  static void repo() throws Exception {
    repo = dir.resolve("repo");
    // Little data: nothing is materialized, every row is logged as not found.
    ExampleRepo.copyDefinitionsTo(repo);
    ExampleData.generate(
        repo, new ExampleData.Options(42, 20, 20, 1, Instant.now().truncatedTo(ChronoUnit.HOURS)));
    Files.writeString(
        repo.resolve("unlogged.yaml"),
        "feature_services:\n  - name: "
            + UNLOGGED
            + "\n    features: [driver_hourly_stats, driver_trip_activity, booking_risk,"
            + " customer_profile:current_balance, driver_customer_stats:trips_together]\n");
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
  }

  private static Path logs() {
    return repo.resolve("data/logs").resolve(SERVICE);
  }

  @Test
  void rollsBySizeAndAgeNeverShowsAPartialFileAndFlushesOnShutdown() throws Exception {
    if (Files.exists(logs())) {
      try (Stream<Path> earlier = Files.list(logs())) {
        for (Path file : earlier.toList()) {
          Files.delete(file);
        }
      }
    }
    // By size: a file per row. A watcher reads every visible file while they are written.
    AtomicBoolean watching = new AtomicBoolean(true);
    ConcurrentLinkedQueue<String> unreadable = new ConcurrentLinkedQueue<>();
    Set<String> hiddenSeen = Collections.synchronizedSet(new HashSet<>());
    Thread watcher =
        new Thread(
            () -> {
              while (watching.get()) {
                try (Stream<Path> listed = Files.list(logs());
                    RootAllocator allocator = new RootAllocator()) {
                  for (Path file : listed.toList()) {
                    String name = file.getFileName().toString();
                    if (name.startsWith(".")) {
                      hiddenSeen.add(name);
                      continue;
                    }
                    try (VectorSchemaRoot rows = FeatureLogs.read(file, null, allocator)) {
                      if (rows.getRowCount() != 1) {
                        unreadable.add(name + ": " + rows.getRowCount() + " rows");
                      }
                    } catch (RuntimeException e) {
                      unreadable.add(name + ": " + e);
                    }
                  }
                } catch (Exception e) {
                  // The folder does not exist before the first row.
                }
              }
            });
    watcher.start();
    try (QuiverServer server = start(Map.of("quiver.server.feature-log.roll-bytes", 1))) {
      for (int request = 0; request < 5; request++) {
        lookUp(server, SERVICE, List.of(1001L + request, 1100L + request));
      }
      server.servedLog().logger().flush();
      watching.set(false);
      watcher.join();
      assertThat(unreadable).isEmpty();
      assertThat(FeatureLogs.files(logs(), null)).hasSize(10);
      // Hidden while written: the log file and the Parquet writer's slices.
      assertThat(hiddenSeen)
          .allMatch(name -> name.startsWith(".log-") || name.startsWith(".slice-"));
    }

    // By age: a file finished while the server runs on, without a flush.
    int before = FeatureLogs.files(logs(), null).size();
    try (QuiverServer server = start(Map.of("quiver.server.feature-log.roll-interval", "1s"))) {
      lookUp(server, SERVICE, List.of(1001L, 1002L, 1003L));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> FeatureLogs.files(logs(), null).size() == before + 1);
    }

    // On shutdown: the last request's rows are in a finished file once the server stopped.
    Instant sent;
    try (QuiverServer server = start(Map.of())) {
      sent = Instant.now();
      lookUp(server, SERVICE, List.of(1005L, 1006L, 1007L, 1008L));
    }
    List<Path> files = FeatureLogs.files(logs(), null);
    assertThat(files).hasSize(before + 2);
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot last = FeatureLogs.read(files.get(files.size() - 1), null, allocator)) {
      assertThat(last.getRowCount()).isEqualTo(4);
      assertThat(last.getSchema().getFields().stream().map(f -> f.getName()).toList())
          .startsWith("request_id", "request_time", "driver_id", "customer_id", "fare_quote")
          .contains(
              "driver_hourly_stats__conv_rate",
              "driver_hourly_stats__conv_rate__status",
              "driver_hourly_stats__conv_rate__event_time",
              "booking_risk__quote_over_mean_fare");
      List<Object> drivers = new ArrayList<>();
      Set<String> requestIds = new HashSet<>();
      for (int row = 0; row < 4; row++) {
        drivers.add(last.getVector("driver_id").getObject(row));
        requestIds.add(last.getVector("request_id").getObject(row).toString());
        assertThat(last.getVector("driver_hourly_stats__conv_rate__status").getObject(row))
            .hasToString("NOT_FOUND");
        assertThat(last.getVector("driver_hourly_stats__conv_rate__event_time").isNull(row))
            .isTrue();
        assertThat(last.getVector("fare_quote").getObject(row)).isEqualTo(12.5);
      }
      assertThat(drivers).containsExactly(1005L, 1006L, 1007L, 1008L);
      assertThat(requestIds).hasSize(1);
      try (VectorSchemaRoot since =
          FeatureLogs.read(files.get(files.size() - 1), sent, allocator)) {
        assertThat(since.getRowCount()).isEqualTo(4);
      }
      try (VectorSchemaRoot later =
          FeatureLogs.read(files.get(files.size() - 1), Instant.now(), allocator)) {
        assertThat(later.getRowCount()).isZero();
      }
    }
  }

  @Test
  void sigtermWritesTheLastRowsOfQuiverServe() throws Exception {
    Path output = dir.resolve("serve.log");
    Process serve =
        dev.quiver.cli.CliRun.quiverProcess(
                "serve", "--port", "0", "--flight-port", "0", "--repo", repo.toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    List<Long> drivers = List.of(1201L, 1202L, 1203L);
    int before = FeatureLogs.files(logs(), null).size();
    try {
      Pattern serving = Pattern.compile("Serving .* on (http://127\\.0\\.0\\.1:\\d+)");
      Matcher url =
          await()
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(100))
              .failFast("serve ended", () -> !serve.isAlive())
              .until(() -> serving.matcher(Files.readString(output)), Matcher::find);
      lookUp(url.group(1), SERVICE, drivers);
    } finally {
      serve.destroy(); // SIGTERM
      assertThat(serve.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    }
    List<Path> files = FeatureLogs.files(logs(), null);
    assertThat(files).as(Files.readString(output)).hasSize(before + 1);
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot last = FeatureLogs.read(files.get(files.size() - 1), null, allocator)) {
      assertThat(last.getRowCount()).isEqualTo(3);
      assertThat(last.getVector("driver_id").getObject(2)).isEqualTo(1203L);
    }
  }

  @Test
  void aFullQueueDropsRowsAndCountsThemWhileResponsesStayTheSame() throws Exception {
    // A queue of one request, and a file finished (forced to disk) per row: the log falls
    // behind at once. Two rows a request keep the files few.
    try (QuiverServer server =
        start(
            Map.of(
                "quiver.server.feature-log.queue-capacity",
                1,
                "quiver.server.feature-log.roll-bytes",
                1))) {
      List<Long> drivers = new ArrayList<>();
      for (long d = 1001; d < 1003; d++) {
        drivers.add(d);
      }
      String expected = lookUp(server, UNLOGGED, drivers).body();
      int threads = 4;
      int requests = 10;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<List<String>>> bodies = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          bodies.add(
              pool.submit(
                  () -> {
                    List<String> answered = new ArrayList<>();
                    for (int r = 0; r < requests; r++) {
                      HttpResponse<String> response = lookUp(server, SERVICE, drivers);
                      assertThat(response.statusCode()).isEqualTo(200);
                      answered.add(response.body());
                    }
                    return answered;
                  }));
        }
        for (Future<List<String>> answered : bodies) {
          assertThat(answered.get()).allMatch(expected::equals);
        }
      } finally {
        pool.shutdown();
      }
      server.servedLog().logger().flush();
      String metrics = get(server, "/metrics");
      long logged = counter(metrics, "quiver_feature_log_rows_total");
      long dropped = counter(metrics, "quiver_feature_log_dropped_total");
      long rows = (long) threads * requests * drivers.size();
      System.out.println("Rows logged " + logged + ", dropped " + dropped + " of " + rows);
      assertThat(dropped).isPositive();
      assertThat(logged + dropped).isEqualTo(rows);
      assertThat(metrics).doesNotContain("service=\"" + UNLOGGED + "\"");
    }
  }

  private static long counter(String metrics, String name) {
    Matcher matcher =
        Pattern.compile(
                "^" + name + "\\{service=\"" + SERVICE + "\",?\\} ([0-9.E]+)$", Pattern.MULTILINE)
            .matcher(metrics);
    assertThat(matcher.find()).as(name + " in\n" + metrics).isTrue();
    return (long) Double.parseDouble(matcher.group(1));
  }

  private static QuiverServer start(Map<String, Object> settings) {
    Map<String, Object> all = new java.util.HashMap<>(settings);
    all.put("quiver.server.flight-port", 0);
    return QuiverServer.start(repo, 0, all);
  }

  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private static HttpResponse<String> lookUp(
      QuiverServer server, String service, List<Long> drivers) throws Exception {
    return lookUp(server.url(), service, drivers);
  }

  private static HttpResponse<String> lookUp(String url, String service, List<Long> drivers)
      throws Exception {
    List<Long> customers = drivers.stream().map(d -> d + 7000).toList();
    List<Double> quotes = drivers.stream().map(d -> 12.5).toList();
    String body =
        JSON.writeValueAsString(
            Map.of(
                "feature_service",
                service,
                "entities",
                Map.of("driver_id", drivers, "customer_id", customers, "fare_quote", quotes)));
    HttpResponse<String> response =
        CLIENT.send(
            HttpRequest.newBuilder(URI.create(url + "/get-online-features"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  private static String get(QuiverServer server, String path) throws Exception {
    return CLIENT
        .send(
            HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}
