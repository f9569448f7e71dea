package dev.quiver.registry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.RepoFixture;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link RegistryStore} must do. A backend's test extends this class and supplies
 * stores; each call of {@link #newStore} must reach the same registry, as separate processes would.
 */
public abstract class RegistryStoreContract {

  protected static final Instant NOW = Instant.parse("2026-03-02T05:00:00.123456Z");
  protected static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir protected Path repoDir;

  /** A new store object on the registry under test, which starts empty for each test. */
  protected abstract RegistryStore newStore(Clock clock);

  protected Definitions exampleDefinitions() {
    return FeatureRepo.load(RepoFixture.valid(repoDir).root(), Map.of()).definitions();
  }

  static Definitions withTtl(Definitions definitions, Duration ttl) {
    List<FeatureView> views = new ArrayList<>();
    for (FeatureView view : definitions.featureViews()) {
      views.add(
          FeatureView.builder(view.name())
              .entities(view.entities())
              .source(view.source())
              .ttl(ttl)
              .online(view.online())
              .features(view.features())
              .description(view.description())
              .owner(view.owner())
              .tags(view.tags())
              .build());
    }
    return new Definitions(
        definitions.entities(), definitions.sources(), views, definitions.featureServices());
  }

  static CommitInfo info(String... changes) {
    return new CommitInfo("alice", "0123456789abcdef0123456789abcdef01234567", List.of(changes));
  }

  @Test
  void anEmptyRegistryIsAtVersionZero() {
    try (RegistryStore store = newStore(CLOCK)) {
      RegistrySnapshot snapshot = store.load();
      assertThat(snapshot.version()).isZero();
      assertThat(store.version()).isZero();
      assertThat(snapshot.definitions().isEmpty()).isTrue();
      assertThat(store.history()).isEmpty();
    }
  }

  @Test
  void aCommitRoundTripsTheDefinitions() {
    Definitions definitions = exampleDefinitions();
    try (RegistryStore store = newStore(CLOCK)) {
      HistoryEntry entry = store.commit(0, definitions, info("create entity driver"));
      assertThat(entry.version()).isEqualTo(1);
    }
    try (RegistryStore other = newStore(CLOCK)) {
      assertThat(other.version()).isEqualTo(1);
      RegistrySnapshot snapshot = other.load();
      assertThat(snapshot.version()).isEqualTo(1);
      assertThat(CanonicalForm.of(snapshot.definitions())).isEqualTo(CanonicalForm.of(definitions));
    }
  }

  @Test
  void onDemandViewsRoundTripAndARollbackRestoresThem() {
    Definitions without = exampleDefinitions();
    Definitions with =
        FeatureRepo.load(
                RepoFixture.valid(repoDir)
                    .write(
                        "risk.yaml",
                        """
                        on_demand_feature_views:
                          - name: risk
                            inputs: [driver_hourly_stats]
                            request: [{name: amount, type: float64}]
                            features:
                              - name: ratio
                                type: float64
                                expression: "amount / (double(driver_hourly_stats.avg_daily_trips) + 1.0)"
                            tags: {team: risk}
                        """)
                    .root(),
                Map.of())
            .definitions();
    try (RegistryStore store = newStore(CLOCK)) {
      store.commit(0, with, info("create on-demand feature view risk"));
      store.commit(1, without, info("delete on-demand feature view risk"));
      store.commit(
          2,
          store.definitionsAt(1).orElseThrow(),
          new CommitInfo("carol", null, List.of("create on-demand feature view risk"), 1L));
    }
    try (RegistryStore other = newStore(CLOCK)) {
      assertThat(other.load().definitions().onDemandFeatureView("risk").orElseThrow().features())
          .isEqualTo(with.onDemandFeatureView("risk").orElseThrow().features());
      assertThat(CanonicalForm.of(other.load().definitions())).isEqualTo(CanonicalForm.of(with));
      assertThat(other.definitionsAt(2).orElseThrow().onDemandFeatureViews()).isEmpty();
      assertThat(other.definitionsAt(1).map(CanonicalForm::of)).contains(CanonicalForm.of(with));
    }
  }

  @Test
  void historyKeepsEveryVersionWithItsAuthorCommitAndChanges() {
    Definitions first = exampleDefinitions();
    Clock later = Clock.offset(CLOCK, Duration.ofMinutes(5));
    try (RegistryStore store = newStore(CLOCK)) {
      store.commit(0, first, info("create entity driver", "create entity customer"));
    }
    try (RegistryStore store = newStore(later)) {
      store.commit(
          1,
          withTtl(first, Duration.ofDays(2)),
          new CommitInfo("bob", null, List.of("update feature view v: ttl 1d -> 2d")));
      assertThat(store.history())
          .containsExactly(
              new HistoryEntry(
                  1,
                  Instant.parse("2026-03-02T05:00:00.123Z"),
                  "alice",
                  "0123456789abcdef0123456789abcdef01234567",
                  List.of("create entity driver", "create entity customer")),
              new HistoryEntry(
                  2,
                  Instant.parse("2026-03-02T05:05:00.123Z"),
                  "bob",
                  null,
                  List.of("update feature view v: ttl 1d -> 2d")));
      assertThat(store.load().definitions().featureViews().get(0).ttl())
          .isEqualTo(Duration.ofDays(2));
    }
  }

  @Test
  void everyVersionsDefinitionsAreKeptAndARollbackNamesTheVersionItRestored() {
    Definitions first = exampleDefinitions();
    Definitions second = withTtl(first, Duration.ofDays(2));
    try (RegistryStore store = newStore(CLOCK)) {
      assertThat(store.definitionsAt(1)).isEmpty();
      store.commit(0, first, info("create all"));
      store.commit(1, second, info("update feature view v: ttl 1d -> 2d"));
      store.commit(
          2,
          store.definitionsAt(1).orElseThrow(),
          new CommitInfo("carol", null, List.of("update feature view v: ttl 2d -> 1d"), 1L));
    }
    try (RegistryStore store = newStore(CLOCK)) {
      assertThat(store.definitionsAt(1).map(CanonicalForm::of)).contains(CanonicalForm.of(first));
      assertThat(store.definitionsAt(2).map(CanonicalForm::of)).contains(CanonicalForm.of(second));
      assertThat(store.definitionsAt(3).map(CanonicalForm::of)).contains(CanonicalForm.of(first));
      assertThat(store.definitionsAt(4)).isEmpty();
      assertThat(store.definitionsAt(0)).isEmpty();
      assertThat(store.history())
          .extracting(HistoryEntry::version, HistoryEntry::restoredVersion)
          .containsExactly(Tuple.tuple(1L, null), Tuple.tuple(2L, null), Tuple.tuple(3L, 1L));
      assertThat(CanonicalForm.of(store.load().definitions())).isEqualTo(CanonicalForm.of(first));
    }
  }

  @Test
  void aRollbackPlannedBeforeAnotherCommitIsRefusedAndWritesNothing() {
    Definitions first = exampleDefinitions();
    try (RegistryStore store = newStore(CLOCK)) {
      store.commit(0, first, info("create all"));
      store.commit(1, withTtl(first, Duration.ofDays(2)), info("ttl 2d"));
      RegistryPlan rollback = RegistryPlan.of(store.load(), store.definitionsAt(1).orElseThrow());
      Definitions third = withTtl(first, Duration.ofDays(3));
      store.commit(2, third, info("ttl 3d"));

      assertThatThrownBy(() -> rollback.restore(store, "carol", null, 1))
          .isInstanceOf(RegistryConflictException.class)
          .hasMessageContaining("version 2")
          .hasMessageContaining("version 3");
      assertThat(store.version()).isEqualTo(3);
      assertThat(CanonicalForm.of(store.load().definitions())).isEqualTo(CanonicalForm.of(third));
    }
  }

  @Test
  void aCommitAgainstAStaleVersionIsRefusedAndWritesNothing() {
    Definitions definitions = exampleDefinitions();
    try (RegistryStore store = newStore(CLOCK)) {
      store.commit(0, definitions, info("first"));

      assertThatThrownBy(() -> store.commit(0, withTtl(definitions, Duration.ZERO), info("late")))
          .isInstanceOf(RegistryConflictException.class)
          .hasMessageContaining(
              "it is at version 1, but this change was planned against version 0 (another apply"
                  + " committed in between); nothing was written, plan and apply again");

      assertThat(store.load().version()).isEqualTo(1);
      assertThat(store.load().definitions().featureViews().get(0).ttl())
          .isEqualTo(Duration.ofDays(1));
      assertThat(store.history()).hasSize(1);
    }
  }

  @Test
  void ofRacingAppliesExactlyOneCommits() throws Exception {
    Definitions base = exampleDefinitions();
    try (RegistryStore store = newStore(CLOCK)) {
      store.commit(0, base, info("base"));
    }
    race(base, 1);
  }

  @Test
  void ofRacingFirstAppliesToAnEmptyRegistryExactlyOneCommits() throws Exception {
    race(exampleDefinitions(), 0);
  }

  /** Several appliers plan against {@code baseVersion}, then all commit at once. */
  private void race(Definitions base, long baseVersion) throws Exception {
    int racers = 4;
    CountDownLatch planned = new CountDownLatch(racers);
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    List<Future<Long>> results = new ArrayList<>();
    try {
      for (int i = 0; i < racers; i++) {
        Duration ttl = Duration.ofHours(i + 1);
        Callable<Long> apply =
            () -> {
              try (RegistryStore store = newStore(CLOCK)) {
                RegistryPlan plan = RegistryPlan.of(store.load(), withTtl(base, ttl));
                planned.countDown();
                // Every racer has planned against the same version before any of them commits.
                planned.await(30, TimeUnit.SECONDS);
                return plan.apply(store, "racer", null).version();
              }
            };
        results.add(pool.submit(apply));
      }
      int committed = 0;
      int conflicts = 0;
      for (Future<Long> result : results) {
        try {
          assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(baseVersion + 1);
          committed++;
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause())
              .isInstanceOf(RegistryConflictException.class)
              .hasMessageStartingWith("Cannot commit to the ")
              .hasMessageEndingWith(
                  ": it is at version "
                      + (baseVersion + 1)
                      + ", but this change was planned against version "
                      + baseVersion
                      + " (another apply committed in between); nothing was written, plan and"
                      + " apply again");
          conflicts++;
        }
      }
      assertThat(committed).isEqualTo(1);
      assertThat(conflicts).isEqualTo(racers - 1);
    } finally {
      pool.shutdownNow();
    }
    try (RegistryStore store = newStore(CLOCK)) {
      assertThat(store.load().version()).isEqualTo(baseVersion + 1);
      assertThat(store.history()).hasSize((int) baseVersion + 1);
    }
  }
}
