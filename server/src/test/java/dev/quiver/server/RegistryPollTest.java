package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.quiver.cli.CliRun;
import dev.quiver.example.ExampleRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The registry poll, a task on Micronaut's scheduler, picks up applies and survives failures. */
class RegistryPollTest {

  @TempDir Path dir;

  @Test
  void aFailingCheckIsLoggedOnceAndTheNextApplyIsServedByTheScheduledPoll() throws Exception {
    Path repo = dir.resolve("repo");
    ExampleRepo.copyDefinitionsTo(repo);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    Logger log = (Logger) LoggerFactory.getLogger(FeatureService.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    // A reload is logged at INFO (it is normal); the failure at WARN.
    ch.qos.logback.classic.Level level = log.getLevel();
    log.setLevel(ch.qos.logback.classic.Level.INFO);
    try (QuiverServer server =
        QuiverServer.start(
            repo,
            0,
            Map.of("quiver.server.flight-port", 0, "quiver.server.registry-poll", "50ms"))) {
      long before = server.features().store().registry().version();
      Path registry = repo.resolve("data/registry.json");
      String good = Files.readString(registry);

      Files.writeString(registry, "{not json");
      await().atMost(Duration.ofSeconds(10)).until(() -> failedChecks(events).size() == 1);
      // Later polls fail too, without a word more.
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(2))
          .until(() -> failedChecks(events).size() == 1);
      assertThat(failedChecks(events).get(0).getFormattedMessage())
          .startsWith("Cannot check the registry for a new version: Cannot read the registry");

      Files.writeString(registry, good);
      Path entities = repo.resolve("entities.yaml");
      Files.writeString(
          entities,
          Files.readString(entities)
              .replace(
                  "description: A driver of the ride-hailing fleet",
                  "description: A driver, renamed while the server ran"));
      CliRun apply = quiver("apply", "--repo", repo.toString());
      assertThat(apply.exitCode()).as(apply.err()).isZero();

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> server.features().store().registry().version() == before + 1);
      ILoggingEvent serving =
          logged(events).stream()
              .filter(e -> e.getFormattedMessage().startsWith("Now serving registry version"))
              .findFirst()
              .orElseThrow();
      assertThat(serving.getFormattedMessage())
          .isEqualTo("Now serving registry version " + (before + 1));
      assertThat(serving.getThreadName()).startsWith("scheduled-executor-thread");
    } finally {
      log.detachAppender(events);
      log.setLevel(level);
    }
  }

  /** What was logged so far; the appender adds under its own lock, on the poll's thread. */
  private static List<ILoggingEvent> logged(ListAppender<ILoggingEvent> events) {
    synchronized (events) {
      return List.copyOf(events.list);
    }
  }

  private static List<ILoggingEvent> failedChecks(ListAppender<ILoggingEvent> events) {
    return logged(events).stream()
        .filter(e -> e.getFormattedMessage().startsWith("Cannot check the registry"))
        .toList();
  }
}
