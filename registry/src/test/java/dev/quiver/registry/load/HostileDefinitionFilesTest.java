package dev.quiver.registry.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.RepoFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written to break the loader are refused with one problem each, quickly. */
class HostileDefinitionFilesTest {

  @TempDir Path root;

  private static List<String> problems(RepoFixture repo) {
    return repo.loadProblems();
  }

  @Test
  void aRecursiveAliasIsOneProblemNotAStackOverflow() {
    RepoFixture repo = RepoFixture.valid(root).write("loop.yaml", "entities: &a [*a]\n");

    assertThat(problems(repo))
        .containsExactly(
            "loop.yaml:1: alias '*a' is inside the list or mapping its anchor '&a' names, which"
                + " would make it contain itself without end");
  }

  @Test
  void anAliasOfAnAnchorDefinedAgainAfterItClosedIsNotRecursive() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "tags.yaml",
                """
                entities:
                  - &a {name: rider, join_key: rider_id, type: int64, tags: {team: a}}
                  - name: car
                    join_key: car_id
                    type: int64
                    tags: &a {team: cars}
                    description: *a
                """);

    assertThat(problems(repo))
        .containsExactly(
            "tags.yaml:6: 'description' of entity 'car' must be a value, found a mapping");
  }

  @Test
  void nestingTwentyThousandDeepIsOneProblemNotAStackOverflow() {
    int depth = 20_000;
    RepoFixture repo =
        RepoFixture.valid(root)
            .write("deep.yaml", "entities: " + "[".repeat(depth) + "]".repeat(depth) + "\n");

    assertThat(problems(repo))
        .containsExactly(
            "deep.yaml:1: lists and mappings are nested more than 100 levels deep here;"
                + " definitions need a handful");
  }

  @Test
  void anOversizedFileIsRefusedByItsSizeWithoutBeingRead() throws IOException {
    RepoFixture repo = RepoFixture.valid(root);
    Path big = root.resolve("big.yaml");
    // One long line: the YAML scanner took 40 s over 10 MB of it, minutes over 20 MB.
    Files.writeString(big, "description: " + "x".repeat(2 * 1024 * 1024) + "\n");

    long started = System.nanoTime();
    List<String> problems = problems(repo);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(problems)
        .containsExactly(
            "big.yaml: is 2.0 MB, more than the 1.0 MB a YAML file of a feature repo may have;"
                + " split it into several files");
    assertThat(took).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aFileJustUnderTheLimitIsRead() throws IOException {
    RepoFixture repo = RepoFixture.valid(root);
    String head = "entities:\n  - name: rider\n    join_key: rider_id\n    type: int64\n";
    String comment = "# " + "x".repeat(1000) + "\n";
    StringBuilder yaml = new StringBuilder(head);
    while (yaml.length() + comment.length() <= 1024 * 1024) {
      yaml.append(comment);
    }
    Files.writeString(root.resolve("padded.yaml"), yaml);

    assertThat(FeatureRepo.load(repo.root(), Map.of()).definitions().entity("rider")).isPresent();
  }
}
