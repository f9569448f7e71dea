package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.cli.CliRun;
import dev.quiver.example.ExampleData;
import dev.quiver.monitoring.consistency.ConsistencyCheck;
import dev.quiver.monitoring.consistency.ConsistencyReport;
import dev.quiver.monitoring.consistency.ConsistencyReports;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.FeatureStoreOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the console shows comes from the API: {@code quiver consistency} saves its report where
 * {@code GET /api/v1/projects/{project}/consistency} serves it, and {@code .../drift} serves the
 * drift monitor's last computation against the baseline training set, or says how to get one.
 */
class MonitoringApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SERVICE = "driver_activity_v3";
  private static final String PROJECT = "driver_ranking";

  @TempDir Path dir;

  @Test
  void servesTheSavedConsistencyReportAndTheDriftAgainstTheBaseline() throws Exception {
    Path repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    Path entities =
        ConsistencyTest.servedAndLogged(repo, new ExampleData.Options(11, 40, 40, 2, end), 40);

    // The consistency command saves what it prints; the saved report reads back equal to the one
    // the same check computes here, and its --json is the saved report's toMap().
    ProjectConfig config = FeatureRepo.loadConfig(repo, Map.of());
    Path logFolder = config.logFolder(SERVICE);
    Instant before = Instant.now();
    CliRun run = quiver("consistency", "--service", SERVICE, "--json", "--repo", repo.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    Path file = logFolder.resolve(ConsistencyReports.FILE_NAME);
    assertThat(run.err()).contains("Saved the report to " + file);
    ConsistencyReports.SavedConsistency saved = ConsistencyReports.newest(logFolder).orElseThrow();
    assertThat(saved.file()).isEqualTo(file);
    assertThat(saved.checkedAt()).isBetween(before, Instant.now());
    ConsistencyReport computed;
    try (FeatureStore store = FeatureStore.open(repo, FeatureStoreOptions.defaults().readOnly())) {
      computed = new ConsistencyCheck(store, config).run(SERVICE, null);
    }
    assertThat(saved.report()).isEqualTo(computed);
    assertThat(run.out().strip()).isEqualTo(JSON.writeValueAsString(saved.report().toMap()));
    // The log readers pass over the report file: the logged rows are all there is to drift.
    assertThat(dev.quiver.monitoring.logging.FeatureLogs.files(logFolder, null))
        .isNotEmpty()
        .allMatch(f -> f.getFileName().toString().endsWith(".parquet"));

    Path trainingSet = repo.resolve("data/training/train.parquet");
    DriftGaugesTest.historical(
        repo,
        entities,
        "driver_hourly_stats:conv_rate,driver_hourly_stats:acc_rate,"
            + "driver_hourly_stats:avg_daily_trips",
        trainingSet);
    Map<String, Double> expectedPsi = new HashMap<>();
    DriftGaugesTest.driftOfLogs(repo, trainingSet)
        .get("features")
        .forEach(f -> expectedPsi.put(f.get("feature").asText(), f.get("psi").asDouble()));
    assertThat(expectedPsi).containsKey("driver_hourly_stats:acc_rate");

    HttpClient client = HttpClient.newHttpClient();
    try (QuiverServer server = DriftGaugesTest.serveWithDriftBaseline(repo, "data/training")) {
      JsonNode consistency = get(client, server, "/api/v1/projects/" + PROJECT + "/consistency");
      assertThat(consistency.get("services")).hasSize(1);
      JsonNode served = consistency.get("services").get(0);
      assertThat(served.get("service").asText()).isEqualTo(SERVICE);
      assertThat(served.get("checked_at").asText()).isEqualTo(saved.checkedAt().toString());
      assertThat(served.get("report")).isEqualTo(tree(saved.report().toSavedMap()));

      JsonNode state =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () -> get(client, server, "/api/v1/projects/" + PROJECT + "/drift"),
                  body -> !body.get("computed_at").isNull());
      Path manifestFile = DatasetManifest.pathFor(trainingSet);
      assertThat(state.get("baseline").asText()).isEqualTo(manifestFile.toString());
      assertThat(state.has("note")).isFalse();
      DatasetManifest manifest = DatasetManifest.read(manifestFile);
      assertThat(state.get("statistics").get("driver_hourly_stats:acc_rate"))
          .isEqualTo(tree(manifest.statisticsOf("acc_rate").orElseThrow().toMap()));
      JsonNode report = state.get("services").get(SERVICE);
      assertThat(report.get("baseline").asText()).isEqualTo(manifestFile.toString());
      Map<String, Double> psi = new HashMap<>();
      report
          .get("features")
          .forEach(f -> psi.put(f.get("feature").asText(), f.get("psi").asDouble()));
      assertThat(psi).isEqualTo(expectedPsi);
      assertThat(state.get("services").size()).isEqualTo(1);
    }

    // Without a baseline there is no drift, and the answer says how to get it.
    try (QuiverServer server =
        QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0))) {
      JsonNode none = get(client, server, "/api/v1/projects/" + PROJECT + "/drift");
      assertThat(none.get("baseline").isNull()).isTrue();
      assertThat(none.get("computed_at").isNull()).isTrue();
      assertThat(none.get("services")).isEmpty();
      assertThat(none.get("note").asText())
          .startsWith("No drift baseline is set: start the server with 'quiver serve")
          .contains("--drift-baseline PATH");
      HttpResponse<String> other =
          client.send(
              HttpRequest.newBuilder(
                      URI.create(server.url() + "/api/v1/projects/other_project/consistency"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(other.statusCode()).isEqualTo(404);
      assertThat(body(client, server, "/openapi.yml"))
          .contains(
              "/api/v1/projects/{project}/consistency:",
              "/api/v1/projects/{project}/drift:",
              "/api/v1/projects/{project}/history:");
      assertThat(other.body())
          .contains("This server serves project 'driver_ranking', not 'other_project'");
    }
  }

  /** As a JSON text reads back: numbers typed by their size, as in an answer. */
  private static JsonNode tree(Object value) throws Exception {
    return JSON.readTree(JSON.writeValueAsString(value));
  }

  private static JsonNode get(HttpClient client, QuiverServer server, String path)
      throws Exception {
    return JSON.readTree(body(client, server, path));
  }

  /** The body of a GET, which answers 200. */
  private static String body(HttpClient client, QuiverServer server, String path) throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }
}
