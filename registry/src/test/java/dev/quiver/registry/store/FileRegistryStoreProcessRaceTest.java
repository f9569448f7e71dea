package dev.quiver.registry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiver.registry.RepoFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Applies racing from separate JVMs, as two people running {@code quiver apply} at once would: only
 * the operating system's file lock stands between them.
 */
class FileRegistryStoreProcessRaceTest {

  @TempDir Path dir;

  @Test
  void ofAppliesFromSeveralProcessesExactlyOneCommits() throws Exception {
    Path registry = dir.resolve("shared/registry.json");
    Path go = dir.resolve("go");
    int racers = 3;
    List<Process> processes = new ArrayList<>();
    List<Path> ready = new ArrayList<>();
    for (int i = 0; i < racers; i++) {
      Path repo = dir.resolve("repo" + i);
      RepoFixture.valid(repo)
          .write(
              "driver_stats.yaml",
              RepoFixture.DRIVER_STATS.replace("ttl: 1d", "ttl: " + (i + 1) + "h"));
      Path planned = dir.resolve("planned" + i);
      ready.add(planned);
      processes.add(
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  RacingApplyProcess.class.getName(),
                  repo.toString(),
                  registry.toString(),
                  planned.toString(),
                  go.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("out" + i).toFile())
              .start());
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(10))
        .failFast(
            "a racer exited before it planned",
            () -> !processes.stream().allMatch(Process::isAlive))
        .until(() -> ready.stream().allMatch(Files::exists));
    Files.createFile(go);

    List<Integer> exits = new ArrayList<>();
    for (Process process : processes) {
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      exits.add(process.exitValue());
    }

    assertThat(exits).containsOnly(0, 3);
    assertThat(exits.stream().filter(e -> e == 0).count()).isEqualTo(1);
    try (RegistryStore store = new FileRegistryStore(registry, "rides", Clock.systemUTC())) {
      assertThat(store.load().version()).isEqualTo(1);
      assertThat(store.history()).hasSize(1);
    }
  }
}
