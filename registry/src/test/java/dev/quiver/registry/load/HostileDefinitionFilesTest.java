package dev.quiver.registry.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.quiver.registry.RepoFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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

  // A guard against the runaway the fix prevents (minutes, or out of memory), not a timing.
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  @Test
  void anOversizedFileIsRefusedByItsSizeWithoutBeingRead() throws IOException {
    RepoFixture repo = RepoFixture.valid(root);
    Path big = root.resolve("big.yaml");
    // One long line: the YAML scanner took 40 s over 10 MB of it, minutes over 20 MB.
    Files.writeString(big, "description: " + "x".repeat(2 * 1024 * 1024) + "\n");

    List<String> problems = problems(repo);

    assertThat(problems)
        .containsExactly(
            "big.yaml: is 2.0 MB, more than the 1.0 MB a YAML file of a feature repo may have;"
                + " split it into several files");
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

  // A guard against the runaway the fix prevents (minutes, or out of memory), not a timing.
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  @Test
  void aliasesOfAliasesExpandingPastTheLimitAreOneProblem() {
    // Sixteen levels of three aliases each (48, under snakeyaml's 50): 3^17 nodes once expanded.
    StringBuilder yaml = new StringBuilder("x0: &a0 [1, 1, 1]\n");
    for (int level = 1; level <= 16; level++) {
      String previous = "*a" + (level - 1);
      yaml.append("x%d: &a%d [%s, %s, %s]\n".formatted(level, level, previous, previous, previous));
    }
    RepoFixture repo = RepoFixture.valid(root).write("bomb.yaml", yaml.toString());

    List<String> problems = problems(repo);

    assertThat(problems)
        .containsExactly(
            "bomb.yaml:10: alias '*a8' repeats the 29,524 nodes its anchor '&a8' names, which"
                + " brings what the aliases of this file repeat past 100,000 nodes; write the"
                + " values out instead of aliasing aliases");
  }

  @Test
  void aFewAliasesStillLoad() {
    RepoFixture repo =
        RepoFixture.valid(root)
            .write(
                "aliases.yaml",
                """
                entities:
                  - name: rider
                    join_key: rider_id
                    type: int64
                    tags: &team {team: rides, owner: ops}
                  - name: car
                    join_key: car_id
                    type: int64
                    tags: *team
                """);

    assertThat(FeatureRepo.load(repo.root(), Map.of()).definitions().entity("car"))
        .hasValueSatisfying(car -> assertThat(car.tags()).containsEntry("team", "rides"));
  }

  // A guard against the runaway the fix prevents (minutes, or out of memory), not a timing.
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  @Test
  void aLinkToADeviceIsRefusedWithoutReadingIt() throws IOException {
    Path zero = Path.of("/dev/zero");
    assumeThat(Files.exists(zero)).as("/dev/zero exists").isTrue();
    RepoFixture repo = RepoFixture.valid(root);
    Files.createSymbolicLink(root.resolve("big.yaml"), zero);

    List<String> problems = problems(repo);

    assertThat(problems)
        .containsExactly(
            "big.yaml: is not a regular file (a device, pipe or socket, or a link to one); a"
                + " definition file must be a plain file");
  }

  @Test
  void aPipeIsRefusedWithoutOpeningIt() throws IOException, InterruptedException {
    Path fifo = root.resolve("pipe.yaml");
    RepoFixture repo = RepoFixture.valid(root);
    int made;
    try {
      made = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor();
    } catch (IOException e) {
      made = -1;
    }
    assumeThat(made).as("mkfifo made a pipe").isZero();

    // Opening a pipe nobody writes to would block for good.
    assertThat(problems(repo))
        .containsExactly(
            "pipe.yaml: is not a regular file (a device, pipe or socket, or a link to one); a"
                + " definition file must be a plain file");
  }
}
