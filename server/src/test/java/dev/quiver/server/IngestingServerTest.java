package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.cli.TripStream;
import dev.quiver.streaming.testing.KafkaBroker;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver serve --ingest} against a real broker: lookups see what ingestion wrote (one online
 * store), {@code /metrics} counts it, {@code /health/ready} reports ingestion and answers 503 while
 * the broker cannot be reached, and closing the server stops ingestion.
 */
class IngestingServerTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  void servesWhatItIngestsAndCountsIt() throws Exception {
    KafkaBroker broker = KafkaBroker.shared();
    String topic = "trips-server-" + Long.toHexString(System.nanoTime());
    broker.createTopic(topic, 2);
    Path repo = dir.resolve("repo");
    TripStream.repo(repo, "ingest_server", topic, broker.bootstrapServers());
    Instant now = Instant.now();
    List<String> messages = new ArrayList<>(TripStream.goodTrips(now));
    messages.addAll(TripStream.badTrips(now));

    try (QuiverServer server = start(repo)) {
      assertThat(server.ingestion().orElseThrow().topics()).containsExactly(topic);
      assertThat(server.ingestion().orElseThrow().group()).isEqualTo("quiver.ingest_server");
      TripStream.produce(broker, topic, messages);
      TripStream.awaitCommitted(broker, "quiver.ingest_server", topic);

      JsonNode online =
          JSON.readTree(
              post(
                      server,
                      "/get-online-features",
                      "{\"features\": [\"driver_trip_activity:count_1h\","
                          + " \"driver_trip_activity:fare_sum_1d\"], \"entities\": {\"driver_id\":"
                          + " ["
                          + TripStream.DRIVER
                          + "]}}")
                  .body());
      assertThat(online.at("/results/1/values/0").asLong()).as(online.toString()).isEqualTo(2);
      assertThat(online.at("/results/2/values/0").asDouble()).isEqualTo(60.0);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(get(server, "/metrics").body())
                      .contains(
                          "quiver_ingest_events_total{view=\"driver_trip_activity\"} 3.0",
                          "quiver_ingest_dead_letters_total{reason=\"unparseable\"} 1.0",
                          "quiver_ingest_dead_letters_total{reason=\"missing_field\"} 1.0",
                          "quiver_ingest_dead_letters_total{reason=\"wrong_type\"} 1.0",
                          "quiver_ingest_dead_letters_total{reason=\"null_key\"} 1.0",
                          "quiver_ingest_dead_letters_total{reason=\"future_event\"} 0.0",
                          "quiver_ingest_delay_seconds_count 3",
                          "quiver_ingest_delay_seconds_bucket{le=",
                          "quiver_ingest_lag{partition=\"" + topic + "-0\"} 0.0",
                          "quiver_ingest_lag{partition=\"" + topic + "-1\"} 0.0",
                          "quiver_ingest_healthy 1.0"));

      // Freshness counts what the stream wrote: the newest good trip, five minutes old.
      JsonNode freshness = JSON.readTree(get(server, "/freshness").body()).get("views");
      JsonNode trips = null;
      for (JsonNode view : freshness) {
        if (view.get("view").asText().equals("driver_trip_activity")) {
          trips = view;
        }
      }
      assertThat(trips).as(freshness.toString()).isNotNull();
      assertThat(Instant.parse(trips.get("newest_event").asText()))
          .isEqualTo(now.minus(Duration.ofMinutes(5)));

      HttpResponse<String> ready = get(server, "/health/ready");
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(ready.body());
      assertThat(body.at("/ingestion/healthy").asBoolean()).isTrue();
      assertThat(body.at("/ingestion/detail").asText()).isEqualTo("ingesting " + topic);
    }
  }

  @Test
  void isNotReadyWhileTheBrokerCannotBeReached() throws Exception {
    int nobody;
    try (ServerSocket socket = new ServerSocket(0)) {
      nobody = socket.getLocalPort();
    }
    Path repo = dir.resolve("repo");
    TripStream.repo(repo, "ingest_unreachable", "trips", "127.0.0.1:" + nobody);

    QuiverServer server = start(repo);
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                HttpResponse<String> ready = get(server, "/health/ready");
                assertThat(ready.statusCode()).isEqualTo(503);
                JsonNode problem = JSON.readTree(ready.body());
                assertThat(problem.get("kind").asText()).isEqualTo("ingestion_unhealthy");
                assertThat(problem.get("detail").asText())
                    .startsWith("Kafka ingestion is not healthy since ")
                    .endsWith(": cannot reach Kafka at 127.0.0.1:" + nobody + " within 5 s");
              });
      assertThat(get(server, "/metrics").body()).contains("quiver_ingest_healthy 0.0");
      // Liveness does not depend on it: a restart would not bring the broker back.
      assertThat(get(server, "/health").statusCode()).isEqualTo(200);
    } finally {
      long started = System.nanoTime();
      server.close();
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }
  }

  private static QuiverServer start(Path repo) {
    return QuiverServer.start(
        repo, 0, Map.of("quiver.server.ingest", true, "quiver.server.flight-port", 0));
  }

  private static HttpResponse<String> get(QuiverServer server, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(QuiverServer server, String path, String body)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
