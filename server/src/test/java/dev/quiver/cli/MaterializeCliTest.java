package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.example.ExampleRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver materialize} and {@code quiver online}, in-process and as a killed process. */
class MaterializeCliTest {

  @TempDir Path dir;
  private Path repo;

  @BeforeEach
  void exampleRepo() {
    repo = dir.resolve("repo");
    ExampleRepo.createAt(repo);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
  }

  private CliRun online(String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "online",
                "--features",
                "driver_hourly_stats:conv_rate,driver_hourly_stats:avg_daily_trips",
                "--entity",
                "driver_id=1001,1002,1003,9999",
                "--json",
                "--repo",
                repo.toString()));
    args.addAll(List.of(more));
    return quiver(args.toArray(String[]::new));
  }

  @Test
  void materializesAndReadsBackAsFeastJson() {
    CliRun run =
        quiver(
            "materialize",
            "2026-03-01T00:00:00Z",
            "2026-03-08T00:00:00Z",
            "--views",
            "driver_hourly_stats",
            "--repo",
            repo.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .startsWith("driver_hourly_stats: 2026-03-01T00:00:00Z to 2026-03-08T00:00:00Z: ");
    assertThat(run.out()).contains("2000 online rows written");

    CliRun read = online();
    assertThat(read.exitCode()).as(read.err()).isZero();
    assertThat(read.out())
        .startsWith(
            "{\"metadata\":{\"feature_names\":[\"driver_id\",\"conv_rate\",\"avg_daily_trips\"]},"
                + "\"results\":[{\"values\":[1001,1002,1003,9999],\"statuses\":[\"PRESENT\",\"PRESENT\",\"PRESENT\",\"PRESENT\"],")
        .contains("\"NOT_FOUND\"]")
        .endsWith("}\n");
    assertThat(read.out().lines()).hasSize(1);
  }

  @Test
  void startAfterEndAndABadInstantAreErrors() {
    CliRun reversed =
        quiver(
            "materialize",
            "2026-03-08T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "--repo",
            repo.toString());
    assertThat(reversed.exitCode()).isEqualTo(1);
    assertThat(reversed.err())
        .isEqualTo(
            "quiver: Cannot materialize: the start 2026-03-08T00:00:00Z is after the end"
                + " 2026-03-01T00:00:00Z\n");
    CliRun bad =
        quiver("materialize", "yesterday", "2026-03-01T00:00:00Z", "--repo", repo.toString());
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.err())
        .startsWith(
            "START 'yesterday' is not an ISO-8601 instant, a date or now (e.g."
                + " 2026-03-01T00:00:00Z, 2026-03-01)");
  }

  @Test
  void aWindowMayBeGivenAsDatesAndNow() {
    CliRun dates =
        quiver(
            "materialize",
            "2026-03-01",
            "2026-03-08",
            "--views",
            "driver_hourly_stats",
            "--repo",
            repo.toString());
    assertThat(dates.exitCode()).as(dates.err()).isZero();
    assertThat(dates.out())
        .startsWith("driver_hourly_stats: 2026-03-01T00:00:00Z to 2026-03-08T00:00:00Z: ");
    CliRun now =
        quiver(
            "materialize-incremental",
            "now",
            "--views",
            "driver_hourly_stats",
            "--repo",
            repo.toString());
    assertThat(now.exitCode()).as(now.err()).isZero();
    assertThat(now.out()).startsWith("driver_hourly_stats: 2026-03-08T00:00:00Z to 20");
  }

  @Test
  void anEntityGivenByItsNameIsToldItsJoinKey() {
    assertThat(
            quiver("materialize", "2026-03-01", "2026-03-08", "--repo", repo.toString()).exitCode())
        .isZero();
    CliRun run =
        quiver(
            "online",
            "--features",
            "driver_hourly_stats:conv_rate",
            "--entity",
            "driver=1001",
            "--repo",
            repo.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "quiver: Cannot read online features: the entity rows have no 'driver_id' (the join"
                + " key of entity 'driver', needed by feature view 'driver_hourly_stats');"
                + " 'driver' is the entity's name: give its join key 'driver_id' instead\n");
  }

  private static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError(text, e);
    }
  }

  @Test
  void onDemandFeaturesTakeTheirRequestFieldsFromRequestOptions() {
    assertThat(
            quiver("materialize", "2026-03-01", "2026-03-08", "--repo", repo.toString()).exitCode())
        .isZero();
    CliRun run =
        quiver(
            "online",
            "--features",
            "booking_risk:conv_rate_pct,booking_risk:busy_last_hour,driver_hourly_stats:conv_rate",
            "--entity",
            "driver_id=1001,9999",
            "--request",
            "fare_quote=12.5,null",
            "--as-of",
            "2026-03-08T00:00:00Z",
            "--json",
            "--repo",
            repo.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    JsonNode answer = json(run.out());
    assertThat(answer.at("/metadata/feature_names").toString())
        .isEqualTo(
            "[\"driver_id\",\"fare_quote\",\"conv_rate_pct\",\"busy_last_hour\",\"conv_rate\"]");
    assertThat(answer.at("/results/1/values/1").isNull()).isTrue();
    // conv_rate is a float32; CEL computes in double, the float32 feature rounds the product.
    float rate = (float) answer.at("/results/4/values/0").asDouble();
    assertThat((float) answer.at("/results/2/values/0").asDouble())
        .isEqualTo((float) ((double) rate * 100.0));
    // An unknown driver: conv_rate is null, so the expression's default, 0.
    assertThat(answer.at("/results/2/values/1").asDouble()).isZero();

    CliRun unknown =
        quiver(
            "online",
            "--features",
            "booking_risk",
            "--entity",
            "driver_id=1001",
            "--request",
            "fare=12.5",
            "--repo",
            repo.toString());
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err())
        .startsWith(
            "--request fare: no on-demand view has a request field of that name (request fields:"
                + " fare_quote)");
    CliRun bad =
        quiver(
            "online",
            "--features",
            "booking_risk",
            "--entity",
            "driver_id=1001",
            "--request",
            "fare_quote=cheap",
            "--repo",
            repo.toString());
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.err()).startsWith("--request fare_quote: 'cheap' is not a valid float64");
  }

  @Test
  void applyDeletingAViewDeletesItsOnlineRows() throws IOException {
    quiver(
        "materialize", "2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z", "--repo", repo.toString());
    Path definitions = repo.resolve("driver_customer.yaml");
    Files.delete(definitions);
    Path services = repo.resolve("services.yaml");
    Files.writeString(
        services,
        Files.readString(services).replace("      - driver_customer_stats:trips_together\n", ""));

    CliRun apply = quiver("apply", "--repo", repo.toString());

    assertThat(apply.exitCode()).as(apply.err()).isZero();
    assertThat(apply.out()).contains("Deleted the online rows of driver_customer_stats.");
    try (var store =
        dev.quiver.online.rocksdb.RocksDbOnlineStore.openReadOnly(
            "driver_ranking", repo.resolve("data/online"))) {
      assertThat(store.rowCount("driver_customer_stats")).isZero();
      assertThat(store.rowCount("driver_hourly_stats")).isEqualTo(2_000);
    }
    // The online store's materialization log forgets the view, so materializing it again after
    // it comes back starts from scratch.
    try (dev.quiver.sdk.FeatureStore store = dev.quiver.sdk.FeatureStore.open(repo)) {
      assertThat(store.materializationStates())
          .containsOnlyKeys("customer_profile", "driver_hourly_stats", "driver_trip_activity");
    }
  }

  @Test
  void applyChangingAViewsWindowsDeletesItsTilesSoTheyAreComputedAgain() throws IOException {
    quiver(
        "materialize", "2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z", "--repo", repo.toString());
    Path definitions = repo.resolve("driver_trips.yaml");
    Files.writeString(
        definitions,
        Files.readString(definitions)
            .replace(
                "{function: count, windows: [1h, 1d, 7d]}",
                "{function: count, windows: [1h, 2h]}"));
    Files.writeString(
        repo.resolve("driver_stats.yaml"),
        Files.readString(repo.resolve("driver_stats.yaml")).replace("ttl: 1d", "ttl: 2d"));

    CliRun plan = quiver("plan", "--repo", repo.toString());
    assertThat(plan.out())
        .contains(
            "The online tiles of driver_trip_activity will be deleted (their aggregations, hop,"
                + " entities or events change): materialize again after applying.");
    CliRun apply = quiver("apply", "--repo", repo.toString());

    assertThat(apply.exitCode()).as(apply.err()).isZero();
    assertThat(apply.out())
        .contains(
            "Deleted the online tiles of driver_trip_activity, whose aggregations changed: run"
                + " 'quiver materialize' to compute them again.");
    try (var store =
        dev.quiver.online.rocksdb.RocksDbOnlineStore.openReadOnly(
            "driver_ranking", repo.resolve("data/online"))) {
      assertThat(store.rowCount("driver_trip_activity")).isZero();
      // A plain view whose ttl changed keeps its rows: the ttl applies when reading.
      assertThat(store.rowCount("driver_hourly_stats")).isEqualTo(2_000);
    }
    try (dev.quiver.sdk.FeatureStore store = dev.quiver.sdk.FeatureStore.open(repo)) {
      assertThat(store.materializationStates()).doesNotContainKey("driver_trip_activity");
    }
    CliRun again =
        quiver("materialize-incremental", "2026-03-08T00:00:00Z", "--repo", repo.toString());
    assertThat(again.exitCode()).as(again.err()).isZero();
    CliRun online =
        quiver(
            "online",
            "--features",
            "driver_trip_activity:count_2h",
            "--entity",
            "driver_id=1001",
            "--as-of",
            "2026-03-08T00:00:00Z",
            "--json",
            "--repo",
            repo.toString());
    assertThat(online.exitCode()).as(online.err()).isZero();
    assertThat(online.out()).contains("\"feature_names\":[\"driver_id\",\"count_2h\"]");
  }

  @Test
  void rollingBackToAVersionWithoutAViewDeletesItsOnlineRows() throws IOException {
    Path definitions = repo.resolve("driver_customer.yaml");
    Path services = repo.resolve("services.yaml");
    String view = Files.readString(definitions);
    String service = Files.readString(services);
    Files.delete(definitions);
    Files.writeString(
        services, service.replace("      - driver_customer_stats:trips_together\n", ""));
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    Files.writeString(definitions, view);
    Files.writeString(services, service);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    quiver(
        "materialize", "2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z", "--repo", repo.toString());

    CliRun rollback = quiver("registry", "rollback", "2", "--repo", repo.toString());

    assertThat(rollback.exitCode()).as(rollback.err()).isZero();
    assertThat(rollback.out())
        .contains("delete  feature view     driver_customer_stats")
        .endsWith("Deleted the online rows of driver_customer_stats.\n");
    try (var store =
        dev.quiver.online.rocksdb.RocksDbOnlineStore.openReadOnly(
            "driver_ranking", repo.resolve("data/online"))) {
      assertThat(store.rowCount("driver_customer_stats")).isZero();
      assertThat(store.rowCount("driver_hourly_stats")).isEqualTo(2_000);
    }
  }

  @Test
  void aMaterializationKilledMidwayIsCompletedByRunningItAgain() throws Exception {
    Path online = repo.resolve("data/online");
    Process process =
        CliRun.quiverProcess(
                "materialize",
                "2026-03-01T00:00:00Z",
                "2026-03-08T00:00:00Z",
                "--repo",
                repo.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("killed.log").toFile())
            .start();
    // Kill it as soon as it has started writing: RocksDB's write-ahead log appears.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(1))
        .failFast(
            "the materialization ended before it was killed; see killed.log",
            () -> !process.isAlive())
        .until(() -> hasLog(online));
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();

    CliRun again =
        quiver(
            "materialize",
            "2026-03-01T00:00:00Z",
            "2026-03-08T00:00:00Z",
            "--repo",
            repo.toString());
    assertThat(again.exitCode()).as(again.err()).isZero();

    // The reference: the same (deterministic) repo, materialized once without interruption.
    Path reference = dir.resolve("reference");
    ExampleRepo.createAt(reference);
    quiver("apply", "--repo", reference.toString());
    quiver(
        "materialize",
        "2026-03-01T00:00:00Z",
        "2026-03-08T00:00:00Z",
        "--repo",
        reference.toString());
    for (String view :
        List.of("driver_hourly_stats", "customer_profile", "driver_customer_stats")) {
      List<String> args =
          List.of(
              "online",
              "--features",
              view,
              "--entity",
              "driver_id=" + range(1001, 3001),
              "--entity",
              "customer_id=" + range(5001, 7001),
              "--json",
              "--repo");
      CliRun recovered = quiver(with(args, repo.toString()));
      CliRun expected = quiver(with(args, reference.toString()));
      assertThat(recovered.exitCode()).as(recovered.err()).isZero();
      assertThat(recovered.out()).as(view).isEqualTo(expected.out());
      assertThat(expected.out()).contains("\"PRESENT\"");
    }
  }

  private static String[] with(List<String> args, String last) {
    List<String> all = new java.util.ArrayList<>(args);
    all.add(last);
    return all.toArray(String[]::new);
  }

  private static String range(long from, long to) {
    StringBuilder values = new StringBuilder();
    for (long id = from; id < to; id++) {
      values.append(values.length() == 0 ? "" : ",").append(id);
    }
    return values.toString();
  }

  private static boolean hasLog(Path online) {
    if (!Files.isDirectory(online)) {
      return false;
    }
    try (var files = Files.list(online)) {
      return files.anyMatch(f -> f.getFileName().toString().endsWith(".log"));
    } catch (IOException e) {
      return false;
    }
  }
}
