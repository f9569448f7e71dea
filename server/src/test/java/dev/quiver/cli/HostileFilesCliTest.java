package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Definition files written to break the loader: one clear line each, exit code 1. */
class HostileFilesCliTest {

  @TempDir Path dir;

  private Path exampleRepo() {
    Path repo = dir.resolve("repo");
    ExampleRepo.copyDefinitionsTo(repo);
    return repo;
  }

  private static void assertRefusedWithOneLine(Path repo, String line) {
    CliRun run = quiver("apply", "--repo", repo.toString());

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).isEqualTo(line + "\nquiver: 1 problem; nothing was written\n");
    assertThat(repo.resolve("data/registry.json")).doesNotExist();
  }

  @Test
  void aRecursiveAliasIsOneLine() throws IOException {
    Path repo = exampleRepo();
    Files.writeString(repo.resolve("loop.yaml"), "entities: &a [*a]\n");

    assertRefusedWithOneLine(
        repo,
        "loop.yaml:1: alias '*a' is inside the list or mapping its anchor '&a' names, which would"
            + " make it contain itself without end");
  }

  @Test
  void twentyThousandLevelsOfNestingAreOneLine() throws IOException {
    Path repo = exampleRepo();
    Files.writeString(
        repo.resolve("deep.yaml"),
        "entities:\n  - " + "[".repeat(20_000) + "]".repeat(20_000) + "\n");

    assertRefusedWithOneLine(
        repo,
        "deep.yaml:2: lists and mappings are nested more than 100 levels deep here; definitions"
            + " need a handful");
  }

  @Test
  void anOversizedDefinitionFileIsOneLine() throws IOException {
    Path repo = exampleRepo();
    Files.writeString(
        repo.resolve("big.yaml"), "description: " + "x".repeat(3 * 1024 * 1024) + "\n");

    assertRefusedWithOneLine(
        repo,
        "big.yaml: is 3.0 MB, more than the 1.0 MB a YAML file of a feature repo may have; split"
            + " it into several files");
  }
}
