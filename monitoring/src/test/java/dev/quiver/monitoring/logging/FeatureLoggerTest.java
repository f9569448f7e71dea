package dev.quiver.monitoring.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Definitions;
import dev.quiver.sdk.FeatureStatus;
import dev.quiver.sdk.OnlineResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logger on its own: rows drawn with the service's sample rate (the same seed, the same rows),
 * and what a file holds: one row per logged row, keys and values as served, event times in
 * microseconds, null when none.
 */
class FeatureLoggerTest {

  @TempDir Path repo;

  @Test
  void samplesRowsWithTheServiceRateReproduciblyFromItsSeed() throws Exception {
    Definitions definitions = definitions("0.25");
    long seed = new SplittableRandom().nextLong();
    System.out.println("FeatureLoggerTest seed " + seed);
    int rows = 2000;
    long first = logged(definitions, seed, rows, repo.resolve("a"));
    long second = logged(definitions, seed, rows, repo.resolve("b"));
    // Binomial(2000, 0.25): mean 500, standard deviation 19.4; 5 deviations either side.
    assertThat(first).as("seed " + seed).isBetween(403L, 597L);
    assertThat(second).as("seed " + seed).isEqualTo(first);
    assertThat(count(repo.resolve("a"))).isEqualTo(first);
  }

  @Test
  void writesEachServedRowWithItsStatusAndEventTime() throws Exception {
    Definitions definitions = definitions("1");
    Instant answered = Instant.parse("2026-11-30T12:00:00.123456789Z");
    Instant event = Instant.parse("2026-11-30T11:00:00Z");
    OnlineResponse response =
        new OnlineResponse(
            List.of("driver_id", "conv_rate"),
            List.of(
                new OnlineResponse.Column(
                    List.of(1001L, 1002L),
                    List.of(FeatureStatus.PRESENT, FeatureStatus.PRESENT),
                    List.of(OnlineResponse.NO_TIME, OnlineResponse.NO_TIME)),
                new OnlineResponse.Column(
                    java.util.Arrays.asList(0.5f, null),
                    List.of(FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND),
                    List.of(event, OnlineResponse.NO_TIME))));
    Path folder = repo.resolve("logs");
    try (FeatureLogger logger =
        new FeatureLogger(s -> folder.resolve(s), LogSettings.defaults(), Clock.systemUTC())) {
      assertThat(logger.offer(new ServedRows("ranking", definitions, answered, response))).isTrue();
    }
    List<Path> files = FeatureLogs.files(folder.resolve("ranking"), null);
    assertThat(files).hasSize(1);
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot table = FeatureLogs.read(files.get(0), null, allocator)) {
      assertThat(table.getSchema().getFields().stream().map(f -> f.getName()).toList())
          .containsExactly(
              "request_id",
              "request_time",
              "driver_id",
              "stats__conv_rate",
              "stats__conv_rate__status",
              "stats__conv_rate__event_time");
      assertThat(table.getRowCount()).isEqualTo(2);
      assertThat(table.getVector("driver_id").getObject(1)).isEqualTo(1002L);
      assertThat(table.getVector("stats__conv_rate").getObject(0)).isEqualTo(0.5f);
      assertThat(table.getVector("stats__conv_rate").isNull(1)).isTrue();
      assertThat(table.getVector("stats__conv_rate__status").getObject(1)).hasToString("NOT_FOUND");
      assertThat(table.getVector("stats__conv_rate__event_time").getObject(0))
          .isEqualTo(event.getEpochSecond() * 1_000_000L);
      assertThat(table.getVector("stats__conv_rate__event_time").isNull(1)).isTrue();
      assertThat(table.getVector("request_time").getObject(0))
          .isEqualTo(answered.getEpochSecond() * 1_000_000L + 123_456L);
      assertThat(table.getVector("request_time").getField().getType())
          .isEqualTo(FeatureLogSchema.MICROS_UTC);
      assertThat(table.getVector("request_id").getObject(0))
          .isEqualTo(table.getVector("request_id").getObject(1));
    }
  }

  @Test
  void dropsARequestThatWouldGoOverTheQueuedRows() throws Exception {
    Definitions definitions = definitions("1");
    Path folder = repo.resolve("logs");
    try (FeatureLogger logger =
        new FeatureLogger(
            s -> folder.resolve(s), LogSettings.defaults().withQueueRows(99), Clock.systemUTC())) {
      assertThat(logger.offer(served(definitions, rows(100)))).isFalse();
      assertThat(logger.counts("ranking").dropped()).isEqualTo(100);
      assertThat(logger.offer(served(definitions, rows(10)))).isTrue();
      logger.flush();
      assertThat(logger.counts("ranking").logged()).isEqualTo(10);
      assertThat(logger.counts("ranking").dropped()).isEqualTo(100);
    }
    assertThat(count(folder)).isEqualTo(10);
  }

  @Test
  void countsARowThatCannotBeWrittenAsLostAndKeepsTheFile() throws Exception {
    Definitions definitions = definitions("1");
    Path folder = repo.resolve("logs");
    // A response whose feature column lacks the event time of its middle row: that row cannot be
    // written.
    OnlineResponse response =
        new OnlineResponse(
            List.of("driver_id", "conv_rate"),
            List.of(
                new OnlineResponse.Column(
                    List.of(1L, 2L, 3L),
                    Collections.nCopies(3, FeatureStatus.PRESENT),
                    Collections.nCopies(3, OnlineResponse.NO_TIME)),
                new OnlineResponse.Column(
                    rows(3),
                    Collections.nCopies(3, FeatureStatus.PRESENT),
                    new ArrayList<Instant>(Collections.nCopies(3, Instant.EPOCH)) {
                      @Override
                      public Instant get(int index) {
                        if (index == 1) {
                          throw new IllegalStateException("a row that cannot be written");
                        }
                        return super.get(index);
                      }
                    })));
    FeatureLogger logger =
        new FeatureLogger(s -> folder.resolve(s), LogSettings.defaults(), Clock.systemUTC());
    try (logger) {
      assertThat(logger.offer(new ServedRows("ranking", definitions, Instant.now(), response)))
          .isTrue();
      logger.flush();
    }
    assertThat(logger.counts("ranking").logged()).isEqualTo(2);
    assertThat(logger.counts("ranking").lost()).isEqualTo(1);
    assertThat(count(folder)).isEqualTo(2);
  }

  @Test
  void countsTheRowsOfAFileThatCannotBeWrittenAsLostNotLogged() throws Exception {
    Definitions definitions = definitions("1");
    Path notAFolder = Files.writeString(repo.resolve("file"), "a file, not a folder");
    FeatureLogger logger =
        new FeatureLogger(s -> notAFolder.resolve(s), LogSettings.defaults(), Clock.systemUTC());
    try (logger) {
      assertThat(logger.offer(served(definitions, rows(5)))).isTrue();
      assertThat(logger.offer(served(definitions, rows(7)))).isTrue();
      logger.flush();
    }
    assertThat(logger.counts("ranking").logged()).isZero();
    assertThat(logger.counts("ranking").lost()).isEqualTo(12);
  }

  @Test
  void closeWritesOrCountsAsDroppedEveryRowOfferedWhileClosing() throws Exception {
    Definitions definitions = definitions("1");
    for (int round = 0; round < 20; round++) {
      Path folder = repo.resolve("race-" + round);
      FeatureLogger logger =
          new FeatureLogger(s -> folder.resolve(s), LogSettings.defaults(), Clock.systemUTC());
      ServedRows one = served(definitions, rows(1));
      java.util.concurrent.atomic.AtomicLong offered = new java.util.concurrent.atomic.AtomicLong();
      java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(4);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Thread thread =
            new Thread(
                () -> {
                  started.countDown();
                  for (int i = 0; i < 2000; i++) {
                    logger.offer(one);
                    offered.incrementAndGet();
                  }
                });
        thread.start();
        threads.add(thread);
      }
      started.await();
      logger.close();
      for (Thread thread : threads) {
        thread.join();
      }
      FeatureLogger.Counts counts = logger.counts("ranking");
      assertThat(counts.lost()).isZero();
      assertThat(counts.logged() + counts.dropped()).as("round " + round).isEqualTo(offered.get());
      assertThat(count(folder)).as("round " + round).isEqualTo(counts.logged());
    }
  }

  private static List<Object> rows(int count) {
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      values.add((float) i);
    }
    return values;
  }

  private static ServedRows served(Definitions definitions, List<Object> values) {
    int n = values.size();
    List<Object> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add(1000L + i);
    }
    OnlineResponse response =
        new OnlineResponse(
            List.of("driver_id", "conv_rate"),
            List.of(
                new OnlineResponse.Column(
                    keys,
                    Collections.nCopies(n, FeatureStatus.PRESENT),
                    Collections.nCopies(n, OnlineResponse.NO_TIME)),
                new OnlineResponse.Column(
                    values,
                    Collections.nCopies(n, FeatureStatus.PRESENT),
                    Collections.nCopies(n, Instant.parse("2026-11-30T11:00:00Z")))));
    return new ServedRows("ranking", definitions, Instant.now(), response);
  }

  private long logged(Definitions definitions, long seed, int rows, Path folder) throws Exception {
    List<Object> keys = new ArrayList<>();
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      keys.add(1000L + i);
      values.add((float) i);
    }
    OnlineResponse response =
        new OnlineResponse(
            List.of("driver_id", "conv_rate"),
            List.of(
                new OnlineResponse.Column(
                    keys,
                    Collections.nCopies(100, FeatureStatus.PRESENT),
                    Collections.nCopies(100, OnlineResponse.NO_TIME)),
                new OnlineResponse.Column(
                    values,
                    Collections.nCopies(100, FeatureStatus.PRESENT),
                    Collections.nCopies(100, Instant.parse("2026-11-30T11:00:00Z")))));
    try (FeatureLogger logger =
        new FeatureLogger(
            s -> folder.resolve(s), LogSettings.defaults().withSeed(seed), Clock.systemUTC())) {
      for (int request = 0; request < rows / 100; request++) {
        assertThat(logger.offer(new ServedRows("ranking", definitions, Instant.now(), response)))
            .isTrue();
      }
      logger.flush();
      return logger.counts("ranking").logged();
    }
  }

  private static long count(Path folder) {
    long rows = 0;
    try (RootAllocator allocator = new RootAllocator()) {
      for (Path file : FeatureLogs.files(folder.resolve("ranking"), null)) {
        try (VectorSchemaRoot table = FeatureLogs.read(file, null, allocator)) {
          rows += table.getRowCount();
        }
      }
    }
    return rows;
  }

  private Definitions definitions(String rate) throws Exception {
    Path root = repo.resolve("repo-" + rate);
    Files.createDirectories(root);
    Files.writeString(root.resolve("feature_store.yaml"), "project: p\n");
    Files.writeString(
        root.resolve("defs.yaml"),
        """
        entities:
          - {name: driver, join_key: driver_id, type: int64}
        sources:
          - {name: stats_source, path: data/stats.parquet, timestamp_field: ts}
        feature_views:
          - name: stats
            entities: [driver]
            source: stats_source
            features: [{name: conv_rate, type: float32}]
        feature_services:
          - name: ranking
            features: [stats]
            logging: {sample_rate: %s}
        """
            .formatted(rate));
    return FeatureRepo.load(root, Map.of()).definitions();
  }
}
