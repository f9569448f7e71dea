package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiver.example.ExampleRepo;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.TimeInterval;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import dev.quiver.registry.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store on a PostgreSQL registry: one connection pool from open to close (the server
 * polls the registry every two seconds through it), and a materialization log per online store.
 */
class PostgresRegistryFeatureStoreTest {

  private static final Instant END = Instant.parse("2026-03-08T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(END.plusSeconds(3600), ZoneOffset.UTC);
  private static final List<String> HOURLY_STATS = List.of("driver_hourly_stats");

  @TempDir Path repo;
  private final String project = TestPostgres.uniqueProject("sdk");
  private final String applicationName = TestPostgres.uniqueProject("sdk_pool");

  @BeforeAll
  static void requirePostgres() {
    TestPostgres.require();
  }

  @BeforeEach
  void exampleRepoOnPostgres() throws IOException {
    ExampleRepo.createAt(repo);
    useOnlineStore("data/online-a");
    FeatureRepo loaded = FeatureRepo.load(repo, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan.of(registry.load(), loaded.definitions()).apply(registry, "test", null);
    }
  }

  @AfterEach
  void dropProject() throws SQLException {
    TestPostgres.deleteRegistry(project);
  }

  private void useOnlineStore(String path) throws IOException {
    Files.writeString(
        repo.resolve("feature_store.yaml"),
        "project: "
            + project
            + "\nregistry: {type: postgres, url: \""
            + TestPostgres.urlWith("ApplicationName=" + applicationName)
            + "\"}\nonline_store: {type: rocksdb, path: "
            + path
            + "}\n");
  }

  private FeatureStore open() {
    return FeatureStore.open(repo, FeatureStoreOptions.defaults().withClock(CLOCK));
  }

  @Test
  void aStoreKeepsAFewRegistryConnectionsFromOpenToClose() throws SQLException {
    try (FeatureStore store = open()) {
      store.materializeIncremental(END, HOURLY_STATS, MaterializationProgress.NONE);
      for (int poll = 0; poll < 20; poll++) {
        assertThat(store.refreshRegistry()).isFalse();
        assertThat(store.materializationStates()).containsOnlyKeys("driver_hourly_stats");
      }
      // A connection per call would leave none open between calls.
      assertThat(TestPostgres.connectionsNamed(applicationName)).isBetween(1, 4);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(TestPostgres.connectionsNamed(applicationName)).isZero());
  }

  @Test
  void anotherOnlineStoreStartsFromAnEmptyLogAndIsFilledIncrementally() throws IOException {
    List<Materializer.ViewResult> first;
    try (FeatureStore store = open()) {
      first = store.materializeIncremental(END, HOURLY_STATS, MaterializationProgress.NONE);
      assertThat(first.get(0).rowsWritten()).isPositive();
    }
    useOnlineStore("data/online-b");
    try (FeatureStore store = open()) {
      assertThat(store.materializationStates()).isEmpty();
      List<Materializer.ViewResult> second =
          store.materializeIncremental(END, HOURLY_STATS, MaterializationProgress.NONE);
      assertThat(second.get(0).interval())
          .isEqualTo(new TimeInterval(END.minus(Duration.ofDays(1)), END));
      assertThat(second.get(0).rowsWritten()).isEqualTo(first.get(0).rowsWritten());
      OnlineResponse response =
          store.onlineFeatures(
              OnlineRequest.ofFeatures(
                  List.of("driver_hourly_stats:avg_daily_trips"),
                  Map.of("driver_id", List.of(1001L, 1002L))));
      assertThat(response.column("avg_daily_trips").statuses())
          .containsExactly(FeatureStatus.PRESENT, FeatureStatus.PRESENT);
    }
  }
}
