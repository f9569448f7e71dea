package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.quiver.example.ExampleRepo;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.offline.join.JoinOptions;
import dev.quiver.offline.join.JoinProgress;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.registry.NoSuchObjectException;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every {@link FeatureStore} does, the embedded one and the remote one alike, on the example
 * repo with data up to the current hour, registered and materialized through the store itself. A
 * subclass supplies the store for a repo. What only some stores can do is asked of the {@code
 * supports...} hooks: a case that needs what the store lacks is skipped by an assumption, so the
 * report shows it as skipped, never as passed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FeatureStoreContract {

  private static final List<String> DRIVER_FEATURES =
      List.of("driver_hourly_stats:conv_rate", "driver_hourly_stats:avg_daily_trips");

  /**
   * Entity rows a chunk: the embedded store is asked for it, the remote one's server (its subclass)
   * has to be started with it.
   */
  public static final int CHUNK_ROWS = 1_000;

  protected Path repo;
  protected FeatureStore store;
  private Instant end;

  /** A store working on {@code repo}; closed by the suite. */
  protected abstract FeatureStore open(Path repo) throws Exception;

  /** Called after the store is closed. */
  protected void tearDown() throws Exception {}

  /**
   * Whether the store reproduces a training set from its manifest, which needs the repo's source
   * files at hand.
   */
  protected boolean supportsReproduce() {
    return true;
  }

  @BeforeAll
  void registerAndMaterialize() throws Exception {
    repo = Files.createTempDirectory("quiver-contract").resolve("repo");
    end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    ExampleRepo.createAt(repo, end);
    FeatureRepo loaded = FeatureRepo.load(repo, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan.of(registry.load(), loaded.definitions()).apply(registry, "test", null);
    }
    store = open(repo);
    List<Materializer.ViewResult> results =
        store.materialize(
            end.minus(Duration.ofDays(7)), end, List.of(), MaterializationProgress.NONE);
    assertThat(results).extracting(Materializer.ViewResult::view).contains("driver_hourly_stats");
  }

  @AfterAll
  void close() throws Exception {
    if (store != null) {
      store.close();
    }
    tearDown();
  }

  @Test
  void knowsItsProjectAndRegistry() {
    assertThat(store.project()).isEqualTo("driver_ranking");
    assertThat(store.registry().version()).isPositive();
    assertThat(store.registry().definitions().featureView("driver_hourly_stats")).isPresent();
    assertThat(store.refreshRegistry()).isFalse();
  }

  @Test
  void registryHistoryListsEveryCommittedVersionOldestFirst() throws Exception {
    List<dev.quiver.registry.store.HistoryEntry> committed;
    try (RegistryStore registry = RegistryStores.open(FeatureRepo.loadConfig(repo, Map.of()))) {
      committed = registry.history();
    }
    assertThat(committed).isNotEmpty();
    assertThat(store.registryHistory()).isEqualTo(committed);
    assertThat(store.registryHistory().get(committed.size() - 1).version())
        .isEqualTo(store.registry().version());
  }

  @Test
  void onlineValuesComeTypedAsTheViewDeclaresThem() {
    OnlineResponse response =
        store.onlineFeatures(
            OnlineRequest.ofFeatures(
                DRIVER_FEATURES, Map.of("driver_id", List.of(1001L, 1002L, 99_999L))));

    assertThat(response.featureNames())
        .containsExactly("driver_id", "conv_rate", "avg_daily_trips");
    assertThat(response.column("driver_id").values()).containsExactly(1001L, 1002L, 99_999L);
    OnlineResponse.Column rate = response.column("conv_rate");
    assertThat(rate.statuses())
        .containsExactly(FeatureStatus.PRESENT, FeatureStatus.PRESENT, FeatureStatus.NOT_FOUND);
    assertThat(rate.values().get(0)).isInstanceOf(Float.class);
    assertThat(response.column("avg_daily_trips").values().get(0)).isInstanceOf(Long.class);
    assertThat(rate.eventTimestamps().get(2)).isEqualTo(OnlineResponse.NO_TIME);
  }

  @Test
  void asyncLookupsAnswerAsSyncOnes() throws Exception {
    OnlineRequest request =
        OnlineRequest.ofService(
                "driver_activity_v1",
                Map.of("driver_id", List.of(1001L), "customer_id", List.of(5001L)))
            .withFullFeatureNames(true);
    assertThat(store.onlineFeaturesAsync(request).get()).isEqualTo(store.onlineFeatures(request));
  }

  @Test
  void badRequestsFailWithTheSameExceptions() {
    assertThatThrownBy(
            () ->
                store.onlineFeatures(
                    OnlineRequest.ofFeatures(
                        List.of("driver_hourly_stats:nope"), Map.of("driver_id", List.of(1L)))))
        .isInstanceOf(NoSuchObjectException.class)
        .hasMessage(
            "Cannot retrieve features: feature view 'driver_hourly_stats' has no feature 'nope'");
    assertThatThrownBy(
            () ->
                store.onlineFeatures(
                    OnlineRequest.ofFeatures(DRIVER_FEATURES, Map.of("rider", List.of(1L)))))
        .isInstanceOf(InvalidEntityException.class)
        .hasMessage(
            "Cannot read online features: the entity rows have no 'driver_id' (the join key of"
                + " entity 'driver', needed by feature view 'driver_hourly_stats')");
    assertThatThrownBy(
            () ->
                store.onlineFeatures(
                    OnlineRequest.ofFeatures(
                        DRIVER_FEATURES, Map.of("driver_id", List.<Object>of("x")))))
        .isInstanceOf(InvalidEntityException.class)
        .hasMessage(
            "Cannot read online features: entity row 1 has driver_id = 'x', which is not a valid"
                + " int64");
    assertThatThrownBy(
            () ->
                store.historicalFeatures(
                    HistoricalRequest.builder()
                        .entities(repo.resolve("data/no-such-entities.csv"))
                        .features(List.of("driver_hourly_stats:nope"))
                        .build()))
        .isInstanceOf(dev.quiver.QuiverException.class)
        .hasMessage(
            "Cannot retrieve features: feature view 'driver_hourly_stats' has no feature 'nope'");
  }

  @Test
  void pushedRowsAreReadBack() {
    Instant at = end.plusSeconds(60);
    long written =
        store.writeOnline(
            "driver_hourly_stats",
            Map.of(
                "driver_id", List.of(66_001L),
                "event_timestamp", List.of(at.toString()),
                "conv_rate", List.of(0.25),
                "acc_rate", List.of(0.5),
                "avg_daily_trips", List.of(4L)),
            at.plusSeconds(1));
    assertThat(written).isEqualTo(1);
    OnlineResponse response =
        store.onlineFeatures(
            OnlineRequest.ofFeatures(DRIVER_FEATURES, Map.of("driver_id", List.of(66_001L))));
    assertThat(response.column("conv_rate").values()).containsExactly(0.25f);
    assertThat(response.column("conv_rate").eventTimestamps()).containsExactly(at);
    assertThatThrownBy(
            () ->
                store.writeOnline(
                    "driver_hourly_stats", Map.of("driver_id", List.of(66_002L)), Instant.now()))
        .isInstanceOf(InvalidEntityException.class)
        .hasMessage(
            "Cannot write to feature view 'driver_hourly_stats': the rows lack the column(s)"
                + " event_timestamp, conv_rate, acc_rate, avg_daily_trips");
  }

  @Test
  void aPushSaysWhereItsRowsWent() {
    Instant at = end.plusSeconds(120);
    Map<String, List<Object>> row =
        Map.of(
            "driver_id", List.of(66_003L),
            "event_timestamp", List.of(at.toString()),
            "conv_rate", List.of(0.75),
            "acc_rate", List.of(0.5),
            "avg_daily_trips", List.of(2L));

    assertThat(store.push("driver_hourly_stats", row, at.plusSeconds(1), PushTarget.ONLINE))
        .as("the example's view has expect rules, which the row keeps")
        .isEqualTo(
            new PushResult(
                "driver_hourly_stats",
                PushTarget.ONLINE,
                1,
                0,
                null,
                dev.quiver.registry.rules.ValidationReport.passed(
                    "driver_hourly_stats", dev.quiver.registry.model.ValidationMode.WARN, 1)));
    // The example's source is one file: offline appends need a folder, and nothing is written.
    Map<String, List<Object>> other = new java.util.HashMap<>(row);
    other.put("driver_id", List.of(66_004L));
    assertThatThrownBy(
            () ->
                store.push(
                    "driver_hourly_stats", other, at.plusSeconds(1), PushTarget.ONLINE_AND_OFFLINE))
        .isInstanceOf(dev.quiver.registry.InvalidRequestException.class)
        .hasMessageContaining("appends need a directory");
    OnlineResponse response =
        store.onlineFeatures(
            OnlineRequest.ofFeatures(DRIVER_FEATURES, Map.of("driver_id", List.of(66_004L))));
    assertThat(response.column("conv_rate").statuses()).containsExactly(FeatureStatus.NOT_FOUND);
  }

  @Test
  void trainingSetsAndTheirFiles() throws Exception {
    Path entities = repo.getParent().resolve("entities-" + getClass().getSimpleName() + ".csv");
    Instant at = end.minus(Duration.ofHours(3));
    // An extra text column travels with the rows into the training set.
    Files.writeString(
        entities,
        "driver_id,event_timestamp,note\n1001,"
            + at
            + ",first\n1002,"
            + at
            + ",second\n99999,"
            + at
            + ",third\n");
    HistoricalRequest request =
        HistoricalRequest.builder().entities(entities).features(DRIVER_FEATURES).build();
    try (TrainingSet trainingSet = store.historicalFeatures(request)) {
      assertThat(trainingSet.table().getRowCount()).isEqualTo(3);
      assertThat(trainingSet.table().getSchema().getFields())
          .extracting(f -> f.getName())
          .containsExactly("driver_id", "event_timestamp", "note", "conv_rate", "avg_daily_trips");
      assertThat(trainingSet.table().getVector("note").getObject(1).toString()).isEqualTo("second");
      assertThat(trainingSet.manifest().outputRows()).isEqualTo(3);
      assertThat(trainingSet.table().getVector("conv_rate").isNull(0)).isFalse();
      assertThat(trainingSet.table().getVector("conv_rate").isNull(2)).isTrue();
    }
    Path output = repo.getParent().resolve("training-" + getClass().getSimpleName() + ".csv");
    DatasetManifest manifest = store.writeHistoricalFeatures(request, output);
    assertThat(manifest.output()).isEqualTo(output.toAbsolutePath());
    assertThat(Files.readAllLines(output)).hasSize(4);
    assertThat(Files.exists(DatasetManifest.pathFor(output.toAbsolutePath()))).isTrue();
  }

  @Test
  void aStreamedTrainingSetComesInPartsThatMakeUpTheWholeOne() throws Exception {
    Path entities =
        repo.getParent().resolve("many-entities-" + getClass().getSimpleName() + ".csv");
    StringBuilder csv = new StringBuilder("driver_id,event_timestamp\n");
    int rows = 4 * CHUNK_ROWS + 7;
    for (int i = 0; i < rows; i++) {
      csv.append(1001 + i % 12).append(',').append(end.minus(Duration.ofMinutes(i))).append('\n');
    }
    Files.writeString(entities, csv);
    HistoricalRequest request =
        HistoricalRequest.builder()
            .entities(entities)
            .features(DRIVER_FEATURES)
            .joinOptions(JoinOptions.defaults().withChunkRows(CHUNK_ROWS))
            .build();
    List<Integer> sizes = new ArrayList<>();
    List<List<Object>> streamed = new ArrayList<>();
    DatasetManifest manifest =
        store.streamHistoricalFeatures(
            request,
            batch -> {
              sizes.add(batch.getRowCount());
              streamed.addAll(rowsOf(batch));
            });
    assertThat(sizes).hasSizeGreaterThanOrEqualTo(5).allSatisfy(n -> assertThat(n).isPositive());
    try (TrainingSet whole = store.historicalFeatures(request)) {
      assertThat(streamed).isEqualTo(rowsOf(whole.table()));
      assertThat(manifest.outputRows()).isEqualTo(rows);
      assertThat(manifest.sources()).isEqualTo(whole.manifest().sources());
      assertThat(manifest.sourceRowsRead()).isEqualTo(whole.manifest().sourceRowsRead());
    }
    Path output = repo.getParent().resolve("streamed-" + getClass().getSimpleName() + ".csv");
    store.writeHistoricalFeatures(request, output);
    assertThat(Files.readAllLines(output)).hasSize(rows + 1);
  }

  /** A table's rows, each value as text (null stays null), for comparing training sets. */
  public static List<List<Object>> rowsOf(VectorSchemaRoot table) {
    List<List<Object>> rows = new ArrayList<>();
    for (int r = 0; r < table.getRowCount(); r++) {
      List<Object> row = new ArrayList<>();
      for (var vector : table.getFieldVectors()) {
        Object value = vector.getObject(r);
        row.add(value == null ? null : value.toString());
      }
      rows.add(row);
    }
    return rows;
  }

  @Test
  void materializedIntervalsAndTheOnlineStoreAreVisible() {
    assertThat(store.materializedIntervals()).containsKey("driver_hourly_stats");
    // The newest event time of the source's rows in the materialized window, read here.
    long from = dev.quiver.EpochNanos.of(end.minus(Duration.ofDays(7)));
    long to = dev.quiver.EpochNanos.of(end);
    long newest = Long.MIN_VALUE;
    try (var allocator = new org.apache.arrow.memory.RootAllocator();
        VectorSchemaRoot rows =
            dev.quiver.offline.io.EntityFiles.read(
                    repo.resolve("data/driver_stats.parquet"), Map.of(), allocator)
                .root();
        var times =
            dev.quiver.offline.TimestampColumns.utcNanos(
                (org.apache.arrow.vector.TimeStampVector) rows.getVector("event_timestamp"))) {
      for (int row = 0; row < rows.getRowCount(); row++) {
        if (!times.isNull(row) && !rows.getVector("driver_id").isNull(row)) {
          long at = times.get(row);
          if (at >= from && at <= to) {
            newest = Math.max(newest, at);
          }
        }
      }
    }
    assertThat(store.newestMaterializedEvents().get("driver_hourly_stats"))
        .isEqualTo(dev.quiver.EpochNanos.toInstant(newest));
    store.checkOnlineStore();
    assertThatThrownBy(
            () ->
                store.materialize(
                    end, end.minusSeconds(1), List.of(), MaterializationProgress.NONE))
        .isInstanceOf(dev.quiver.QuiverException.class)
        .hasMessage(
            "Cannot materialize: the start " + end + " is after the end " + end.minusSeconds(1));
  }

  @Test
  void reproducingATrainingSetWritesItsRowsAgain() throws Exception {
    assumeTrue(supportsReproduce(), "the store cannot reproduce training sets");
    Path entities = repo.getParent().resolve("reproduced-" + getClass().getSimpleName() + ".csv");
    Files.writeString(
        entities, "driver_id,event_timestamp\n1001," + end.minus(Duration.ofHours(2)) + "\n");
    Path first = repo.getParent().resolve("first-" + getClass().getSimpleName() + ".csv");
    DatasetManifest written =
        store.writeHistoricalFeatures(
            HistoricalRequest.builder().entities(entities).features(DRIVER_FEATURES).build(),
            first);
    Path again = repo.getParent().resolve("again-" + getClass().getSimpleName() + ".csv");
    DatasetManifest reproduced = store.reproduce(DatasetManifest.pathFor(first), again);
    assertThat(reproduced.outputRows()).isEqualTo(written.outputRows()).isEqualTo(1);
    assertThat(Files.readAllLines(again)).isEqualTo(Files.readAllLines(first));
  }

  @Test
  void aTrainingSetReportsItsProgress() throws Exception {
    Path entities = repo.getParent().resolve("progress-" + getClass().getSimpleName() + ".csv");
    Files.writeString(
        entities, "driver_id,event_timestamp\n1001," + end.minus(Duration.ofHours(2)) + "\n");
    AtomicLong total = new AtomicLong(-1);
    AtomicLong read = new AtomicLong();
    JoinProgress progress =
        new JoinProgress() {
          @Override
          public void totalSourceRows(long rows) {
            total.set(rows);
          }

          @Override
          public void sourceRowsRead(long rows) {
            read.addAndGet(rows);
          }
        };
    DatasetManifest manifest =
        store.streamHistoricalFeatures(
            HistoricalRequest.builder()
                .entities(entities)
                .features(DRIVER_FEATURES)
                .progress(progress)
                .build(),
            batch -> {});
    assertThat(manifest.sourceRowsRead()).isPositive();
    assertThat(total).as("the total, told first").hasValue(manifest.sourceRowsRead());
    assertThat(read).as("every row read, told by the end").hasValue(manifest.sourceRowsRead());
  }

  @Test
  void materializationReportsItsProgressViewByView() {
    List<String> events = new CopyOnWriteArrayList<>();
    AtomicLong rowsRead = new AtomicLong();
    MaterializationProgress progress =
        new MaterializationProgress() {
          @Override
          public void viewStarted(String view, long rows) {
            events.add("started " + view + " " + rows);
          }

          @Override
          public void rowsRead(String view, long rows) {
            rowsRead.addAndGet(rows);
          }

          @Override
          public void viewFinished(String view) {
            events.add("finished " + view);
          }
        };
    List<Materializer.ViewResult> results =
        store.materialize(
            end.minus(Duration.ofDays(1)), end, List.of("driver_hourly_stats"), progress);
    long rows = results.get(0).sourceRowsRead();
    assertThat(rows).isPositive();
    assertThat(events)
        .containsExactly("started driver_hourly_stats " + rows, "finished driver_hourly_stats");
    assertThat(rowsRead).hasValue(rows);
  }
}
