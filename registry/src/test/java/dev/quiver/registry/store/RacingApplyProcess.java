package dev.quiver.registry.store;

import static org.awaitility.Awaitility.await;

import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * One applier of {@link FileRegistryStoreProcessRaceTest}, run as its own JVM: plans the repo at
 * {@code args[0]} against the registry {@code args[1]}, reports that it planned by creating {@code
 * args[2]}, waits for {@code args[3]} to appear, then commits. Exit code 0: committed; 3: lost the
 * race with a conflict.
 */
public final class RacingApplyProcess {

  public static void main(String[] args) throws Exception {
    FeatureRepo repo = FeatureRepo.load(Path.of(args[0]));
    try (RegistryStore store =
        new FileRegistryStore(Path.of(args[1]), repo.config().project(), Clock.systemUTC())) {
      RegistryPlan plan = RegistryPlan.of(store.load(), repo.definitions());
      Files.createFile(Path.of(args[2]));
      // Polled often, so that the racers commit at nearly the same moment.
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(1))
          .until(() -> Files.exists(Path.of(args[3])));
      try {
        plan.apply(store, "process", null);
        System.exit(0);
      } catch (RegistryConflictException e) {
        System.exit(3);
      }
    }
  }
}
