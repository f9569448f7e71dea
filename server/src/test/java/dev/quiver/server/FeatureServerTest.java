package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.cli.CliRun;
import dev.quiver.example.ExampleRepo;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real feature server on a free port, over HTTP: every endpoint, each error case and the write
 * token, on the example repo materialized into RocksDB.
 */
class FeatureServerTest {

  private static final String TOKEN = "s3cret-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static Path repo;
  private static QuiverServer server;

  @BeforeAll
  static void serveTheExampleRepo() throws Exception {
    repo = Files.createTempDirectory("quiver-server-test").resolve("repo");
    // Data up to now, so the rows served are within their views' ttl, as in the demo.
    ExampleRepo.createAt(repo, Instant.now().truncatedTo(ChronoUnit.HOURS));
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    CliRun materialized =
        quiver(
            "materialize",
            now.minus(Duration.ofDays(30)).toString(),
            now.toString(),
            "--repo",
            repo.toString());
    assertThat(materialized.exitCode()).as(materialized.err()).isZero();
    server =
        QuiverServer.start(
            repo,
            0,
            Map.of(
                "quiver.server.write-token",
                TOKEN,
                "quiver.server.max-entity-rows",
                50,
                "quiver.server.registry-poll",
                "200ms",
                "quiver.server.flight-port",
                0,
                "micronaut.server.max-request-size",
                64 * 1024));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> post(String path, String body, String... headers)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int h = 0; h < headers.length; h += 2) {
      request.header(headers[h], headers[h + 1]);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A problem+json answer with the status and kind, and a message but no stack trace. */
  private static JsonNode problem(HttpResponse<String> response, int status, String kind)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).contains("application/problem+json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("status").asInt()).isEqualTo(status);
    assertThat(body.get("kind").asText()).isEqualTo(kind);
    assertThat(body.get("detail").asText()).isNotBlank().doesNotContain("\tat ", "Exception");
    return body;
  }

  @Test
  void aRequestCopiedFromFeastsDocsGetsTheSameAnswerAsTheCli() throws Exception {
    // From Feast's feature server documentation, unchanged.
    String feastDocs =
        """
        {
            "features": [
              "driver_hourly_stats:conv_rate",
              "driver_hourly_stats:acc_rate",
              "driver_hourly_stats:avg_daily_trips"
            ],
            "entities": {
              "driver_id": [1001, 1002, 1003]
            }
          }
        """;
    HttpResponse<String> response = post("/get-online-features", feastDocs);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).contains("application/json");
    CliRun cli =
        quiver(
            "online",
            "--features",
            "driver_hourly_stats:conv_rate,driver_hourly_stats:acc_rate,"
                + "driver_hourly_stats:avg_daily_trips",
            "--entity",
            "driver_id=1001,1002,1003",
            "--json",
            "--repo",
            repo.toString());
    assertThat(cli.exitCode()).as(cli.err()).isZero();
    assertThat(response.body()).isEqualTo(cli.out().strip());
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.at("/metadata/feature_names").toString())
        .isEqualTo("[\"driver_id\",\"conv_rate\",\"acc_rate\",\"avg_daily_trips\"]");
    assertThat(body.at("/results/1/statuses/0").asText()).isEqualTo("PRESENT");
  }

  @Test
  void theCliThroughTheServerPrintsWhatItPrintsOnTheRepo() throws Exception {
    String[] online = {
      "online",
      "--feature-service",
      "driver_activity_v1",
      "--entity",
      "driver_id=1001,1002,9999",
      "--entity",
      "customer_id=5001,5002,5003"
    };
    for (boolean json : new boolean[] {true, false}) {
      List<String> embedded = new ArrayList<>(List.of(online));
      List<String> remote = new ArrayList<>(List.of(online));
      if (json) {
        embedded.add("--json");
        remote.add("--json");
      }
      embedded.addAll(List.of("--repo", repo.toString()));
      remote.addAll(List.of("--server", server.url()));
      CliRun local = quiver(embedded.toArray(String[]::new));
      CliRun through = quiver(remote.toArray(String[]::new));
      assertThat(through.exitCode()).as(through.err()).isZero();
      assertThat(through.out()).isEqualTo(local.out());
    }

    Path entities = repo.getParent().resolve("cli-entities.csv");
    Instant at = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));
    Files.writeString(
        entities,
        "driver_id,customer_id,event_timestamp\n1001,5001,"
            + at
            + "\n1002,5002,"
            + at
            + "\n9999,5003,"
            + at
            + "\n");
    for (String format : List.of("csv", "parquet")) {
      Path local = repo.getParent().resolve("local." + format);
      Path through = repo.getParent().resolve("remote." + format);
      CliRun embedded =
          quiver(
              "historical",
              "--entities",
              entities.toString(),
              "--feature-service",
              "driver_activity_v1",
              "--output",
              local.toString(),
              "--repo",
              repo.toString());
      CliRun remote =
          quiver(
              "historical",
              "--entities",
              entities.toString(),
              "--feature-service",
              "driver_activity_v1",
              "--output",
              through.toString(),
              "--server",
              server.url());
      assertThat(embedded.exitCode()).as(embedded.err()).isZero();
      assertThat(remote.exitCode()).as(remote.err()).isZero();
      if (format.equals("csv")) {
        assertThat(Files.readString(through)).isEqualTo(Files.readString(local));
      }
      // The same summary but for the file name and how long the join took.
      assertThat(remote.out().replaceAll("in [0-9.]+ s", "in _ s"))
          .isEqualTo(
              embedded
                  .out()
                  .replace(local.toString(), through.toString())
                  .replaceAll("in [0-9.]+ s", "in _ s"));
    }
  }

  @Test
  void aFeatureServiceWithFullFeatureNames() throws Exception {
    HttpResponse<String> response =
        post(
            "/get-online-features",
            "{\"feature_service\": \"driver_activity_v1\", \"entities\": {\"driver_id\": [1001],"
                + " \"customer_id\": [5001]}, \"full_feature_names\": true}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode names = JSON.readTree(response.body()).at("/metadata/feature_names");
    assertThat(names.get(0).asText()).isEqualTo("driver_id");
    assertThat(names.get(2).asText()).isEqualTo("driver_hourly_stats__conv_rate");
  }

  @Test
  void eachBadRequestGetsItsStatus() throws Exception {
    problem(post("/get-online-features", "{\"features\": [\"driver"), 400, "bad_request");
    problem(
        post(
            "/get-online-features",
            "{\"features\": [\"driver_hourly_stats:conv_rate\"], \"entities\": {\"driver_id\":"
                + " [1001]}} and more"),
        400,
        "bad_request");
    problem(
        post(
            "/get-online-features",
            "{\"features\": [\"driver_hourly_stats:nope\"], \"entities\": {\"driver_id\": [1]}}"),
        404,
        "not_found");
    problem(
        post(
            "/get-online-features",
            "{\"feature_service\": \"nope\", \"entities\": {\"driver_id\": [1]}}"),
        404,
        "not_found");
    problem(
        post(
            "/get-online-features",
            "{\"features\": [\"driver_hourly_stats:conv_rate\"], \"entities\": {\"x\": [1]}}"),
        422,
        "invalid_entity");
    problem(
        post(
            "/get-online-features",
            "{\"features\": [\"driver_hourly_stats:conv_rate\"], \"entities\": {\"driver_id\":"
                + " [\"one\"]}}"),
        422,
        "invalid_entity");
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 51; i++) {
      many.append(i == 0 ? "" : ",").append(1000 + i);
    }
    JsonNode tooMany =
        problem(
            post(
                "/get-online-features",
                "{\"features\": [\"driver_hourly_stats:conv_rate\"], \"entities\": {\"driver_id\":"
                    + " ["
                    + many
                    + "]}}"),
            400,
            "too_many_rows");
    assertThat(tooMany.get("detail").asText()).contains("51 entity rows", "at most 50");
    problem(post("/get-online-features", "x".repeat(70 * 1024)), 413, "body_too_large");
    problem(get("/no-such-endpoint"), 404, "no_route");
  }

  @Test
  void writesNeedTheToken() throws Exception {
    String body = "{\"end_ts\": \"2026-01-01T00:00:00Z\"}";
    JsonNode missing = problem(post("/materialize-incremental", body), 401, "unauthorized");
    assertThat(missing.get("detail").asText()).contains("Authorization: Bearer");
    problem(post("/push", body, "Authorization", "Bearer wrong"), 401, "unauthorized");
    problem(
        post("/write-to-online-store", body, "Authorization", "Bearer wrong"), 401, "unauthorized");
    problem(post("/materialize", body, "Authorization", "Basic " + TOKEN), 401, "unauthorized");
    // The same handlers answer with a trailing or doubled slash: so does the check.
    problem(post("/push/", body), 401, "unauthorized");
    problem(post("//write-to-online-store", body), 401, "unauthorized");
    problem(post("/materialize-incremental/", body), 401, "unauthorized");
  }

  @Test
  void withTheTokenAWriteMayComeAsAnyContentType() throws Exception {
    // Feast's clients send what they send; the token, not the content type, guards the writes.
    HttpResponse<String> plain =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(server.url() + "/push"))
                .header("Content-Type", "text/plain")
                .header("Authorization", "Bearer " + TOKEN)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        pushBody("online", 77_004, Instant.now(), 0.5)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(plain.statusCode()).as(plain.body()).isEqualTo(200);
  }

  private static String pushBody(String to, long driver, Instant at, double rate) {
    return "{\"push_source_name\": \"driver_hourly_stats\", \"to\": \""
        + to
        + "\", \"df\": {\"driver_id\": ["
        + driver
        + "], \"event_timestamp\": [\""
        + at
        + "\"], \"conv_rate\": ["
        + rate
        + "], \"acc_rate\": [0.5], \"avg_daily_trips\": [7]}}";
  }

  private static JsonNode online(long driver) throws Exception {
    HttpResponse<String> response =
        post(
            "/get-online-features",
            "{\"features\": [\"driver_hourly_stats:conv_rate\"], \"entities\": {\"driver_id\": ["
                + driver
                + "]}}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).at("/results/1");
  }

  /**
   * On-demand features over HTTP: request fields beside the join keys, the same values and statuses
   * through the remote SDK and through the CLI on the repo, and each bad request field refused with
   * its name.
   */
  @Test
  void onDemandFeaturesTakeRequestFieldsBesideTheJoinKeys() throws Exception {
    String body =
        "{\"features\": [\"booking_risk:quote_over_mean_fare\", \"booking_risk:busy_last_hour\","
            + " \"driver_trip_activity:fare_mean_7d\"], \"entities\": {\"driver_id\": [1001,"
            + " 99999], \"fare_quote\": [30, 12.5]}}";
    HttpResponse<String> response = post("/get-online-features", body);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode answer = JSON.readTree(response.body());
    assertThat(answer.at("/metadata/feature_names").toString())
        .isEqualTo(
            "[\"driver_id\",\"fare_quote\",\"quote_over_mean_fare\",\"busy_last_hour\","
                + "\"fare_mean_7d\"]");
    // The request field is echoed as its declared type, float64.
    assertThat(answer.at("/results/1/values/0").isDouble()).isTrue();
    double mean = answer.at("/results/4/values/0").asDouble();
    assertThat(mean).isPositive();
    assertThat(answer.at("/results/2/values/0").asDouble()).isEqualTo(30 / mean);
    assertThat(answer.at("/results/2/statuses/0").asText()).isEqualTo("PRESENT");
    // No trips: the mean is null, so the division is a CEL error: null, NULL_VALUE.
    assertThat(answer.at("/results/2/values/1").isNull()).isTrue();
    assertThat(answer.at("/results/2/statuses/1").asText()).isEqualTo("NULL_VALUE");
    assertThat(answer.at("/results/3/values/1").asBoolean()).isFalse();
    assertThat(answer.at("/results/3/statuses/1").asText()).isEqualTo("PRESENT");
    // The failed evaluation is counted per feature.
    assertThat(get("/metrics").body())
        .containsPattern(
            "quiver_on_demand_errors_total\\{feature=\"booking_risk:quote_over_mean_fare\",?\\}"
                + " [1-9]");

    try (dev.quiver.sdk.FeatureStore remote =
        dev.quiver.sdk.FeatureStore.connect(URI.create(server.url()))) {
      dev.quiver.sdk.OnlineResponse viaSdk =
          remote.onlineFeatures(
              dev.quiver.sdk.OnlineRequest.ofFeatures(
                      List.of("booking_risk:quote_over_mean_fare"),
                      Map.of("driver_id", List.of(1001L, 99999L)))
                  .withRequestField("fare_quote", List.of(30.0, 12.5)));
      assertThat(viaSdk.column("fare_quote").values()).containsExactly(30.0, 12.5);
      assertThat(viaSdk.column("quote_over_mean_fare").values()).containsExactly(30 / mean, null);
    }

    JsonNode missing =
        problem(
            post(
                "/get-online-features",
                "{\"feature_service\": \"driver_activity_v3\", \"entities\": {\"driver_id\":"
                    + " [1001], \"customer_id\": [2001], \"fare_qoute\": [3.5]}}"),
            422,
            "invalid_entity");
    assertThat(missing.get("detail").asText())
        .isEqualTo(
            "Cannot read online features: the entity rows have no 'fare_quote' (a request field"
                + " of on-demand feature view 'booking_risk'); send it beside the join keys"
                + " (HTTP: in \"entities\"; CLI: --request fare_quote=V1,V2,...); the rows have"
                + " 'fare_qoute': is it misspelled?");
    JsonNode wrongType =
        problem(
            post(
                "/get-online-features",
                "{\"features\": [\"booking_risk\"], \"entities\": {\"driver_id\": [1001],"
                    + " \"fare_quote\": [\"cheap\"]}}"),
            422,
            "invalid_entity");
    assertThat(wrongType.get("detail").asText())
        .isEqualTo(
            "Cannot read online features: entity row 1 has fare_quote = 'cheap', which is not a"
                + " valid float64 (request field of on-demand feature view 'booking_risk')");
  }

  @Test
  void aggregationFeaturesAreServedWithWindowsEndingAtAsOf() throws Exception {
    String features =
        "\"features\": [\"driver_trip_activity:count_7d\", \"driver_trip_activity:fare_sum_7d\","
            + " \"driver_trip_activity:payment_type_last_7d\"]";
    JsonNode now =
        JSON.readTree(
            post(
                    "/get-online-features",
                    "{" + features + ", \"entities\": {\"driver_id\": [1001, 1002, 99999]}}")
                .body());
    // Most drivers drive every week: the two known drivers have trips in the last 7 days.
    for (int row = 0; row < 2; row++) {
      assertThat(now.at("/results/1/statuses/" + row).asText()).isEqualTo("PRESENT");
      assertThat(now.at("/results/1/values/" + row).asLong()).isPositive();
      assertThat(now.at("/results/2/values/" + row).asDouble()).isPositive();
    }
    // An unknown driver: count and sum are 0, the others null, all NOT_FOUND.
    assertThat(now.at("/results/1/values/2").asLong()).isZero();
    assertThat(now.at("/results/1/statuses/2").asText()).isEqualTo("NOT_FOUND");
    assertThat(now.at("/results/2/values/2").asDouble()).isZero();
    assertThat(now.at("/results/3/values/2").isNull()).isTrue();
    assertThat(now.at("/results/3/statuses/2").asText()).isEqualTo("NOT_FOUND");

    // Thirty days on, no window reaches the trips any more.
    JsonNode later =
        JSON.readTree(
            post(
                    "/get-online-features",
                    "{"
                        + features
                        + ", \"entities\": {\"driver_id\": [1001]}, \"as_of\": \""
                        + Instant.now().plus(Duration.ofDays(30))
                        + "\"}")
                .body());
    assertThat(later.at("/results/1/values/0").asLong()).isZero();
    assertThat(later.at("/results/1/statuses/0").asText()).isEqualTo("NOT_FOUND");

    JsonNode badAsOf =
        problem(
            post(
                "/get-online-features",
                "{" + features + ", \"entities\": {\"driver_id\": [1001]}, \"as_of\": \"soon\"}"),
            400,
            "bad_request");
    assertThat(badAsOf.get("detail").asText()).contains("\"as_of\" is not an ISO-8601 instant");
    // The forms the CLI's --as-of takes: now, and a date (its midnight, UTC).
    for (String asOf :
        List.of("now", Instant.now().plus(Duration.ofDays(40)).toString().substring(0, 10))) {
      HttpResponse<String> answered =
          post(
              "/get-online-features",
              "{"
                  + features
                  + ", \"entities\": {\"driver_id\": [1001]}, \"as_of\": \""
                  + asOf
                  + "\"}");
      assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
      if (!asOf.equals("now")) {
        assertThat(JSON.readTree(answered.body()).at("/results/1/values/0").asLong()).isZero();
      }
    }

    JsonNode pushed =
        problem(
            post(
                "/push",
                "{\"push_source_name\": \"driver_trip_activity\", \"df\": {\"driver_id\":"
                    + " [1001], \"event_timestamp\": [\""
                    + Instant.now()
                    + "\"]}}",
                "Authorization",
                "Bearer " + TOKEN),
            400,
            "invalid_request");
    assertThat(pushed.get("detail").asText())
        .contains("'driver_trip_activity': it computes windowed aggregations");

    JsonNode view =
        JSON.readTree(
            get("/api/v1/projects/driver_ranking/feature-views/driver_trip_activity").body());
    assertThat(view.at("/aggregations/0/function").asText()).isEqualTo("count");
    assertThat(view.at("/produced_features/2/name").asText()).isEqualTo("count_7d");
    assertThat(view.at("/produced_features/2/hop").asText()).isEqualTo("1h");
  }

  @Test
  void pushedRowsAreServedNewerWinsAndCheckedFirst() throws Exception {
    String auth = "Bearer " + TOKEN;
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    HttpResponse<String> pushed =
        post("/push", pushBody("online", 77_001, now, 0.25), "Authorization", auth);
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(200);
    assertThat(JSON.readTree(pushed.body()).get("rows_written").asLong()).isEqualTo(1);
    assertThat(online(77_001).at("/values/0").asDouble()).isEqualTo(0.25);
    assertThat(online(77_001).at("/event_timestamps/0").asText()).isEqualTo(now.toString());

    // An older row does not move the value back in time.
    post("/push", pushBody("online", 77_001, now.minusSeconds(60), 0.75), "Authorization", auth);
    assertThat(online(77_001).at("/values/0").asDouble()).isEqualTo(0.25);

    // Feast's write-to-online-store shape, with a newer row.
    HttpResponse<String> written =
        post(
            "/write-to-online-store",
            "{\"feature_view_name\": \"driver_hourly_stats\", \"df\": {\"driver_id\": [77001],"
                + " \"event_timestamp\": [\""
                + now.plusSeconds(1)
                + "\"], \"conv_rate\": [0.5], \"acc_rate\": [0.5], \"avg_daily_trips\": [7]}}",
            "Authorization",
            auth);
    assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
    assertThat(online(77_001).at("/values/0").asDouble()).isEqualTo(0.5);

    JsonNode future =
        problem(
            post(
                "/push",
                pushBody("online", 77_002, now.plus(Duration.ofMinutes(10)), 0.1),
                "Authorization",
                auth),
            422,
            "invalid_entity");
    assertThat(future.get("detail").asText()).contains("more than 5 minutes after");
    problem(
        post(
            "/push",
            "{\"push_source_name\": \"driver_hourly_stats\", \"df\": {\"driver_id\": [77002],"
                + " \"event_timestamp\": [\""
                + now
                + "\"], \"conv_rate\": [\"fast\"], \"acc_rate\": [0.5], \"avg_daily_trips\":"
                + " [7]}}",
            "Authorization",
            auth),
        422,
        "invalid_entity");
    // The example's sources are single files: offline pushes need a folder (PushToOfflineTest).
    assertThat(
            problem(
                    post("/push", pushBody("offline", 77_002, now, 0.1), "Authorization", auth),
                    400,
                    "invalid_request")
                .get("detail")
                .asText())
        .endsWith("appends need a directory: set path to the folder holding its Parquet files");
    assertThat(
            problem(
                    post("/push", pushBody("nearline", 77_002, now, 0.1), "Authorization", auth),
                    400,
                    "bad_request")
                .get("detail")
                .asText())
        .contains("use online, online_and_offline, offline");
    problem(
        post(
            "/push",
            pushBody("online", 77_002, now, 0.1).replace("driver_hourly_stats", "nope"),
            "Authorization",
            auth),
        404,
        "not_found");
    // Two rows of one key at one time: the last given wins.
    HttpResponse<String> twice =
        post(
            "/push",
            "{\"push_source_name\": \"driver_hourly_stats\", \"df\": {\"driver_id\": [77003,"
                + " 77003], \"event_timestamp\": [\""
                + now
                + "\", \""
                + now
                + "\"], \"conv_rate\": [0.25, 0.75], \"acc_rate\": [0.5, 0.5],"
                + " \"avg_daily_trips\": [7, 7]}}",
            "Authorization",
            auth);
    assertThat(JSON.readTree(twice.body()).get("rows_written").asLong()).isEqualTo(1);
    assertThat(online(77_003).at("/values/0").asDouble()).isEqualTo(0.75);
    problem(
        post(
            "/push",
            pushBody("online", 77_002, now, 0.1).replace("0.1]", "1e400]"),
            "Authorization",
            auth),
        422,
        "invalid_entity");
    assertThat(online(77_002).at("/statuses/0").asText())
        .as("nothing of a refused push was written")
        .isEqualTo("NOT_FOUND");
  }

  @Test
  void materializeEndpointsTakeFeastsBodies() throws Exception {
    String auth = "Bearer " + TOKEN;
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    HttpResponse<String> window =
        post(
            "/materialize",
            "{\"start_ts\": \""
                + now.minus(Duration.ofDays(2))
                + "\", \"end_ts\": \""
                + now
                + "\", \"feature_views\": [\"customer_profile\"]}",
            "Authorization",
            auth);
    assertThat(window.statusCode()).as(window.body()).isEqualTo(200);
    JsonNode result = JSON.readTree(window.body()).at("/feature_views/0");
    assertThat(result.get("feature_view").asText()).isEqualTo("customer_profile");
    // The window was materialized before: its rows are read again, none is newer than the stored.
    assertThat(result.get("rows_in_window").asLong()).isPositive();
    assertThat(result.get("rows_written").asLong()).isZero();

    HttpResponse<String> incremental =
        post(
            "/materialize-incremental",
            "{\"end_ts\": \"" + now + "\", \"feature_views\": [\"driver_hourly_stats\"]}",
            "Authorization",
            auth);
    assertThat(incremental.statusCode()).as(incremental.body()).isEqualTo(200);

    problem(
        post(
            "/materialize",
            "{\"start_ts\": \"yesterday\", \"end_ts\": \"" + now + "\"}",
            "Authorization",
            auth),
        400,
        "bad_request");
  }

  @Test
  void healthRegistryMetricsAndTheOpenApiDocument() throws Exception {
    assertThat(get("/health").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).get("registry_version").asLong()).isPositive();

    JsonNode views = JSON.readTree(get("/api/v1/projects/driver_ranking/feature-views").body());
    assertThat(views.get("feature_views").size()).isEqualTo(4);
    JsonNode view =
        JSON.readTree(
            get("/api/v1/projects/driver_ranking/feature-views/driver_hourly_stats").body());
    assertThat(view.get("ttl").asText()).isEqualTo("1d");
    assertThat(
            JSON.readTree(get("/api/v1/projects/driver_ranking/entities").body())
                .get("entities")
                .size())
        .isEqualTo(2);
    assertThat(get("/api/v1/projects/driver_ranking/feature-services/driver_activity_v1").body())
        .contains("driver_activity_v1");
    problem(get("/api/v1/projects/driver_ranking/feature-views/nope"), 404, "not_found");
    problem(get("/api/v1/projects/other/entities"), 404, "not_found");

    post(
        "/get-online-features",
        "{\"features\": [\"driver_hourly_stats:conv_rate\"], \"entities\": {\"driver_id\": [1001]}}");
    post("/get-online-features", "{");
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains(
            "quiver_http_requests_seconds_bucket{endpoint=\"/get-online-features\",status=\"200\"",
            "quiver_online_lookup_seconds_count",
            "quiver_errors_total{kind=\"bad_request\"}",
            "quiver_view_staleness_seconds{view=\"driver_hourly_stats\"}");
    // Staleness: now minus the newest event time materialized (as /materialized reports it).
    Instant newest =
        Instant.parse(
            JSON.readTree(get("/api/v1/projects/driver_ranking/materialized").body())
                .at("/driver_hourly_stats/newest_event")
                .asText());
    java.util.regex.Matcher gauge =
        java.util.regex.Pattern.compile(
                "quiver_view_staleness_seconds\\{view=\"driver_hourly_stats\"} ([0-9.E]+)")
            .matcher(metrics.body());
    assertThat(gauge.find()).as(metrics.body()).isTrue();
    assertThat(Double.parseDouble(gauge.group(1)))
        .isCloseTo(Duration.between(newest, Instant.now()).toSeconds(), within(5.0));

    HttpResponse<String> openApi = get("/openapi.yml");
    assertThat(openApi.statusCode()).isEqualTo(200);
    assertThat(openApi.body())
        .contains("openapi:", "/get-online-features:", "/push:", "/materialize-incremental:");
  }

  @Test
  void aNewApplyIsServedWithoutARestart() throws Exception {
    long before = servedRegistryVersion();
    Path definitions = repo.resolve("entities.yaml");
    Files.writeString(
        definitions,
        Files.readString(definitions)
            .replace(
                "description: A driver of the ride-hailing fleet",
                "description: A driver of the fleet, renamed"));
    CliRun apply = quiver("apply", "--repo", repo.toString());
    assertThat(apply.exitCode()).as(apply.err()).isZero();

    long version =
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .until(FeatureServerTest::servedRegistryVersion, v -> v != before);
    assertThat(version).isEqualTo(before + 1);
    assertThat(get("/api/v1/projects/driver_ranking/entities/driver").body())
        .contains("A driver of the fleet, renamed");
  }

  private static long servedRegistryVersion() throws Exception {
    return JSON.readTree(get("/api/v1/projects/driver_ranking/entities").body())
        .get("registry_version")
        .asLong();
  }
}
