package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.offline.ArrowAccess;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK in an application started with a plain {@code java}, without {@code --add-opens}: lookups
 * and Parquet training sets work; what Arrow cannot do there fails at once with the option to add.
 */
class WithoutAddOpensTest {

  @TempDir Path dir;

  @Test
  void theSdkWorksWithoutTheOptionAndNamesItWhereArrowNeedsIt() throws Exception {
    Path repo = dir.resolve("repo");
    ExampleRepo.createAt(repo);
    Path entities = ExampleData.writeEntityRows(repo, ExampleData.Options.defaults(), 20);
    FeatureRepo loaded = FeatureRepo.load(repo, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan.of(registry.load(), loaded.definitions()).apply(registry, "test", null);
    }
    try (FeatureStore store = FeatureStore.open(repo)) {
      store.materialize(
          Instant.parse("2026-03-01T00:00:00Z"),
          Instant.parse("2026-03-08T00:00:00Z"),
          List.of("driver_hourly_stats"),
          MaterializationProgress.NONE);
    }
    Path out = dir.resolve("out.txt");
    Process program =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                WithoutAddOpensProgram.class.getName(),
                repo.toString(),
                entities.toString())
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    assertThat(program.waitFor(120, TimeUnit.SECONDS)).isTrue();
    List<String> lines = Files.readAllLines(out);
    assertThat(program.exitValue()).as(String.join("\n", lines)).isZero();
    String needs =
        ": Arrow needs the JVM option "
            + ArrowAccess.OPTION
            + " for it; add it to the java command that starts this program (or to"
            + " JAVA_TOOL_OPTIONS, or to Maven Surefire's argLine for tests)";
    assertThat(lines)
        // Found, and older than the view's ttl: the example data lies in March 2026.
        .contains("online [OUTSIDE_MAX_AGE]", "parquet rows 20")
        .anyMatch(
            line ->
                line.startsWith("arrow refused: Cannot write the Arrow IPC file ")
                    && line.endsWith("set.arrow" + needs))
        .contains(
            "connect refused: Cannot connect to the feature server at http://127.0.0.1:1" + needs);
  }
}
