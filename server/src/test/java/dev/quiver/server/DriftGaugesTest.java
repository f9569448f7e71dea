package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.cli.CliRun;
import dev.quiver.example.ExampleData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server exports the drift of what it logged against the newest training set under the folder
 * {@code --drift-baseline} names: the gauges equal what {@code quiver drift --logs} computes from
 * the same logs and the same baseline.
 */
class DriftGaugesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SERVICE = "driver_activity_v3";
  private static final Pattern GAUGE =
      Pattern.compile(
          "^(quiver_feature_psi|quiver_feature_ks)\\{feature=\"([^\"]+)\",service=\"([^\"]+)\",?\\}"
              + " (\\S+)$",
          Pattern.MULTILINE);

  @TempDir Path dir;

  @Test
  void exportsTheDriftOfLoggedRowsAgainstTheNewestTrainingSet() throws Exception {
    Path repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    Path entities =
        ConsistencyTest.servedAndLogged(repo, new ExampleData.Options(7, 60, 60, 2, end), 80);

    // Two training sets; the newer (a different feature set) is the baseline.
    Path trainingSets = repo.resolve("data/training");
    historical(
        repo, entities, "driver_hourly_stats:conv_rate", trainingSets.resolve("old.parquet"));
    Path newest = trainingSets.resolve("new/train.parquet");
    historical(
        repo,
        entities,
        "driver_hourly_stats:conv_rate,driver_hourly_stats:acc_rate,"
            + "driver_hourly_stats:avg_daily_trips,booking_risk:busy_last_hour",
        newest);

    Map<String, Double> expected = new HashMap<>();
    for (JsonNode feature : driftOfLogs(repo, newest).get("features")) {
      String name = feature.get("feature").asText();
      expected.put("quiver_feature_psi " + name, feature.get("psi").asDouble());
      if (!feature.get("ks").isNull()) {
        expected.put("quiver_feature_ks " + name, feature.get("ks").asDouble());
      }
    }
    assertThat(expected)
        .containsKeys(
            "quiver_feature_psi driver_hourly_stats:acc_rate",
            "quiver_feature_ks driver_hourly_stats:acc_rate",
            "quiver_feature_psi booking_risk:busy_last_hour")
        .doesNotContainKey("quiver_feature_ks booking_risk:busy_last_hour");

    try (QuiverServer server = serveWithDriftBaseline(repo, "data/training")) {
      HttpClient client = HttpClient.newHttpClient();
      Map<String, Double> shown = new HashMap<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                shown.clear();
                String metrics =
                    client
                        .send(
                            HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString())
                        .body();
                Matcher gauge = GAUGE.matcher(metrics);
                while (gauge.find()) {
                  assertThat(gauge.group(3)).isEqualTo(SERVICE);
                  shown.put(
                      gauge.group(1) + " " + gauge.group(2), Double.parseDouble(gauge.group(4)));
                }
                assertThat(shown).hasSameSizeAs(expected);
              });
      assertThat(shown.keySet()).isEqualTo(expected.keySet());
      shown.forEach(
          (gauge, value) ->
              assertThat(value).as(gauge).isCloseTo(expected.get(gauge), within(gauge, value)));
    }
  }

  /** What {@code quiver drift --logs} computes for the logged service against {@code baseline}. */
  static JsonNode driftOfLogs(Path repo, Path baseline) throws Exception {
    CliRun drift =
        quiver(
            "drift",
            "--baseline",
            baseline.toString(),
            "--logs",
            SERVICE,
            "--json",
            "--repo",
            repo.toString());
    assertThat(drift.exitCode()).as(drift.err()).isIn(0, 3);
    return JSON.readTree(drift.out());
  }

  /** The server, computing the drift against {@code baseline} every second. */
  static QuiverServer serveWithDriftBaseline(Path repo, String baseline) {
    return QuiverServer.start(
        repo,
        0,
        Map.of(
            "quiver.server.flight-port",
            0,
            DriftSettings.PREFIX + ".baseline",
            baseline,
            DriftSettings.PREFIX + ".interval",
            "1s"));
  }

  /** PSI and KS as the JSON prints them (rounded) against the gauge's full value. */
  private static org.assertj.core.data.Offset<Double> within(String gauge, double value) {
    return org.assertj.core.data.Offset.offset(1e-9 + Math.abs(value) * 1e-6);
  }

  static void historical(Path repo, Path entities, String features, Path output) throws Exception {
    Files.createDirectories(output.getParent());
    CliRun run =
        quiver(
            "historical",
            "--entities",
            entities.toString(),
            "--features",
            features,
            "--output",
            output.toString(),
            "--repo",
            repo.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
  }
}
