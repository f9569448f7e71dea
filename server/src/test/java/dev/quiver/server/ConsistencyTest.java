package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.cli.CliRun;
import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.OnlineRequest;
import dev.quiver.sdk.OnlineResponse;
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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serve, log, replay: the rows the server logged for the example repo's logged service (plain,
 * aggregation and on-demand features) replay through the point-in-time join without a mismatch;
 * then exactly the mismatches of an altered online row and of a view materialized less far than its
 * data are found, the second put down to materialization lag, and {@code --fail-above 0} exits 3.
 */
class ConsistencyTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SERVICE = "driver_activity_v3";

  @TempDir Path dir;

  @Test
  void findsNoMismatchesThenExactlyTheOnesIntroduced() throws Exception {
    Path repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    // Three days of 200 drivers and 300 customers: daily profiles a day and two before the end.
    ExampleData.Options options = new ExampleData.Options(42, 200, 300, 3, end);
    ExampleRepo.copyDefinitionsTo(repo);
    ExampleData.generate(repo, options);
    Path profiles = repo.resolve("customer_profile.yaml");
    Files.writeString(profiles, Files.readString(profiles).replace("ttl: 2d", "ttl: 3d"));
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    List<String> lines = Files.readAllLines(ExampleData.writeEntityRows(repo, options, 60));
    List<String[]> rows = lines.subList(1, lines.size()).stream().map(l -> l.split(",")).toList();
    String weekAgo = end.minus(Duration.ofDays(7)).toString();

    // 1. Everything materialized up to the end of the data: served = training.
    materialize(
        repo,
        weekAgo,
        end,
        "driver_hourly_stats,driver_trip_activity,driver_customer_stats,customer_profile");
    serveAndLook(repo, rows);
    JsonNode clean = report(repo, null);
    assertThat(clean.get("service").asText()).isEqualTo(SERVICE);
    assertThat(clean.get("rows").asLong()).isEqualTo(rows.size());
    for (JsonNode feature : clean.get("features")) {
      assertThat(feature.get("mismatches").asLong()).as(feature.toString()).isZero();
      assertThat(feature.get("rows").asLong()).isEqualTo(rows.size());
    }
    assertThat(
            quiver(
                    "consistency",
                    "--service",
                    SERVICE,
                    "--fail-above",
                    "0",
                    "--repo",
                    repo.toString())
                .exitCode())
        .isZero();

    // 2. One driver's online row altered (a newer row with another conv_rate), and customer
    // profiles materialized again only up to a day before the end of their data.
    Instant second = Instant.now();
    long driver = Long.parseLong(rows.get(0)[0]);
    // A new online store, with a materialization log of its own (logs are kept per store).
    Path config = repo.resolve("feature_store.yaml");
    Files.writeString(
        config, Files.readString(config).replace("path: data/online", "path: data/online2"));
    materialize(
        repo, weekAgo, end, "driver_hourly_stats,driver_trip_activity,driver_customer_stats");
    alterConvRate(repo, driver);
    // Profiles are daily, the newest a day before the end; materialized up to an hour before
    // that, the server serves the day before's (within the ttl, raised to 3d for that).
    Instant dayBefore = end.minus(Duration.ofDays(1)).minus(Duration.ofHours(1));
    materialize(repo, weekAgo, dayBefore, "customer_profile");
    serveAndLook(repo, rows);

    JsonNode altered = report(repo, second.toString());
    assertThat(altered.get("rows").asLong()).isEqualTo(rows.size());
    long rowsOfDriver = rows.stream().filter(r -> Long.parseLong(r[0]) == driver).count();
    Map<String, JsonNode> byFeature = new HashMap<>();
    altered.get("features").forEach(f -> byFeature.put(f.get("feature").asText(), f));
    assertThat(byFeature.get("driver_hourly_stats:conv_rate").get("mismatches").asLong())
        .isEqualTo(rowsOfDriver);
    assertThat(byFeature.get("booking_risk:conv_rate_pct").get("mismatches").asLong())
        .isEqualTo(rowsOfDriver);
    long stale = byFeature.get("customer_profile:current_balance").get("mismatches").asLong();
    assertThat(stale).isPositive();
    for (JsonNode feature : altered.get("features")) {
      String name = feature.get("feature").asText();
      if (!name.equals("customer_profile:current_balance")) {
        // A profile may have no balance: the newer one (offline missing) or the one served
        // (served missing), each a mismatch of the lag too.
        assertThat(feature.get("served_missing").asLong()).as(name).isZero();
        assertThat(feature.get("offline_missing").asLong()).as(name).isZero();
      }
      assertThat(feature.get("mismatch_rate").asDouble())
          .as(name)
          .isEqualTo((double) feature.get("mismatches").asLong() / rows.size());
      if (!List.of(
              "driver_hourly_stats:conv_rate",
              "booking_risk:conv_rate_pct",
              "customer_profile:current_balance")
          .contains(name)) {
        assertThat(feature.get("mismatches").asLong()).as(name).isZero();
      }
    }
    assertThat(byFeature.get("driver_hourly_stats:conv_rate").get("smape").asDouble()).isPositive();
    assertThat(byFeature.get("driver_trip_activity:payment_type_last_7d").get("smape").isNull())
        .isTrue();

    CliRun text =
        quiver(
            "consistency",
            "--service",
            SERVICE,
            "--since",
            second.toString(),
            "--fail-above",
            "0",
            "--repo",
            repo.toString());
    assertThat(text.exitCode()).as(text.err()).isEqualTo(3);
    assertThat(text.out())
        .contains(
            stale
                + " of "
                + stale
                + " mismatches of view customer_profile are rows newer than its materialization"
                + " at request time (materialized up to "
                + dayBefore
                + "): materialization lag")
        .doesNotContain("of view driver_hourly_stats");
    assertThat(
            quiver(
                    "consistency",
                    "--service",
                    SERVICE,
                    "--since",
                    second.toString(),
                    "--fail-above",
                    "1",
                    "--repo",
                    repo.toString())
                .exitCode())
        .isZero();
  }

  @Test
  void explainsWhyItCannotCheck() throws Exception {
    Path repo = dir.resolve("repo");
    ExampleRepo.copyDefinitionsTo(repo);
    ExampleData.generate(
        repo, new ExampleData.Options(42, 20, 20, 1, Instant.now().truncatedTo(ChronoUnit.HOURS)));
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();

    CliRun unknown =
        quiver("consistency", "--service", "driver_activity_v4", "--repo", repo.toString());
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err())
        .contains("there is no feature service 'driver_activity_v4' (did you mean");
    CliRun unlogged =
        quiver("consistency", "--service", "driver_activity_v1", "--repo", repo.toString());
    assertThat(unlogged.exitCode()).isEqualTo(1);
    assertThat(unlogged.err())
        .contains(
            "Cannot check consistency of feature service 'driver_activity_v1': it has no"
                + " logging");
    CliRun none = quiver("consistency", "--service", SERVICE, "--repo", repo.toString());
    assertThat(none.exitCode()).isEqualTo(1);
    assertThat(none.err())
        .contains(
            "there are no feature logs in "
                + repo.toAbsolutePath().normalize().resolve("data/logs/" + SERVICE));
    CliRun badSince =
        quiver(
            "consistency", "--service", SERVICE, "--since", "yesterday", "--repo", repo.toString());
    assertThat(badSince.exitCode()).isEqualTo(1);
    assertThat(badSince.err()).contains("--since 'yesterday' is not an ISO-8601 instant");
  }

  /**
   * The example repo at {@code repo} with {@code options}' data, applied and materialized up to its
   * end, and {@code count} entity rows looked up through the server, which logs them for the logged
   * service.
   *
   * @return the entity rows' file
   */
  static Path servedAndLogged(Path repo, ExampleData.Options options, int count) throws Exception {
    ExampleRepo.copyDefinitionsTo(repo);
    ExampleData.generate(repo, options);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    Path entities = ExampleData.writeEntityRows(repo, options, count);
    List<String> lines = Files.readAllLines(entities);
    materialize(
        repo,
        options.end().minus(Duration.ofDays(7)).toString(),
        options.end(),
        "driver_hourly_stats,driver_trip_activity,driver_customer_stats,customer_profile");
    serveAndLook(repo, lines.subList(1, lines.size()).stream().map(l -> l.split(",")).toList());
    return entities;
  }

  static void materialize(Path repo, String start, Instant end, String views) {
    CliRun run =
        quiver("materialize", start, end.toString(), "--repo", repo.toString(), "--views", views);
    assertThat(run.exitCode()).as(run.err()).isZero();
  }

  /** A newer online row for {@code driver}: its other features as served, conv_rate changed. */
  private static void alterConvRate(Path repo, long driver) {
    try (FeatureStore store = FeatureStore.open(repo)) {
      Map<String, List<Object>> key = Map.of("driver_id", List.of(driver));
      OnlineResponse served =
          store.onlineFeatures(
              OnlineRequest.ofFeatures(
                  List.of(
                      "driver_hourly_stats:conv_rate",
                      "driver_hourly_stats:acc_rate",
                      "driver_hourly_stats:avg_daily_trips"),
                  key));
      OnlineResponse.Column conv = served.column("conv_rate");
      Map<String, List<Object>> row = new LinkedHashMap<>();
      row.put("driver_id", List.of(driver));
      row.put(
          "event_timestamp", List.of(conv.eventTimestamps().get(0).plus(Duration.ofSeconds(1))));
      row.put("conv_rate", List.of((Float) conv.values().get(0) + 0.25f));
      row.put("acc_rate", List.of(served.column("acc_rate").values().get(0)));
      row.put("avg_daily_trips", List.of(served.column("avg_daily_trips").values().get(0)));
      assertThat(store.writeOnline("driver_hourly_stats", row, Instant.now())).isEqualTo(1);
    }
  }

  /** Looks every row up through the server, ten rows a request, and stops it. */
  static void serveAndLook(Path repo, List<String[]> rows) throws Exception {
    try (QuiverServer server =
        QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0))) {
      HttpClient client = HttpClient.newHttpClient();
      for (int first = 0; first < rows.size(); first += 10) {
        List<String[]> part = rows.subList(first, Math.min(rows.size(), first + 10));
        List<Long> drivers = new ArrayList<>();
        List<Long> customers = new ArrayList<>();
        List<Double> quotes = new ArrayList<>();
        for (String[] r : part) {
          drivers.add(Long.parseLong(r[0]));
          customers.add(Long.parseLong(r[1]));
          quotes.add(Double.parseDouble(r[4]));
        }
        String body =
            JSON.writeValueAsString(
                Map.of(
                    "feature_service",
                    SERVICE,
                    "entities",
                    Map.of("driver_id", drivers, "customer_id", customers, "fare_quote", quotes)));
        HttpResponse<String> response =
            client.send(
                HttpRequest.newBuilder(URI.create(server.url() + "/get-online-features"))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      }
    }
  }

  private static JsonNode report(Path repo, String since) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of("consistency", "--service", SERVICE, "--json", "--repo", repo.toString()));
    if (since != null) {
      args.add("--since");
      args.add(since);
    }
    CliRun run = quiver(args.toArray(String[]::new));
    assertThat(run.exitCode()).as(run.err()).isZero();
    return JSON.readTree(run.out());
  }
}
