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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /api/v1/projects/{project}/on-demand-feature-views[/{name}]} and the OpenAPI document. */
class OnDemandRegistryApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  private static HttpResponse<String> get(QuiverServer server, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void onDemandViewsAreListedAndShownWithTheirExpressionsInputsAndRequestFields() throws Exception {
    Path repo = dir.resolve("repo");
    ExampleRepo.copyDefinitionsTo(repo);
    Files.writeString(
        repo.resolve("trip_risk.yaml"),
        """
        on_demand_feature_views:
          - name: trip_risk
            inputs: [driver_hourly_stats]
            request: [{name: distance_km, type: float64}]
            features:
              - {name: long_trip, type: bool, expression: "distance_km > 20.0"}
              - {name: conv, type: float64, expression: "driver_hourly_stats.conv_rate * 1.0"}
        """);
    CliRun apply = quiver("apply", "--repo", repo.toString());
    assertThat(apply.exitCode()).as(apply.err()).isZero();

    try (QuiverServer server =
        QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0))) {
      HttpResponse<String> list =
          get(server, "/api/v1/projects/driver_ranking/on-demand-feature-views");
      assertThat(list.statusCode()).as(list.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(list.body());
      assertThat(body.get("registry_version").asLong()).isEqualTo(1);
      // The example repo's booking_risk, then trip_risk: in name order.
      assertThat(body.get("on_demand_feature_views").size()).isEqualTo(2);

      HttpResponse<String> one =
          get(server, "/api/v1/projects/driver_ranking/on-demand-feature-views/trip_risk");
      assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
      JsonNode view = JSON.readTree(one.body());
      assertThat(view).isEqualTo(body.get("on_demand_feature_views").get(1));
      assertThat(view.get("name").asText()).isEqualTo("trip_risk");
      assertThat(view.get("inputs").toString()).isEqualTo("[\"driver_hourly_stats\"]");
      assertThat(view.get("request").toString())
          .isEqualTo("[{\"name\":\"distance_km\",\"type\":\"float64\"}]");
      assertThat(view.get("features").toString())
          .isEqualTo(
              "[{\"name\":\"long_trip\",\"type\":\"bool\",\"expression\":\"distance_km > 20.0\"},"
                  + "{\"name\":\"conv\",\"type\":\"float64\",\"expression\":"
                  + "\"driver_hourly_stats.conv_rate * 1.0\"}]");

      HttpResponse<String> missing =
          get(server, "/api/v1/projects/driver_ranking/on-demand-feature-views/trip_rsk");
      assertThat(missing.statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(missing.body()).get("detail").asText())
          .isEqualTo(
              "There is no on-demand feature view 'trip_rsk' in project 'driver_ranking'"
                  + " (registry version 1)");
      // An on-demand view is not a feature view.
      assertThat(
              get(server, "/api/v1/projects/driver_ranking/feature-views/trip_risk").statusCode())
          .isEqualTo(404);

      assertThat(get(server, "/openapi.yml").body())
          .contains(
              "/api/v1/projects/{project}/on-demand-feature-views:",
              "/api/v1/projects/{project}/on-demand-feature-views/{name}:",
              "Every registered on-demand feature view");
    }
  }
}
