package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class QuiverCliTest {

  @TempDir Path dir;

  private Path exampleRepo() {
    Path repo = dir.resolve("repo");
    ExampleRepo.copyDefinitionsTo(repo);
    return repo;
  }

  private static void replaceIn(Path file, String from, String to) throws IOException {
    String text = Files.readString(file);
    assertThat(text).contains(from);
    Files.writeString(file, text.replace(from, to));
  }

  @Test
  void applyThenPlanShowsNoChangesUntilTheRepoChanges() throws IOException {
    Path repo = exampleRepo();
    String repoArg = repo.toString();

    CliRun apply = quiver("apply", "--repo", repoArg);
    assertThat(apply.exitCode()).as(apply.err()).isZero();
    assertThat(apply.out())
        .contains("create  feature view            driver_hourly_stats")
        .contains("create  on-demand feature view  booking_risk")
        .contains("15 to create, 0 to update, 0 to delete, 0 unchanged.")
        .endsWith("Applied: the registry is now at version 1.\n");

    CliRun unchanged = quiver("plan", "--exit-code", "--repo", repoArg);
    assertThat(unchanged.exitCode()).isZero();
    assertThat(unchanged.out()).contains("No changes: the registry matches the repo.");

    replaceIn(repo.resolve("driver_stats.yaml"), "ttl: 1d", "ttl: 2d");
    CliRun pending = quiver("plan", "--exit-code", "--repo", repoArg);
    assertThat(pending.exitCode()).isEqualTo(2);
    assertThat(pending.out())
        .contains("update  feature view  driver_hourly_stats  ttl 1d -> 2d")
        .contains("0 to create, 1 to update, 0 to delete, 14 unchanged.");
    assertThat(quiver("plan", "--repo", repoArg).exitCode()).isZero();

    assertThat(quiver("apply", "--repo", repoArg).exitCode()).isZero();
    CliRun history = quiver("registry", "history", "--repo", repoArg);
    assertThat(history.exitCode()).isZero();
    List<String> lines = history.out().lines().toList();
    assertThat(lines.get(0)).startsWith("VERSION  COMMITTED");
    assertThat(lines.get(1))
        .startsWith("2  ")
        .endsWith("update feature view driver_hourly_stats: ttl 1d -> 2d");
    assertThat(lines.get(2)).startsWith("1  ").endsWith("create entity customer");
  }

  @Test
  void aRepoWithThreeProblemsIsRefusedWithOneLineEachAndNothingWritten() throws IOException {
    Path repo = exampleRepo();
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    Path registry = repo.resolve("data/registry.json");
    byte[] before = Files.readAllBytes(registry);
    Files.writeString(
        repo.resolve("trips.yaml"),
        """
        feature_views:
          - name: trips
            entities: [drivr]
            source: trip_source
            features:
              - {name: trip_count, type: in64}
        """);

    CliRun run = quiver("apply", "--repo", repo.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines().toList())
        .containsExactly(
            "trips.yaml:3: feature view 'trips' references unknown entity 'drivr' (did you mean"
                + " 'driver'?)",
            "trips.yaml:4: feature view 'trips' references unknown source 'trip_source' (did you"
                + " mean 'trips_source'?)",
            "trips.yaml:6: unknown type 'in64' of feature 'trip_count' of feature view 'trips'"
                + " (did you mean 'int64'?); types are bool, int32, int64, float32, float64,"
                + " string, bytes, timestamp and list<T> of each",
            "quiver: 3 problems; nothing was written");
    assertThat(Files.readAllBytes(registry)).isEqualTo(before);
    CliRun plan = quiver("plan", "--exit-code", "--repo", repo.toString());
    assertThat(plan.exitCode()).isEqualTo(1);
    assertThat(plan.err().lines().toList())
        .as("plan writes nothing anyway: it does not say so")
        .endsWith("quiver: 3 problems");
  }

  @Test
  void registryListAndShowPrintTheSameBytesForTheSameContent() {
    Path first = exampleRepo();
    Path second = dir.resolve("second");
    ExampleRepo.copyDefinitionsTo(second);
    quiver("apply", "--repo", first.toString());
    quiver("apply", "--repo", second.toString());

    for (List<String> command :
        List.of(List.of("registry", "list"), List.of("registry", "show", "driver_hourly_stats"))) {
      CliRun a = quiver(with(command, "--repo", first.toString()));
      CliRun b = quiver(with(command, "--repo", second.toString()));
      assertThat(a.exitCode()).isZero();
      assertThat(a.out()).isEqualTo(b.out()).isNotEmpty();
    }
    assertThat(quiver("registry", "show", "driver_hourly_stats", "--repo", first.toString()).out())
        .isEqualTo(
            """
            # feature view 'driver_hourly_stats' at registry version 1
            name: driver_hourly_stats
            entities:
              - driver
            source: driver_stats_source
            ttl: 1d
            online: true
            features:
              - name: conv_rate
                type: float32
                expect:
                  min: 0
                  max: 1
                  max_null_fraction: 0.1
                description: Share of offers the driver accepted
              - name: acc_rate
                type: float32
                expect:
                  min: 0
                  max: 1
              - name: avg_daily_trips
                type: int64
                expect:
                  min: 0
            validation: warn
            freshness: 2h
            description: How a driver performed in the last hour
            owner: drivers-team@example.com
            tags:
              team: drivers
            """);
  }

  private static String[] with(List<String> command, String... more) {
    return java.util.stream.Stream.concat(command.stream(), java.util.Arrays.stream(more))
        .toArray(String[]::new);
  }

  @Test
  void historyRecordsTheGitCommitOfTheRepo() throws Exception {
    Path repo = exampleRepo();
    git(repo, "init", "-q");
    git(repo, "add", ".");
    git(repo, "-c", "user.email=t@example.com", "-c", "user.name=T", "commit", "-qm", "defs");
    String head = git(repo, "rev-parse", "HEAD");

    quiver("apply", "--repo", repo.toString());

    assertThat(quiver("registry", "history", "--repo", repo.toString()).out())
        .contains(head.substring(0, 12) + "  create entity customer");
  }

  private static String git(Path repo, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("git", "-C", repo.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes()).strip();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  @Test
  void errorsAreOneLineWithoutAStackTraceUnlessVerbose() {
    Path missing = dir.resolve("nowhere");

    CliRun run = quiver("plan", "--repo", missing.toString());
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().lines().toList())
        .containsExactly(
            missing
                + ": not a feature repo: there is no feature_store.yaml here (run from a repo, or"
                + " pass --repo DIR)",
            "quiver: 1 problem");

    CliRun verbose = quiver("plan", "--verbose", "--repo", missing.toString());
    assertThat(verbose.exitCode()).isEqualTo(1);
    assertThat(verbose.err()).contains("\tat dev.quiver.");
  }

  @Test
  void showingAnUnknownNameSuggestsTheClosestOne() {
    Path repo = exampleRepo();
    quiver("apply", "--repo", repo.toString());

    CliRun run = quiver("registry", "show", "driver_hourly_stat", "--repo", repo.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "quiver: Cannot show 'driver_hourly_stat': nothing of that name is registered in"
                + " project 'driver_ranking' (did you mean 'driver_hourly_stats'?)\n");
  }

  @Test
  void aBadOptionExitsWithOneAndShowsUsage() {
    CliRun run = quiver("plan", "--bogus");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).startsWith("Unknown option: '--bogus'").contains("Usage: quiver plan");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "apply",
        "plan",
        "registry",
        "registry list",
        "registry show",
        "registry history",
        "materialize",
        "materialize-incremental",
        "online",
        "historical",
        "reproduce",
        "serve",
        "consistency",
        "demo"
      })
  void everyCommandExplainsItselfWithHelp(String command) {
    String[] args = with(command.isEmpty() ? List.of() : List.of(command.split(" ")), "--help");
    // picocli reports a description it cannot format (a bare '%') on System.err, not the CLI's.
    java.io.PrintStream stderr = System.err;
    java.io.ByteArrayOutputStream warnings = new java.io.ByteArrayOutputStream();
    CliRun run;
    try {
      System.setErr(
          new java.io.PrintStream(warnings, true, java.nio.charset.StandardCharsets.UTF_8));
      run = quiver(args);
    } finally {
      System.setErr(stderr);
    }
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: quiver" + (command.isEmpty() ? "" : " " + command));
    // Every line fits the width, so none was wrapped again mid-phrase.
    assertThat(run.out().lines()).allMatch(line -> line.length() <= QuiverCli.USAGE_WIDTH);
    CommandLine target = QuiverCli.commandLine();
    for (String name : command.isEmpty() ? List.<String>of() : List.of(command.split(" "))) {
      target = target.getSubcommands().get(name);
    }
    assertThat(target.getCommandSpec().usageMessage().description())
        .allMatch(line -> line.length() <= QuiverCli.USAGE_WIDTH);
    assertThat(warnings.toString(java.nio.charset.StandardCharsets.UTF_8))
        .doesNotContain("picocli WARN");
  }

  @Test
  void versionNamesTheBuild() {
    CliRun run = quiver("--version");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("quiver 0.1.0-SNAPSHOT\n");
  }

  @Test
  void demoRunsOnAnEmptyFolder() {
    Path demo = dir.resolve("demo");

    CliRun run = quiver("demo", "--no-serve", "--dir", demo.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Applied: the registry is now at version 1.")
        .contains("Project driver_ranking, registry version 1.")
        .containsPattern("feature service +driver_activity_v1")
        .contains(
            "Consistency of feature service driver_activity_v3: 200 logged rows replayed from 1"
                + " file")
        .contains("Every feature served matches the point-in-time join.");
    assertThat(run.err()).contains("==> Generating its Parquet data");
    assertThat(demo.resolve("data/driver_stats.parquet")).isRegularFile();
  }

  @Test
  void aCommandGroupWithoutACommandIsAnError() {
    CliRun bare = quiver();
    assertThat(bare.exitCode()).isEqualTo(1);
    assertThat(bare.err()).startsWith("Missing a command").contains("Usage: quiver");

    CliRun registry = quiver("registry");
    assertThat(registry.exitCode()).isEqualTo(1);
    assertThat(registry.err()).startsWith("Missing a command: list, show, history or rollback");
  }

  @Test
  void demoRefusesAFolderThatIsNotEmpty() throws IOException {
    Path busy = Files.createDirectories(dir.resolve("busy"));
    Files.writeString(busy.resolve("notes.txt"), "mine");

    CliRun run = quiver("demo", "--no-serve", "--dir", busy.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .isEqualTo(
            "quiver: Cannot run the demo in "
                + busy
                + ": the folder is not empty; pick a new or empty one\n");
    assertThat(busy).isDirectoryNotContaining("glob:**.yaml");
  }
}
