package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code freshness:} goals: {@code GET /freshness} lists every online view's newest materialized
 * event, its age and whether it meets its goal, and {@code /metrics} has a gauge per view with a
 * goal (1 fresh, 0 not), from the same computation.
 */
class FreshnessTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void reportsEachViewAgainstItsGoal() throws Exception {
    Path repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    ExampleRepo.createAt(repo, end);
    // Hourly stats are up to two hours old: the example's goal of 2h is widened to 3h so that
    // the test passes at any minute. Daily profiles are not within 1m.
    Path stats = repo.resolve("driver_stats.yaml");
    Files.writeString(
        stats, Files.readString(stats).replace("    freshness: 2h ", "    freshness: 3h "));
    Path profiles = repo.resolve("customer_profile.yaml");
    Files.writeString(
        profiles,
        Files.readString(profiles)
            .replace(
                "  - name: customer_profile\n", "  - name: customer_profile\n    freshness: 1m\n"));
    CliRun applied = quiver("apply", "--repo", repo.toString());
    assertThat(applied.exitCode()).as(applied.err()).isZero();
    CliRun materialized =
        quiver(
            "materialize",
            end.minus(Duration.ofDays(7)).toString(),
            Instant.now().toString(),
            "--repo",
            repo.toString(),
            "--views",
            "driver_hourly_stats,customer_profile");
    assertThat(materialized.exitCode()).as(materialized.err()).isZero();

    try (QuiverServer server =
        QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0))) {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create(server.url() + "/freshness")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode views = JSON.readTree(response.body()).get("views");
      JsonNode hourly = find(views, "driver_hourly_stats");
      assertThat(hourly.get("freshness").asText()).isEqualTo("3h");
      assertThat(hourly.get("fresh").asBoolean()).isTrue();
      assertThat(hourly.get("age_seconds").asDouble()).isBetween(0.0, 3 * 3600.0);
      assertThat(Instant.parse(hourly.get("newest_event").asText()))
          .isBeforeOrEqualTo(Instant.now());
      JsonNode daily = find(views, "customer_profile");
      assertThat(daily.get("fresh").asBoolean()).isFalse();
      assertThat(daily.get("age_seconds").asDouble()).isGreaterThan(60.0);
      // Without a goal: reported, neither fresh nor stale; never materialized: no event.
      JsonNode pairs = find(views, "driver_customer_stats");
      assertThat(pairs.get("freshness").isNull()).isTrue();
      assertThat(pairs.get("fresh").isNull()).isTrue();
      assertThat(pairs.get("newest_event").isNull()).isTrue();

      String metrics =
          client
              .send(
                  HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .contains(
              "quiver_view_fresh{view=\"driver_hourly_stats\"} 1.0",
              "quiver_view_fresh{view=\"customer_profile\"} 0.0")
          .doesNotContain("quiver_view_fresh{view=\"driver_customer_stats\"}");
    }
  }

  private static JsonNode find(JsonNode views, String name) {
    for (JsonNode view : views) {
      if (view.get("view").asText().equals(name)) {
        return view;
      }
    }
    throw new AssertionError("no view " + name + " in " + views);
  }
}
