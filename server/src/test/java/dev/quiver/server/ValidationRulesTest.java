package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.cli.CliRun;
import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import dev.quiver.registry.rules.ValidationRejectedException;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.PushResult;
import dev.quiver.sdk.PushTarget;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Validation rules through the command line and the HTTP server, on the example repo with checked
 * views added: {@code quiver validate} prints the report and exits 3, {@code quiver materialize}
 * refuses a run with a broken reject view before writing anything, {@code POST /push} answers 422
 * with the report and writes nothing, and a warn view's push is written and counted in {@code
 * /metrics}.
 */
class ValidationRulesTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** conv_rate is uniform in [0, 1): about half its rows are over 0.5. */
  private static final String CHECKED =
      """
      sources:
        - name: pushed_rates
          path: data/pushed_rates
          timestamp_field: ts
      feature_views:
        - name: driver_checked
          entities: [driver]
          source: driver_stats_source
          validation: reject
          features:
            - {name: conv_rate, type: float32, expect: {max: 0.5}}
            - {name: avg_daily_trips, type: int64, expect: {min: 0}}
        - name: driver_sane
          entities: [driver]
          source: driver_stats_source
          features:
            - {name: conv_rate, type: float32, expect: {min: 0, max: 1, max_null_fraction: 0.1}}
        - name: strict_rates
          entities: [driver]
          source: pushed_rates
          validation: reject
          features:
            - name: rate
              type: float64
              expect: {not_null: true, min: 0, max: 1}
        - name: loose_rates
          entities: [driver]
          source: pushed_rates
          features:
            - {name: rate, type: float64, expect: {min: 0}}
      """;

  @TempDir Path dir;

  @Test
  void theCommandLineReportsAndRefusesAndTheServerAnswers422() throws Exception {
    Path repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    // A small copy of the example's data: 200 drivers over 2 days.
    ExampleRepo.copyDefinitionsTo(repo);
    ExampleData.Options defaults = ExampleData.Options.defaults();
    ExampleData.generate(repo, new ExampleData.Options(defaults.seed(), 200, 500, 2, end));
    Files.writeString(repo.resolve("checked.yaml"), CHECKED);
    CliRun applied = quiver("apply", "--repo", repo.toString());
    assertThat(applied.exitCode()).as(applied.err()).isZero();
    String start = end.minus(Duration.ofDays(1)).toString();
    String window = start + " to " + end;

    CliRun validated =
        quiver(
            "validate",
            start,
            end.toString(),
            "--views",
            "driver_checked,driver_sane",
            "--repo",
            repo.toString());
    assertThat(validated.exitCode()).as(validated.err()).isEqualTo(3);
    List<String> lines = Arrays.asList(validated.out().split("\n"));
    assertThat(lines.get(0))
        .matches(
            Pattern.quote("driver_checked (" + window + "): ")
                + "\\d+ rows checked, 1 rule broken \\(validation: reject\\)\\.");
    Matcher broken =
        Pattern.compile(
                "  conv_rate: max 0\\.5: (\\d+) rows, e\\.g\\. driver_id=(\\d+) at (\\S+): ([0-9.]+);"
                    + ".*")
            .matcher(lines.get(1));
    assertThat(broken.matches()).as(lines.get(1)).isTrue();
    assertThat(Double.parseDouble(broken.group(4))).isGreaterThan(0.5);
    assertThat(Instant.parse(broken.group(3))).isBetween(Instant.parse(start), end);
    assertThat(lines.get(2))
        .matches(
            Pattern.quote("driver_sane (" + window + "): ")
                + "\\d+ rows checked, every rule holds\\.");
    assertThat(lines).hasSize(3);

    CliRun noRules =
        quiver(
            "validate",
            start,
            end.toString(),
            "--views",
            "driver_trip_activity",
            "--repo",
            repo.toString());
    assertThat(noRules.exitCode()).isEqualTo(1);
    assertThat(noRules.err())
        .isEqualTo(
            "quiver: Cannot validate feature view 'driver_trip_activity': none of its features"
                + " has expect rules (aggregation views take none)\n");

    // The same window materialized: the reject view is skipped (the same report on stderr, exit
    // 3), the run's other view is written.
    CliRun refused =
        quiver(
            "materialize",
            start,
            end.toString(),
            "--views",
            "driver_sane,driver_checked",
            "--repo",
            repo.toString());
    assertThat(refused.exitCode()).as(refused.err()).isEqualTo(3);
    assertThat(refused.out()).isEmpty();
    assertThat(refused.err())
        .contains(lines.get(1))
        .endsWith(
            "quiver: nothing of driver_checked was written: a view with validation: reject"
                + " broke its rules (quiver"
                + " validate shows the same report)\n");
    CliRun online =
        quiver(
            "online",
            "--features",
            "driver_sane:conv_rate",
            "--entity",
            "driver_id=" + broken.group(2),
            "--json",
            "--repo",
            repo.toString());
    assertThat(online.exitCode()).as(online.err()).isZero();
    assertThat(JSON.readTree(online.out()).get("results").get(1).get("statuses").get(0).asText())
        .as("driver_sane, the run's other view, is written")
        .isEqualTo("PRESENT");

    CliRun written =
        quiver(
            "materialize",
            start,
            end.toString(),
            "--views",
            "driver_sane",
            "--repo",
            repo.toString());
    assertThat(written.exitCode()).as(written.err()).isZero();
    assertThat(written.out()).contains("driver_sane: ").contains("every rule holds.");

    try (QuiverServer server =
        QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0))) {
      Instant now = Instant.now();
      HttpResponse<String> rejected =
          post(
              server,
              "/push",
              Map.of(
                  "push_source_name",
                  "strict_rates",
                  "df",
                  Map.of(
                      "driver_id",
                      List.of(1001, 1002, 1003),
                      "ts",
                      List.of(now.toString(), now.toString(), now.minusSeconds(60).toString()),
                      "rate",
                      nullable(0.5, -1.0, null))));
      assertThat(rejected.statusCode()).as(rejected.body()).isEqualTo(422);
      JsonNode problem = JSON.readTree(rejected.body());
      assertThat(problem.get("kind").asText()).isEqualTo("validation_rejected");
      assertThat(problem.get("detail").asText())
          .startsWith(
              "Cannot write to feature view 'strict_rates': feature view 'strict_rates' rejects"
                  + " rows that break its rules (validation: reject): 2 rules broken in 3 rows:")
          .endsWith("; nothing was written");
      JsonNode report = problem.get("validation").get(0);
      assertThat(report.get("feature_view").asText()).isEqualTo("strict_rates");
      assertThat(report.get("rows").asLong()).isEqualTo(3);
      JsonNode failures = report.get("failures");
      assertThat(failures).hasSize(2);
      assertThat(failures.get(0).get("rule").asText()).isEqualTo("not_null");
      assertThat(failures.get(0).get("rows").asLong()).isEqualTo(1);
      JsonNode example = failures.get(0).get("examples").get(0);
      assertThat(example.get("keys").get("driver_id").asLong()).isEqualTo(1003);
      assertThat(example.get("value").isNull()).isTrue();
      assertThat(failures.get(1).get("rule").asText()).isEqualTo("min");
      assertThat(failures.get(1).get("bound").asText()).isEqualTo("0");
      assertThat(failures.get(1).get("examples").get(0).get("value").asDouble()).isEqualTo(-1.0);
      assertThat(lookup(server, "strict_rates:rate", 1001)).isEqualTo("NOT_FOUND");

      HttpResponse<String> warned =
          post(
              server,
              "/push",
              Map.of(
                  "push_source_name",
                  "loose_rates",
                  "df",
                  Map.of(
                      "driver_id",
                      List.of(1001, 1002),
                      "ts",
                      List.of(now.toString(), now.toString()),
                      "rate",
                      List.of(-1.0, 0.5))));
      assertThat(warned.statusCode()).as(warned.body()).isEqualTo(200);
      JsonNode answer = JSON.readTree(warned.body());
      assertThat(answer.get("rows_written").asLong()).isEqualTo(2);
      assertThat(answer.get("validation").get("failures").get(0).get("rows").asLong()).isEqualTo(1);
      assertThat(lookup(server, "loose_rates:rate", 1001)).isEqualTo("PRESENT");

      // The remote SDK's push gets the refusal as the embedded store throws it.
      try (FeatureStore remote = FeatureStore.connect(URI.create(server.url()))) {
        assertThatThrownBy(
                () ->
                    remote.push(
                        "strict_rates",
                        Map.of(
                            "driver_id",
                            List.<Object>of(1001L),
                            "ts",
                            List.<Object>of(now.toString()),
                            "rate",
                            List.<Object>of(7.5)),
                        now,
                        PushTarget.ONLINE))
            .isInstanceOf(ValidationRejectedException.class)
            .hasMessageContaining("rate: max 1: 1 row, e.g. driver_id=1001")
            .satisfies(
                e ->
                    assertThat(
                            ((ValidationRejectedException) e)
                                .reports()
                                .get(0)
                                .failures()
                                .get(0)
                                .describe(1))
                        .startsWith("rate: max 1: 1 row, e.g. driver_id=1001 at "));
        PushResult counted =
            remote.push(
                "loose_rates",
                Map.of(
                    "driver_id",
                    List.<Object>of(1003L),
                    "ts",
                    List.<Object>of(now.toString()),
                    "rate",
                    List.<Object>of(-3.0)),
                now,
                PushTarget.ONLINE);
        assertThat(counted.validation().failures().get(0).rows()).isEqualTo(1);
      }

      String metrics =
          HTTP.send(
                  HttpRequest.newBuilder(URI.create(server.url() + "/metrics")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .contains(
              "quiver_validation_failures_total{feature=\"rate\",rule=\"min\",view=\"loose_rates\","
                  + "write=\"push\"} 2.0",
              "quiver_validation_failures_total{feature=\"rate\",rule=\"not_null\","
                  + "view=\"strict_rates\",write=\"push\"} 1.0",
              "quiver_validation_rejected_total{view=\"strict_rates\",write=\"push\"} 2.0");
    }
  }

  private static List<Object> nullable(Object... values) {
    return new ArrayList<>(Arrays.asList(values));
  }

  private static HttpResponse<String> post(QuiverServer server, String path, Object body)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String lookup(QuiverServer server, String feature, long driver) throws Exception {
    HttpResponse<String> response =
        post(
            server,
            "/get-online-features",
            Map.of("features", List.of(feature), "entities", Map.of("driver_id", List.of(driver))));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).get("results").get(1).get("statuses").get(0).asText();
  }
}
