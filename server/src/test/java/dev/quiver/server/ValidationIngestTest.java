package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.cli.CliRun;
import dev.quiver.cli.TripStream;
import dev.quiver.example.ExampleData;
import dev.quiver.streaming.testing.KafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules on ingestion ({@code serve --ingest}) from a real broker: a batch that breaks a rule of a
 * reject view is not written to it (the stream goes on, its offsets committed), a warn view writes
 * it, and both are counted in {@code /metrics}. Each phase sends one batch and waits for its
 * commit, so a batch is what the phase sent.
 */
class ValidationIngestTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  void aRejectViewSkipsABatchThatBreaksARuleAndAWarnViewWritesIt() throws Exception {
    KafkaBroker broker = KafkaBroker.shared();
    String topic = "trips-rules-" + Long.toHexString(System.nanoTime());
    broker.createTopic(topic, 1);
    Path repo = dir.resolve("repo");
    ExampleData.Options data = ExampleData.Options.defaults();
    TripStream.repo(
        repo,
        "ingest_rules",
        topic,
        broker.bootstrapServers(),
        new ExampleData.Options(data.seed(), 50, 50, 1, data.end()));
    Files.writeString(
        repo.resolve("checked_trips.yaml"),
        """
        feature_views:
          - name: trip_checked
            entities: [driver]
            source: trips_stream
            validation: reject
            features:
              - {name: fare, type: float64, expect: {not_null: true, max: 25}}
          - name: trip_noted
            entities: [driver]
            source: trips_stream
            features:
              - {name: rating, type: int32, expect: {in: [3, 4, 5]}}
        """);
    CliRun applied = CliRun.quiver("apply", "--repo", repo.toString());
    assertThat(applied.exitCode()).as(applied.err()).isZero();
    Instant now = Instant.now();

    try (QuiverServer server =
        QuiverServer.start(
            repo, 0, Map.of("quiver.server.ingest", true, "quiver.server.flight-port", 0))) {
      TripStream.produce(
          broker,
          topic,
          List.of(trip(now.minusSeconds(600), 20.0, 4), trip(now.minusSeconds(300), 10.0, 5)));
      TripStream.awaitCommitted(broker, "quiver.ingest_rules", topic);
      assertThat(value(server, "trip_checked:fare")).isEqualTo(10.0);

      // Newer, but over the fare's max: not written to trip_checked; its rating is written.
      TripStream.produce(broker, topic, List.of(trip(now.minusSeconds(60), 99.0, 9)));
      TripStream.awaitCommitted(broker, "quiver.ingest_rules", topic);
      assertThat(value(server, "trip_checked:fare")).isEqualTo(10.0);
      assertThat(value(server, "trip_noted:rating")).isEqualTo(9.0);

      // The stream goes on after a rejected batch.
      TripStream.produce(broker, topic, List.of(trip(now.minusSeconds(30), 15.0, 3)));
      TripStream.awaitCommitted(broker, "quiver.ingest_rules", topic);
      assertThat(value(server, "trip_checked:fare")).isEqualTo(15.0);

      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(
                          HTTP.send(
                                  HttpRequest.newBuilder(URI.create(server.url() + "/metrics"))
                                      .build(),
                                  HttpResponse.BodyHandlers.ofString())
                              .body())
                      .contains(
                          "quiver_validation_failures_total{feature=\"fare\",rule=\"max\","
                              + "view=\"trip_checked\",write=\"ingest\"} 1.0",
                          "quiver_validation_failures_total{feature=\"rating\",rule=\"in\","
                              + "view=\"trip_noted\",write=\"ingest\"} 1.0",
                          "quiver_validation_rejected_total{view=\"trip_checked\","
                              + "write=\"ingest\"} 1.0",
                          "quiver_ingest_events_total{view=\"trip_checked\"} 3.0",
                          "quiver_ingest_events_total{view=\"trip_noted\"} 4.0",
                          // The refused batch went to the dead-letter topic (and not to the
                          // offline log, when the source logs to it).
                          "quiver_ingest_dead_letters_total{reason=\"validation_rejected\"} 1.0"));
    }
  }

  private static String trip(Instant at, double fare, int rating) {
    return String.format(
        "{\"driver_id\": %d, \"event_timestamp\": \"%s\", \"fare\": %s, \"rating\": %d,"
            + " \"payment_type\": \"card\"}",
        TripStream.DRIVER, at, fare, rating);
  }

  /** The online value of one feature of the trips' driver. */
  private static double value(QuiverServer server, String feature) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/get-online-features"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(
                            Map.of(
                                "features",
                                List.of(feature),
                                "entities",
                                Map.of("driver_id", List.of(TripStream.DRIVER))))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(response.body()).at("/results/1/values/0");
    return result.asDouble();
  }
}
