package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.example.ExampleRepo;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.HistoricalRequest;
import dev.quiver.sdk.TrainingSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /push} with {@code "to": "offline"} and {@code "online_and_offline"}: the rows land in the
 * folder of the view's source, where training reads them, on the example repo with a folder source
 * added (the example's sources are single files, which cannot take appends).
 */
class PushToOfflineTest {

  private static final String TOKEN = "push-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Path repo;
  private static QuiverServer server;

  @BeforeAll
  static void serve() throws Exception {
    repo = Files.createTempDirectory("quiver-push-offline").resolve("repo");
    ExampleRepo.createAt(repo, Instant.now().truncatedTo(ChronoUnit.HOURS));
    // rate is the file's name of conv_rate; the folder does not exist until the first push.
    Files.writeString(
        repo.resolve("pushed.yaml"),
        """
        sources:
          - name: pushed_source
            type: parquet
            path: data/pushed
            timestamp_field: ts
            created_timestamp_field: created
            field_mapping: {rate: conv_rate}
        feature_views:
          - name: driver_pushed
            entities: [driver]
            source: pushed_source
            ttl: 1d
            features:
              - {name: conv_rate, type: float32}
              - {name: note, type: string}
          - name: driver_pushed_activity
            entities: [driver]
            source: pushed_source
            aggregations:
              - {function: count, windows: [1d]}
              - {column: conv_rate, type: float32, function: max, windows: [1d]}
        """);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    server =
        QuiverServer.start(
            repo, 0, Map.of("quiver.server.write-token", TOKEN, "quiver.server.flight-port", 0));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> push(String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.url() + "/push"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String pushBody(String to, long driver, Instant at, double rate, String note) {
    return "{\"push_source_name\": \"driver_pushed\", \"to\": \""
        + to
        + "\", \"df\": {\"driver_id\": ["
        + driver
        + "], \"ts\": [\""
        + at
        + "\"], \"conv_rate\": ["
        + rate
        + "], \"note\": ["
        + (note == null ? "null" : "\"" + note + "\"")
        + "]}}";
  }

  private static JsonNode ok(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static JsonNode problem(HttpResponse<String> response, int status, String kind)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("kind").asText()).isEqualTo(kind);
    return body;
  }

  private static JsonNode online(long driver) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/get-online-features"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"features\": [\"driver_pushed:conv_rate\"], \"entities\":"
                            + " {\"driver_id\": ["
                            + driver
                            + "]}}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return ok(response).at("/results/1");
  }

  private static List<String> pushedFiles() throws Exception {
    try (Stream<Path> files = Files.list(repo.resolve("data/pushed"))) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void offlinePushesReachTrainingAndOnlineAndOfflinePushesReachBoth() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Instant first = now.minusSeconds(120).plusNanos(123_456);

    JsonNode offline = ok(push(pushBody("offline", 1001, first, 0.25, "from a push")));
    assertThat(offline.get("to").asText()).isEqualTo("offline");
    assertThat(offline.get("rows_written").asLong()).isZero();
    assertThat(offline.get("offline_rows_written").asLong()).isEqualTo(1);
    String file = offline.get("offline_file").asText();
    assertThat(file).matches("push-\\d{8}T\\d{6}\\.\\d{9}-[0-9a-f]{8}\\.parquet");
    assertThat(pushedFiles()).containsExactly(file);
    assertThat(online(1001).at("/statuses/0").asText())
        .as("an offline push writes nothing online")
        .isEqualTo("NOT_FOUND");

    JsonNode both = ok(push(pushBody("online_and_offline", 1002, now, 0.5, null)));
    assertThat(both.get("rows_written").asLong()).isEqualTo(1);
    assertThat(both.get("offline_rows_written").asLong()).isEqualTo(1);
    assertThat(pushedFiles()).hasSize(2).contains(both.get("offline_file").asText());
    assertThat(online(1002).at("/values/0").asDouble()).isEqualTo(0.5);

    // The aggregation view's events: offline only.
    String events =
        "{\"push_source_name\": \"driver_pushed_activity\", \"to\": \"%s\", \"df\":"
            + " {\"driver_id\": [1001, 1001], \"ts\": [\""
            + now.minusSeconds(60)
            + "\", \""
            + now.minusSeconds(30)
            + "\"], \"conv_rate\": [0.75, 0.5]}}";
    assertThat(ok(push(events.formatted("offline"))).get("offline_rows_written").asLong())
        .isEqualTo(2);
    assertThat(
            problem(push(events.formatted("online_and_offline")), 400, "invalid_request")
                .get("detail")
                .asText())
        .contains("it computes windowed aggregations")
        .contains("push its events with \"to\": \"offline\"");
    assertThat(pushedFiles()).as("a refused push writes no file").hasSize(3);

    Path entities = repo.getParent().resolve("push-entities.csv");
    Files.writeString(
        entities,
        "driver_id,event_timestamp\n"
            + "1001,"
            + first.minusNanos(1)
            + "\n1001,"
            + first
            + "\n1002,"
            + now.plusSeconds(1)
            + "\n1001,"
            + now.plusSeconds(1)
            + "\n");
    try (FeatureStore store = FeatureStore.open(repo);
        TrainingSet set =
            store.historicalFeatures(
                HistoricalRequest.builder()
                    .entities(entities)
                    .features(
                        List.of(
                            "driver_pushed:conv_rate",
                            "driver_pushed:note",
                            "driver_pushed_activity:count_1d",
                            "driver_pushed_activity:conv_rate_max_1d"))
                    .build())) {
      VectorSchemaRoot table = set.table();
      assertThat(table.getVector("conv_rate").isNull(0)).as("a nanosecond early").isTrue();
      assertThat(table.getVector("conv_rate").getObject(1)).isEqualTo(0.25f);
      assertThat(table.getVector("note").getObject(1)).hasToString("from a push");
      assertThat(table.getVector("conv_rate").getObject(2)).isEqualTo(0.5f);
      assertThat(table.getVector("note").isNull(2)).isTrue();
      // Driver 1001's three events: the plain view's push and the aggregation view's two.
      assertThat(table.getVector("count_1d").getObject(3)).isEqualTo(3L);
      assertThat(table.getVector("conv_rate_max_1d").getObject(3)).isEqualTo(0.75f);
    }
  }

  @Test
  void aPushToAnUnknownTargetOrToASingleFileSourceIsRefused() throws Exception {
    Instant now = Instant.now();
    assertThat(
            problem(push(pushBody("nearline", 1003, now, 0.5, null)), 400, "bad_request")
                .get("detail")
                .asText())
        .isEqualTo(
            "\"to\": 'nearline' is not a push target; use online, online_and_offline, offline");
    String toFile =
        "{\"push_source_name\": \"driver_hourly_stats\", \"to\": \"offline\", \"df\":"
            + " {\"driver_id\": [1003], \"event_timestamp\": [\""
            + now
            + "\"], \"conv_rate\": [0.5], \"acc_rate\": [0.5], \"avg_daily_trips\": [7]}}";
    assertThat(problem(push(toFile), 400, "invalid_request").get("detail").asText())
        .isEqualTo(
            "Cannot append rows to source 'driver_stats_source': its path"
                + " 'data/driver_stats.parquet' names a single file; appends need a directory:"
                + " set path to the folder holding its Parquet files");
  }
}
