package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver historical}, {@code reproduce} and the source checks of apply, in-process. */
class HistoricalCliTest {

  @TempDir Path dir;
  private Path repo;
  private Path entities;

  @BeforeEach
  void exampleRepo() {
    repo = dir.resolve("repo");
    ExampleRepo.createAt(repo);
    entities = ExampleData.writeEntityRows(repo, ExampleData.Options.defaults(), 200);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
  }

  @Test
  void writesATrainingSetAndReproducesItValueForValue() throws IOException {
    Path output = dir.resolve("train.csv");
    CliRun run =
        quiver(
            "historical",
            "--entities",
            entities.toString(),
            "--features",
            "driver_hourly_stats:conv_rate, customer_profile:segment",
            "--output",
            output.toString(),
            "--repo",
            repo.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("Wrote 200 rows with 2 features to " + output);
    assertThat(run.err()).as("no progress bar outside a terminal").isEmpty();
    List<String> lines = Files.readAllLines(output);
    assertThat(lines.get(0))
        .isEqualTo("driver_id,customer_id,event_timestamp,trip_completed,conv_rate,segment");
    assertThat(lines).hasSize(201);

    Path again = dir.resolve("again.csv");
    CliRun reproduced =
        quiver("reproduce", output + ".manifest.json", "--output", again.toString());
    assertThat(reproduced.exitCode()).as(reproduced.err()).isZero();
    assertThat(Files.readAllLines(again)).isEqualTo(lines);
  }

  @Test
  void aFeatureServiceWithFullNames() throws IOException {
    Path output = dir.resolve("train.parquet");
    CliRun run =
        quiver(
            "historical",
            "--entities",
            entities.toString(),
            "--feature-service",
            "driver_activity_v1",
            "--full-feature-names",
            "--output",
            output.toString(),
            "--repo",
            repo.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("Wrote 200 rows with 6 features to " + output);
    assertThat(output).isRegularFile();
    assertThat(Files.readString(Path.of(output + ".manifest.json")))
        .contains("\"feature_service\" : \"driver_activity_v1\"")
        .contains("\"driver_hourly_stats:conv_rate\"");
  }

  @Test
  void featuresAndAServiceAreExclusive() {
    CliRun run =
        quiver(
            "historical",
            "--entities",
            entities.toString(),
            "--features",
            "driver_hourly_stats",
            "--feature-service",
            "driver_activity_v1",
            "--output",
            dir.resolve("x.csv").toString(),
            "--repo",
            repo.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("mutually exclusive");
  }

  @Test
  void anUnknownFeatureIsOneLine() {
    CliRun run =
        quiver(
            "historical",
            "--entities",
            entities.toString(),
            "--features",
            "driver_hourly_stat:conv_rate",
            "--output",
            dir.resolve("x.csv").toString(),
            "--repo",
            repo.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "quiver: Cannot retrieve features: there is no feature view 'driver_hourly_stat' (did"
                + " you mean 'driver_hourly_stats'?)\n");
    assertThat(dir.resolve("x.csv")).doesNotExist();
  }

  @Test
  void applyChecksSourceColumnsAndWarnsAboutMissingData() throws IOException {
    Path definitions = repo.resolve("driver_stats.yaml");
    String original = Files.readString(definitions);
    Files.writeString(
        definitions,
        original.replace("{name: acc_rate, type: float32}", "{name: acc_rate, type: string}"));
    CliRun wrongType = quiver("plan", "--repo", repo.toString());
    assertThat(wrongType.exitCode()).isEqualTo(1);
    assertThat(wrongType.err())
        .startsWith(
            "driver_stats.yaml:17: source 'driver_stats_source': column 'acc_rate' of"
                + " data/driver_stats.parquet is FLOAT, expected string (feature view"
                + " 'driver_hourly_stats')\n");

    Files.writeString(definitions, original);
    Files.delete(repo.resolve("data/customer_profile.parquet"));
    CliRun warned = quiver("plan", "--exit-code", "--repo", repo.toString());
    assertThat(warned.exitCode()).isZero();
    assertThat(warned.err())
        .isEqualTo(
            "warning: customer_profile.yaml:2: source 'customer_profile_source': path"
                + " 'data/customer_profile.parquet' matches no Parquet file yet\n");
    CliRun strict = quiver("apply", "--strict", "--repo", repo.toString());
    assertThat(strict.exitCode()).isEqualTo(1);
    assertThat(strict.err())
        .startsWith(
            "customer_profile.yaml:2: source 'customer_profile_source': path"
                + " 'data/customer_profile.parquet' matches no Parquet file yet");
  }
}
