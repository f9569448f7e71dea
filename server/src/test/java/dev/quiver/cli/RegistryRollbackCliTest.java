package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryRollbackCliTest {

  @TempDir Path dir;
  private Path repo;
  private String repoArg;

  /** Version 1 as the example repo declares it; version 2 with a ttl of 2d. */
  @BeforeEach
  void twoVersions() throws IOException {
    repo = dir.resolve("repo");
    ExampleRepo.copyDefinitionsTo(repo);
    repoArg = repo.toString();
    assertThat(quiver("apply", "--repo", repoArg).exitCode()).isZero();
    Path view = repo.resolve("driver_stats.yaml");
    Files.writeString(view, Files.readString(view).replace("ttl: 1d", "ttl: 2d"));
    assertThat(quiver("apply", "--repo", repoArg).exitCode()).isZero();
  }

  @Test
  void aRollbackShowsThePlanThenCommitsTheOldDefinitionsAsANewVersion() throws IOException {
    CliRun dryRun = quiver("registry", "rollback", "1", "--dry-run", "--repo", repoArg);
    assertThat(dryRun.exitCode()).as(dryRun.err()).isZero();
    assertThat(dryRun.out())
        .contains("at version 2:")
        .contains("update  feature view  driver_hourly_stats  ttl 2d -> 1d")
        .doesNotContain("Rolled back");
    assertThat(registryVersion()).isEqualTo(2);

    CliRun rollback = quiver("registry", "rollback", "1", "--repo", repoArg);

    assertThat(rollback.exitCode()).as(rollback.err()).isZero();
    assertThat(rollback.out())
        .contains("update  feature view  driver_hourly_stats  ttl 2d -> 1d")
        .endsWith("Rolled back: the registry is now at version 3, equal to version 1.\n");
    assertThat(quiver("registry", "show", "driver_hourly_stats", "--repo", repoArg).out())
        .contains("ttl: 1d");
    List<String> history = quiver("registry", "history", "--repo", repoArg).out().lines().toList();
    assertThat(history.get(1)).startsWith("3  ").endsWith("rollback to version 1");
    assertThat(history.get(2)).endsWith("update feature view driver_hourly_stats: ttl 2d -> 1d");
    // The repo itself was not touched: it still declares what version 2 holds.
    assertThat(quiver("plan", "--repo", repoArg).out())
        .contains("update  feature view  driver_hourly_stats  ttl 1d -> 2d");

    CliRun again = quiver("registry", "rollback", "1", "--repo", repoArg);
    assertThat(again.exitCode()).isZero();
    assertThat(again.out()).endsWith("No changes: the registry matches version 1.\n");
    assertThat(registryVersion()).isEqualTo(3);
  }

  @Test
  void aVersionThatIsNotAnEarlierOneIsRefusedAndNothingIsWritten() throws IOException {
    byte[] before = Files.readAllBytes(repo.resolve("data/registry.json"));

    CliRun latest = quiver("registry", "rollback", "2", "--repo", repoArg);
    assertThat(latest.exitCode()).isEqualTo(1);
    assertThat(latest.err())
        .startsWith(
            "quiver: Cannot roll back to version 2: it is the latest version; 'quiver registry"
                + " history' lists the earlier ones");

    CliRun unknown = quiver("registry", "rollback", "7", "--repo", repoArg);
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("Cannot roll back to version 7: the file registry ");
    assertThat(unknown.err()).contains(" has versions 1 to 2");

    CliRun notANumber = quiver("registry", "rollback", "two", "--repo", repoArg);
    assertThat(notANumber.exitCode()).isEqualTo(1);
    assertThat(notANumber.err()).contains("VERSION");

    assertThat(Files.readAllBytes(repo.resolve("data/registry.json"))).isEqualTo(before);
  }

  private long registryVersion() {
    String list = quiver("registry", "list", "--repo", repoArg).out();
    String prefix = "registry version ";
    int at = list.indexOf(prefix) + prefix.length();
    return Long.parseLong(list.substring(at, list.indexOf('.', at)));
  }
}
