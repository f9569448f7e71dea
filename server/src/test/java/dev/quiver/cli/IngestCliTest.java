package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.streaming.testing.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quiver ingest} against a real broker: the command's own process, stopped with SIGTERM as a
 * container runtime stops it, commits what it ingested and exits 0; bad input is refused with one
 * line and exit code 1.
 */
class IngestCliTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void ingestsUntilSigtermThenCommitsAndExitsZero() throws Exception {
    KafkaBroker broker = KafkaBroker.shared();
    String topic = "trips-cli-" + Long.toHexString(System.nanoTime());
    String group = "ingest-cli-" + Long.toHexString(System.nanoTime());
    broker.createTopic(topic, 2);
    Path repo = dir.resolve("repo");
    // The repo keeps ${KAFKA_BOOTSTRAP:-...}: the process's environment names the broker.
    TripStream.repo(repo, "ingest_cli", topic, null);
    Instant now = Instant.now();
    List<String> messages = new ArrayList<>(TripStream.goodTrips(now));
    messages.addAll(TripStream.badTrips(now));
    TripStream.produce(broker, topic, messages);

    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    ProcessBuilder command =
        CliRun.quiverProcess("ingest", "--group", group, "--repo", repo.toString())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    command.environment().put("KAFKA_BOOTSTRAP", broker.bootstrapServers());
    Process process = command.start();
    try {
      TripStream.awaitCommitted(broker, group, topic);
      process.destroy(); // SIGTERM
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(Files.readString(err)).isTrue();
    } finally {
      process.destroyForcibly();
    }

    String stderr = Files.readString(err);
    assertThat(process.exitValue()).as(stderr).isZero();
    assertThat(stderr)
        .contains(
            "Ingesting "
                + topic
                + " into driver_trip_activity, consumer group "
                + group
                + " (Ctrl-C stops")
        .contains("Stopping (SIGTERM): committing the batch in hand");
    assertThat(Files.readString(out).strip())
        .startsWith("Ingested driver_trip_activity 3; 4 dead letters (")
        .contains("unparseable 1", "missing_field 1", "wrong_type 1", "null_key 1");

    CliRun online =
        quiver(
            "online",
            "--features",
            "driver_trip_activity:count_1h,driver_trip_activity:count_1d,"
                + "driver_trip_activity:fare_sum_1d",
            "--entity",
            "driver_id=" + TripStream.DRIVER,
            "--json",
            "--repo",
            repo.toString());
    assertThat(online.exitCode()).as(online.err()).isZero();
    Map<String, JsonNode> values = byFeature(JSON.readTree(online.out()));
    assertThat(values.get("count_1h").asLong()).isEqualTo(2);
    assertThat(values.get("count_1d").asLong()).isEqualTo(3);
    assertThat(values.get("fare_sum_1d").asDouble()).isEqualTo(60.0);
  }

  @Test
  void refusesAViewThatIsUnknownOrNotOnAStream() throws Exception {
    Path repo = dir.resolve("repo");
    TripStream.repo(repo, "ingest_refusals", "trips", null);

    CliRun unknown = quiver("ingest", "--views", "nope", "--repo", repo.toString());
    assertThat(unknown.exitCode()).isEqualTo(QuiverCli.EXIT_ERROR);
    assertThat(unknown.err().strip())
        .isEqualTo(
            "quiver: Cannot ingest feature view 'nope': it is not registered; views on stream"
                + " sources: driver_trip_activity");

    CliRun batch = quiver("ingest", "--views", "driver_hourly_stats", "--repo", repo.toString());
    assertThat(batch.exitCode()).isEqualTo(QuiverCli.EXIT_ERROR);
    assertThat(batch.err().strip())
        .isEqualTo(
            "quiver: Cannot ingest feature view 'driver_hourly_stats': its source"
                + " 'driver_stats_source' is not a stream; views on stream sources:"
                + " driver_trip_activity");
  }

  @Test
  void refusesABootstrapWhoseVariableIsUnset() throws Exception {
    Path repo = dir.resolve("repo");
    TripStream.repo(repo, "ingest_unset", "trips", "${QUIVER_TEST_SURELY_UNSET_BOOTSTRAP}");

    CliRun run = quiver("ingest", "--repo", repo.toString());
    assertThat(run.exitCode()).isEqualTo(QuiverCli.EXIT_ERROR);
    assertThat(run.err().strip())
        .isEqualTo(
            "quiver: Cannot connect source 'trips_stream' to Kafka: environment variable"
                + " 'QUIVER_TEST_SURELY_UNSET_BOOTSTRAP' is not set (used as"
                + " ${QUIVER_TEST_SURELY_UNSET_BOOTSTRAP}); set it, or give a default as"
                + " ${QUIVER_TEST_SURELY_UNSET_BOOTSTRAP:-value}");
  }

  @Test
  void refusesARepoWithNoViewOnAStream() throws Exception {
    Path repo = dir.resolve("repo");
    TripStream.repo(repo, "ingest_none", "trips", null);
    Path trips = repo.resolve("driver_trips.yaml");
    Files.writeString(
        trips,
        Files.readString(trips).replace("    source: trips_stream", "    source: trips_source"));
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();

    CliRun run = quiver("ingest", "--repo", repo.toString());
    assertThat(run.exitCode()).isEqualTo(QuiverCli.EXIT_ERROR);
    assertThat(run.err().strip())
        .isEqualTo(
            "quiver: Nothing to ingest: no feature view reads a stream source (a source of type"
                + " kafka)");
  }

  /** The first entity row's value of each feature, by its short name. */
  private static Map<String, JsonNode> byFeature(JsonNode response) {
    Map<String, JsonNode> values = new HashMap<>();
    JsonNode names = response.at("/metadata/feature_names");
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i).asText();
      values.put(name.substring(name.indexOf(':') + 1), response.at("/results/" + i + "/values/0"));
    }
    return values;
  }
}
