package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quiver.cli.CliRun;
import dev.quiver.example.ExampleRepo;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.online.redis.TestRedis;
import java.io.IOException;
import java.net.ConnectException;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting and stopping the server, and serving repos whose online store is Redis or memory. */
class ServerLifecycleTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Map<String, Object> FREE_FLIGHT_PORT =
      Map.of("quiver.server.flight-port", 0);

  @TempDir Path dir;

  private Path repo(String onlineStore) throws IOException {
    Path repo = dir.resolve("repo");
    ExampleRepo.createAt(repo, Instant.now().truncatedTo(ChronoUnit.HOURS));
    if (onlineStore != null) {
      Files.writeString(
          repo.resolve("feature_store.yaml"),
          "project: "
              + TestRedis.uniqueProject("server")
              + "\nregistry: data/registry.json\nonline_store: "
              + onlineStore
              + "\n");
    }
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    return repo;
  }

  private static HttpRequest post(QuiverServer server, String path, String body) {
    return HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** Materializes the last {@code days} of every view through the server. */
  private static HttpResponse<String> materialize(QuiverServer server, int days)
      throws IOException, InterruptedException {
    return HTTP.send(
        post(server, "/materialize", window(days)), HttpResponse.BodyHandlers.ofString());
  }

  /** Looks up {@code driver_hourly_stats:conv_rate} of some drivers through the server. */
  private static HttpResponse<String> convRates(QuiverServer server, String driverIds)
      throws IOException, InterruptedException {
    return HTTP.send(
        post(
            server,
            "/get-online-features",
            "{\"features\": [\"driver_hourly_stats:conv_rate\"], \"entities\":"
                + " {\"driver_id\": ["
                + driverIds
                + "]}}"),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code quiver online} of driver 1001's conv_rate, from the repo or a server. */
  private static CliRun cliConvRate(String... where) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "online",
                "--features",
                "driver_hourly_stats:conv_rate",
                "--entity",
                "driver_id=1001",
                "--json"));
    args.addAll(List.of(where));
    return quiver(args.toArray(String[]::new));
  }

  private static String window(int days) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return "{\"start_ts\": \""
        + now.minus(Duration.ofDays(days))
        + "\", \"end_ts\": \""
        + now
        + "\"}";
  }

  @Test
  void closingLetsARequestInFlightFinishThenFreesThePortAndTheStore() throws Exception {
    Path repo = repo(null);
    QuiverServer server = QuiverServer.start(repo, 0, FREE_FLIGHT_PORT);
    assertThat(server.features().onlineInProcess()).as("RocksDB, the example's store").isTrue();
    // A materialization of every view takes a while: it is in flight when the server closes.
    CompletableFuture<HttpResponse<String>> inFlight =
        HTTP.sendAsync(
            post(server, "/materialize", window(30)), HttpResponse.BodyHandlers.ofString());
    // Running, it holds part of the process's memory budget.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(1))
        .failFast("the materialization ended before the server closed", inFlight::isDone)
        .until(() -> MemoryBudget.process().reserved() > 0);
    server.close();

    HttpResponse<String> finished = inFlight.get();
    assertThat(finished.statusCode()).as(finished.body()).isEqualTo(200);
    assertThat(finished.body()).contains("\"rows_written\"");
    assertThat(server.isRunning()).isFalse();
    assertThatThrownBy(() -> new Socket("127.0.0.1", server.port()).close())
        .isInstanceOf(ConnectException.class)
        .hasMessageStartingWith("Connection refused");
    // The online store was closed: this process can write to it again.
    CliRun write =
        quiver("materialize-incremental", Instant.now().toString(), "--repo", repo.toString());
    assertThat(write.exitCode()).as(write.err()).isZero();
  }

  @Test
  void aRepoOnTheMemoryStoreServesWhatTheServerMaterializedAndOnlyThere() throws Exception {
    Path repo = repo("{type: memory}");
    try (QuiverServer server = QuiverServer.start(repo, 0, FREE_FLIGHT_PORT)) {
      assertThat(server.features().onlineInProcess())
          .as("memory reads are in process: answered on the event loop")
          .isTrue();
      HttpResponse<String> materialized = materialize(server, 2);
      assertThat(materialized.statusCode()).as(materialized.body()).isEqualTo(200);
      HttpResponse<String> read = convRates(server, "1001");
      assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
      // The feature's column: present, with the materialized row's time (the join key's is 1970).
      assertThat(read.body()).contains("\"statuses\":[\"PRESENT\"],\"event_timestamps\":[\"20");

      // The command line's own process has no rows: it says so instead of answering NOT_FOUND.
      CliRun local = cliConvRate("--repo", repo.toString());
      assertThat(local.exitCode()).isEqualTo(1);
      assertThat(local.err())
          .contains(
              "Cannot read online features from the command line: the online store is of type"
                  + " 'memory', whose rows live only in the process that opens it; read through"
                  + " the server that serves it (--server URL)");
      CliRun remote = cliConvRate("--server", server.url());
      assertThat(remote.exitCode()).as(remote.err()).isZero();
      assertThat(remote.out()).isEqualTo(read.body() + "\n");
    }
    assertThat(repo.resolve("data/online")).doesNotExist();
    // Rows materialized here would vanish with the command, while the registry recorded them.
    CliRun materialize =
        quiver("materialize-incremental", Instant.now().toString(), "--repo", repo.toString());
    assertThat(materialize.exitCode()).isEqualTo(1);
    assertThat(materialize.err())
        .contains(
            "Cannot materialize from the command line: the online store is of type 'memory',"
                + " whose rows live only in the process that opens it; materialize through the"
                + " server that serves it ('quiver serve', POST /materialize-incremental)");
  }

  @Test
  void aFolderThatIsNotARepoIsOneClearError() {
    assertThatThrownBy(() -> QuiverServer.start(dir.resolve("nothing"), 0, FREE_FLIGHT_PORT))
        .isInstanceOf(dev.quiver.registry.load.DefinitionException.class)
        .hasMessageContaining("not a feature repo: there is no feature_store.yaml here");
  }

  @Test
  void aRepoOnRedisIsServedAndPushedTo() throws Exception {
    TestRedis.require();
    Path repo = repo("{type: redis, url: \"" + TestRedis.URL + "\", command_timeout_ms: 10000}");
    String project = dev.quiver.registry.load.FeatureRepo.loadConfig(repo, Map.of()).project();
    try (QuiverServer server = QuiverServer.start(repo, 0, FREE_FLIGHT_PORT)) {
      assertThat(server.features().onlineInProcess())
          .as("Redis reads cross the network: answered on the blocking pool")
          .isFalse();
      HttpResponse<String> materialized = materialize(server, 2);
      assertThat(materialized.statusCode()).as(materialized.body()).isEqualTo(200);
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      HttpResponse<String> pushed =
          HTTP.send(
              post(
                  server,
                  "/push",
                  "{\"push_source_name\": \"driver_hourly_stats\", \"df\": {\"driver_id\": [88001],"
                      + " \"event_timestamp\": [\""
                      + now
                      + "\"], \"conv_rate\": [0.125], \"acc_rate\": [0.5], \"avg_daily_trips\":"
                      + " [3]}}"),
              HttpResponse.BodyHandlers.ofString());
      assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(200);
      HttpResponse<String> read = convRates(server, "88001, 1001");
      assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
      assertThat(read.body()).contains("\"values\":[0.125,").contains("\"PRESENT\",\"PRESENT\"");
      HttpResponse<String> unknown =
          HTTP.send(
              post(
                  server,
                  "/get-online-features",
                  "{\"features\": [\"driver_hourly_stats:nope\"], \"entities\":"
                      + " {\"driver_id\": [1]}}"),
              HttpResponse.BodyHandlers.ofString());
      assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
      assertThat(unknown.headers().firstValue("content-type")).contains("application/problem+json");
      HttpResponse<String> ready =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/health/ready")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);
    } finally {
      TestRedis.deleteProjects(TestRedis.URL, project);
    }
  }
}
