package dev.quiver.registry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.registry.RepoFixture;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.TimeInterval;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link MaterializationLog} must do. A backend's test extends this class and supplies
 * registry stores; each call of {@link #newStore} must reach the same registry, as separate
 * processes would.
 */
public abstract class MaterializationLogContract {

  protected static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-03-02T05:00:00Z"), ZoneOffset.UTC);
  protected static final String ROCKSDB = "rocksdb:/srv/repo/data/online";
  protected static final String REDIS = "redis:redis://127.0.0.1:6379";

  private static final Instant T1 = Instant.parse("2026-03-01T00:00:00Z");
  private static final Instant T2 = Instant.parse("2026-03-02T00:00:00Z");
  private static final Instant T3 = Instant.parse("2026-03-03T00:00:00Z");
  private static final Instant T4 = Instant.parse("2026-03-04T00:00:00.000000001Z");

  @TempDir protected Path repoDir;

  /** A new store object on the registry under test, which starts empty for each test. */
  protected abstract RegistryStore newStore(Clock clock);

  protected Definitions exampleDefinitions() {
    return FeatureRepo.load(RepoFixture.valid(repoDir).root(), Map.of()).definitions();
  }

  @Test
  void anOnlineStoreNeverMaterializedIntoHasAnEmptyLog() {
    try (RegistryStore store = newStore(CLOCK)) {
      MaterializationLog log = store.materializationLog(ROCKSDB);
      assertThat(log.onlineStore()).isEqualTo(ROCKSDB);
      assertThat(log.states()).isEmpty();
      assertThat(log.description()).contains(ROCKSDB).contains(store.description());
    }
  }

  @Test
  void intervalsMergeAndTheNewestEventOnlyRises() {
    try (RegistryStore store = newStore(CLOCK)) {
      MaterializationLog log = store.materializationLog(ROCKSDB);
      Instant newest = T4.minusNanos(7); // to the nanosecond
      log.record("stats", new TimeInterval(T3, T4), newest);
      log.record("stats", new TimeInterval(T1, T2), T2.minusSeconds(1));
      log.record("other", new TimeInterval(null, T1), null);
      assertThat(log.states())
          .isEqualTo(
              Map.of(
                  "stats",
                  new MaterializationState(
                      List.of(new TimeInterval(T1, T2), new TimeInterval(T3, T4)), newest),
                  "other",
                  new MaterializationState(List.of(new TimeInterval(null, T1)), null)));

      log.record("stats", new TimeInterval(T2, T3), T3.minusSeconds(1));
      log.record("other", new TimeInterval(T1, T2), T1);
      assertThat(log.states())
          .isEqualTo(
              Map.of(
                  "stats",
                  new MaterializationState(List.of(new TimeInterval(T1, T4)), newest),
                  "other",
                  new MaterializationState(List.of(new TimeInterval(null, T2)), T1)));
    }
  }

  @Test
  void forgettingAViewLeavesTheOtherViews() {
    try (RegistryStore store = newStore(CLOCK)) {
      MaterializationLog log = store.materializationLog(ROCKSDB);
      log.record("stats", new TimeInterval(T1, T2), T2);
      log.record("other", new TimeInterval(T1, T2), null);
      log.forget("stats");
      log.forget("never_materialized");
      assertThat(log.states()).containsOnlyKeys("other");
      // Materialized again after being forgotten: it starts afresh.
      log.record("stats", new TimeInterval(T3, T4), null);
      assertThat(log.states().get("stats"))
          .isEqualTo(new MaterializationState(List.of(new TimeInterval(T3, T4)), null));
    }
  }

  @Test
  void eachOnlineStoreHasItsOwnLog() {
    try (RegistryStore store = newStore(CLOCK)) {
      MaterializationLog rocksDb = store.materializationLog(ROCKSDB);
      MaterializationLog redis = store.materializationLog(REDIS);
      rocksDb.record("stats", new TimeInterval(T1, T2), T2);
      assertThat(redis.states()).isEmpty();

      redis.record("stats", new TimeInterval(T3, T4), T4);
      redis.forget("stats");
      assertThat(redis.states()).isEmpty();
      assertThat(rocksDb.states())
          .isEqualTo(
              Map.of("stats", new MaterializationState(List.of(new TimeInterval(T1, T2)), T2)));
      assertThat(store.materializationLog("rocksdb:/srv/other/online").states()).isEmpty();
    }
  }

  @Test
  void recordsNeverMakeARegistryVersionAndCommitsKeepTheLog() {
    CommitInfo info = RegistryStoreContract.info("v");
    try (RegistryStore store = newStore(CLOCK)) {
      MaterializationLog log = store.materializationLog(ROCKSDB);
      // A log may be written before anything is committed.
      log.record("stats", new TimeInterval(T1, T2), T2);
      assertThat(store.version()).isZero();

      store.commit(0, exampleDefinitions(), info);
      log.record("stats", new TimeInterval(T2, T3), T3);
      log.forget("other");
      assertThat(store.version()).isEqualTo(1);
      assertThat(store.history()).hasSize(1);

      store.commit(
          1, RegistryStoreContract.withTtl(exampleDefinitions(), Duration.ofDays(2)), info);
      assertThat(store.version()).isEqualTo(2);
      assertThat(log.states().get("stats").intervals()).containsExactly(new TimeInterval(T1, T3));
    }
  }

  @Test
  void anotherStoreObjectReadsTheSameLog() {
    try (RegistryStore store = newStore(CLOCK)) {
      store.materializationLog(REDIS).record("stats", new TimeInterval(null, T2), T1);
    }
    try (RegistryStore other = newStore(CLOCK)) {
      assertThat(other.materializationLog(REDIS).states())
          .isEqualTo(
              Map.of("stats", new MaterializationState(List.of(new TimeInterval(null, T2)), T1)));
    }
  }

  @Test
  void aLogNeedsAnOnlineStoreIdentity() {
    try (RegistryStore store = newStore(CLOCK)) {
      assertThatThrownBy(() -> store.materializationLog(" "))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("a materialization log needs an online store identity");
    }
  }

  /**
   * Materializations of one view running at once, each in its own store object (as separate
   * processes would), record disjoint windows: every window and the newest event survive.
   */
  @Test
  void concurrentRecordsAreAllKept() throws Exception {
    int writers = 6;
    int recordsEach = 5;
    CountDownLatch ready = new CountDownLatch(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<?>> done = new ArrayList<>();
    List<TimeInterval> expected = new ArrayList<>();
    try {
      for (int w = 0; w < writers; w++) {
        int writer = w;
        for (int r = 0; r < recordsEach; r++) {
          Instant start = T1.plus(Duration.ofDays(2L * (writer * recordsEach + r)));
          expected.add(new TimeInterval(start, start.plus(Duration.ofDays(1))));
        }
        done.add(
            pool.submit(
                () -> {
                  try (RegistryStore store = newStore(CLOCK)) {
                    MaterializationLog log = store.materializationLog(ROCKSDB);
                    ready.countDown();
                    ready.await(30, TimeUnit.SECONDS);
                    for (int r = 0; r < recordsEach; r++) {
                      Instant start = T1.plus(Duration.ofDays(2L * (writer * recordsEach + r)));
                      log.record(
                          "stats",
                          new TimeInterval(start, start.plus(Duration.ofDays(1))),
                          start.plusSeconds(1));
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> writer : done) {
        writer.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    TimeInterval last = expected.get(expected.size() - 1);
    try (RegistryStore store = newStore(CLOCK)) {
      assertThat(store.materializationLog(ROCKSDB).states())
          .isEqualTo(
              Map.of(
                  "stats",
                  new MaterializationState(
                      TimeInterval.merge(expected), last.start().plusSeconds(1))));
    }
    assertThat(TimeInterval.merge(expected)).hasSize(writers * recordsEach);
  }
}
