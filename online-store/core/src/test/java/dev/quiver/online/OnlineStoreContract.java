package dev.quiver.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.quiver.online.OnlineStoreFactory.Capability;
import dev.quiver.online.tiles.TileBody;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.online.tiles.TileOutput;
import dev.quiver.online.tiles.TileSet;
import dev.quiver.online.tiles.TileSets;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.Aggregation;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.StoreConfig;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link OnlineStore} must do. A backend's test extends this class and names its factory
 * and configuration; the cases open stores through the factory. What only some backends can do is
 * asked of capability hooks (the factory's declared {@link Capability capabilities}, and the {@code
 * supports...} methods for mix-ins and read-only access): a case that needs what the backend lacks
 * is skipped by an assumption, so the report shows it as skipped, never as passed.
 */
public abstract class OnlineStoreContract {

  protected static final List<Feature> FEATURES =
      List.of(
          Feature.of("rate", ValueType.scalar(ScalarType.FLOAT64)),
          Feature.of("trips", ValueType.scalar(ScalarType.INT64)));

  private final List<OnlineStore> opened = new ArrayList<>();

  /** The factory of the backend under test. */
  protected abstract OnlineStoreFactory factory();

  /**
   * The {@code online_store} configuration of the backend under test, the same for every store a
   * test opens: stores of one test share their data when the type is {@link Capability#DURABLE}.
   */
  protected abstract StoreConfig config();

  /** Whether the backend's stores implement {@link SupportsBulkWrite}. */
  protected boolean supportsBulkWrite() {
    return true;
  }

  /** Whether the backend's stores implement {@link SupportsTiles}. */
  protected boolean supportsTiles() {
    return true;
  }

  /** Whether the backend's stores implement {@link SupportsRowCount}. */
  protected boolean supportsRowCount() {
    return true;
  }

  /**
   * Whether a store opened {@link OnlineStores.Access#READ_ONLY read-only} reads the rows of a
   * store open for writing, and refuses writes.
   */
  protected boolean supportsReadOnlyAccess() {
    return false;
  }

  /** A store of {@code project} on the backend under test, empty at the start of each test. */
  protected OnlineStore newStore(String project, OnlineStores.Access access) {
    return factory().open(config(), projectConfig(project), access);
  }

  /** {@code project}'s repo configuration with {@link #config()} as its online store. */
  protected ProjectConfig projectConfig(String project) {
    StoreConfig file = new StoreConfig("file", Map.of(), null);
    return new ProjectConfig(project, file, config(), file, Path.of("").toAbsolutePath());
  }

  protected OnlineStore open(String project) {
    return open(project, OnlineStores.Access.READ_WRITE);
  }

  protected OnlineStore open(String project, OnlineStores.Access access) {
    OnlineStore store = newStore(project, access);
    opened.add(store);
    return store;
  }

  private boolean declares(Capability capability) {
    return factory().capabilities().contains(capability);
  }

  @AfterEach
  void closeStores() {
    opened.forEach(OnlineStore::close);
  }

  protected static byte[] key(long driver) {
    return EntityKeyCodec.encode(
        Map.of("driver_id", driver), Map.of("driver_id", ScalarType.INT64));
  }

  protected static byte[] row(long eventTs, long createdTs, double rate, long trips) {
    Map<String, Object> values = new HashMap<>();
    values.put("rate", rate);
    values.put("trips", trips);
    return ValueCodec.encode(new OnlineRow(eventTs, createdTs, values), FEATURES);
  }

  private static Object rate(byte[] encoded) {
    return ValueCodec.decode(encoded).value(FEATURES.get(0)).orElseThrow().orElse(null);
  }

  @Test
  void readsBackWhatWasWrittenAndNullForMissingKeys() {
    OnlineStore store = open("rides");
    assertThat(store.write("stats", List.of(new OnlineStore.Record(key(1), row(10, 0, 0.5, 3)))))
        .isEqualTo(1);

    List<byte[]> rows =
        store.read(
            List.of(new OnlineStore.Key("stats", key(1)), new OnlineStore.Key("stats", key(2))));

    assertThat(rows).hasSize(2);
    assertThat(rate(rows.get(0))).isEqualTo(0.5);
    assertThat(rows.get(1)).isNull();
  }

  @Test
  void aRowReplacesTheStoredOneOnlyWhenNewer() {
    OnlineStore store = open("rides");
    store.write("stats", List.of(new OnlineStore.Record(key(1), row(10, 5, 1.0, 1))));

    assertThat(store.write("stats", List.of(new OnlineStore.Record(key(1), row(9, 99, 2.0, 2)))))
        .as("older event time")
        .isZero();
    assertThat(store.write("stats", List.of(new OnlineStore.Record(key(1), row(10, 5, 3.0, 3)))))
        .as("the same event and created time")
        .isZero();
    assertThat(
            store.write(
                "stats",
                List.of(new OnlineStore.Record(key(1), row(10, OnlineRow.NO_CREATED, 4.0, 4)))))
        .as("no created time loses")
        .isZero();
    assertThat(rate(store.read(List.of(new OnlineStore.Key("stats", key(1)))).get(0)))
        .isEqualTo(1.0);

    assertThat(store.write("stats", List.of(new OnlineStore.Record(key(1), row(10, 6, 5.0, 5)))))
        .as("a later created time")
        .isEqualTo(1);
    assertThat(store.write("stats", List.of(new OnlineStore.Record(key(1), row(11, 0, 6.0, 6)))))
        .as("a later event time")
        .isEqualTo(1);
    assertThat(rate(store.read(List.of(new OnlineStore.Key("stats", key(1)))).get(0)))
        .isEqualTo(6.0);
  }

  @Test
  void aRowWithTheSameTimesButAnotherFeatureSetReplacesTheStoredOne() {
    OnlineStore store = open("rides");
    store.write("stats", List.of(new OnlineStore.Record(key(1), row(10, 5, 1.0, 1))));
    List<Feature> grown =
        List.of(
            FEATURES.get(0),
            FEATURES.get(1),
            Feature.of("rating", ValueType.scalar(ScalarType.INT32)));
    byte[] backfilled =
        ValueCodec.encode(
            new OnlineRow(10, 5, Map.of("rate", 1.0, "trips", 1L, "rating", 4)), grown);

    assertThat(store.write("stats", List.of(new OnlineStore.Record(key(1), backfilled))))
        .as("the view gained a feature since the row was written")
        .isEqualTo(1);
    assertThat(
            ValueCodec.decode(store.read(List.of(new OnlineStore.Key("stats", key(1)))).get(0))
                .value(grown.get(2)))
        .contains(java.util.Optional.of(4));
    assertThat(store.write("stats", List.of(new OnlineStore.Record(key(1), backfilled))))
        .as("the same row again")
        .isZero();
  }

  @Test
  void withinOneBatchTheNewestRowOfAKeyWins() {
    OnlineStore store = open("rides");
    store.write(
        "stats",
        List.of(
            new OnlineStore.Record(key(1), row(12, 0, 1.0, 1)),
            new OnlineStore.Record(key(1), row(14, 0, 2.0, 2)),
            new OnlineStore.Record(key(1), row(13, 0, 3.0, 3))));
    assertThat(rate(store.read(List.of(new OnlineStore.Key("stats", key(1)))).get(0)))
        .isEqualTo(2.0);
  }

  @Test
  void bulkWritesEqualPlainWritesIntoEmptyAndFilledViews() {
    assumeTrue(supportsBulkWrite(), "the backend has no bulk writes");
    OnlineStore store = open("rides");
    assertThat(store).isInstanceOf(SupportsBulkWrite.class);
    SupportsBulkWrite bulk = (SupportsBulkWrite) store;
    List<OnlineStore.Record> sorted = new ArrayList<>();
    for (long k = 0; k < 5; k++) {
      sorted.add(new OnlineStore.Record(key(k), row(10, 0, k, k)));
    }
    assertThat(bulk.writeSorted("stats", sorted.iterator())).isEqualTo(5);
    assertThat(rate(store.read(List.of(new OnlineStore.Key("stats", key(3)))).get(0)))
        .isEqualTo(3.0);

    // Into a view with rows: newer-wins still decides.
    List<OnlineStore.Record> mixed =
        List.of(
            new OnlineStore.Record(key(1), row(9, 0, 100.0, 1)),
            new OnlineStore.Record(key(2), row(11, 0, 200.0, 2)),
            new OnlineStore.Record(key(7), row(1, 0, 700.0, 7)));
    assertThat(bulk.writeSorted("stats", mixed.iterator())).isEqualTo(2);
    List<byte[]> rows =
        store.read(
            List.of(
                new OnlineStore.Key("stats", key(1)),
                new OnlineStore.Key("stats", key(2)),
                new OnlineStore.Key("stats", key(7))));
    assertThat(rate(rows.get(0))).isEqualTo(1.0);
    assertThat(rate(rows.get(1))).isEqualTo(200.0);
    assertThat(rate(rows.get(2))).isEqualTo(700.0);
  }

  @Test
  void oneReadSpansSeveralViews() {
    OnlineStore store = open("rides");
    store.write("a", List.of(new OnlineStore.Record(key(1), row(1, 0, 1.0, 1))));
    store.write("b", List.of(new OnlineStore.Record(key(1), row(1, 0, 2.0, 2))));

    List<byte[]> rows =
        store.read(
            List.of(
                new OnlineStore.Key("b", key(1)),
                new OnlineStore.Key("a", key(1)),
                new OnlineStore.Key("c", key(1))));

    assertThat(rate(rows.get(0))).isEqualTo(2.0);
    assertThat(rate(rows.get(1))).isEqualTo(1.0);
    assertThat(rows.get(2)).isNull();
  }

  @Test
  void deletingAViewLeavesTheOthers() {
    OnlineStore store = open("rides");
    store.write("a", List.of(new OnlineStore.Record(key(1), row(1, 0, 1.0, 1))));
    store.write("ab", List.of(new OnlineStore.Record(key(1), row(1, 0, 2.0, 2))));

    store.deleteView("a");

    assertThat(store.read(List.of(new OnlineStore.Key("a", key(1)))).get(0)).isNull();
    assertThat(store.read(List.of(new OnlineStore.Key("ab", key(1)))).get(0)).isNotNull();
  }

  @Test
  void rowCountsCountOneViewsRows() {
    assumeTrue(supportsRowCount(), "the backend cannot count rows");
    OnlineStore store = open("rides");
    assertThat(store).isInstanceOf(SupportsRowCount.class);
    SupportsRowCount counting = (SupportsRowCount) store;
    store.write(
        "a",
        List.of(
            new OnlineStore.Record(key(1), row(1, 0, 1.0, 1)),
            new OnlineStore.Record(key(2), row(1, 0, 1.0, 1)),
            new OnlineStore.Record(key(3), row(1, 0, 1.0, 1))));
    store.write("ab", List.of(new OnlineStore.Record(key(1), row(1, 0, 2.0, 2))));

    assertThat(counting.rowCount("a")).isEqualTo(3);
    assertThat(counting.rowCount("ab")).isEqualTo(1);
    assertThat(counting.rowCount("c")).isZero();
    store.deleteView("a");
    assertThat(counting.rowCount("a")).isZero();
    assertThat(counting.rowCount("ab")).isEqualTo(1);
  }

  @Test
  void projectsDoNotSeeEachOther() {
    OnlineStore rides = open("rides");
    rides.write("stats", List.of(new OnlineStore.Record(key(1), row(1, 0, 1.0, 1))));
    rides.close();
    opened.remove(rides);
    OnlineStore payments = open("payments");
    assertThat(payments.read(List.of(new OnlineStore.Key("stats", key(1)))).get(0)).isNull();
  }

  @Test
  void concurrentWritersNeverLeaveTheOlderRow() throws Exception {
    OnlineStore store = open("rides");
    int writers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int round = 0; round < 200; round++) {
                    long ts = round * writers + writer;
                    List<OnlineStore.Record> batch = new ArrayList<>();
                    for (long k = 0; k < 20; k++) {
                      batch.add(new OnlineStore.Record(key(k), row(ts, 0, ts, ts)));
                    }
                    store.write("stats", batch);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    long newest = 199L * writers + writers - 1;
    for (long k = 0; k < 20; k++) {
      byte[] stored = store.read(List.of(new OnlineStore.Key("stats", key(k)))).get(0);
      assertThat(ValueCodec.eventTs(stored)).isEqualTo(newest);
    }
  }

  @Test
  void writesAreSeenByAStoreOpenedLater() {
    assumeTrue(declares(Capability.DURABLE), "the backend's rows do not outlive its store");
    OnlineStore first = open("rides");
    first.write("stats", List.of(new OnlineStore.Record(key(7), row(3, 0, 7.0, 7))));
    first.close();
    opened.remove(first);

    OnlineStore again = open("rides");
    assertThat(rate(again.read(List.of(new OnlineStore.Key("stats", key(7)))).get(0)))
        .isEqualTo(7.0);
  }

  @Test
  void storesOpenAtOnceWriteAndReadTheSameRows() {
    assumeTrue(
        declares(Capability.SHARED_BETWEEN_PROCESSES), "the backend admits one writer at a time");
    OnlineStore first = open("rides");
    OnlineStore second = open("rides");

    first.write("stats", List.of(new OnlineStore.Record(key(1), row(1, 0, 1.0, 1))));
    assertThat(rate(second.read(List.of(new OnlineStore.Key("stats", key(1)))).get(0)))
        .isEqualTo(1.0);
    assertThat(second.write("stats", List.of(new OnlineStore.Record(key(1), row(2, 0, 2.0, 2)))))
        .isEqualTo(1);
    assertThat(first.write("stats", List.of(new OnlineStore.Record(key(1), row(1, 5, 3.0, 3)))))
        .as("older than what the other store wrote")
        .isZero();
    assertThat(rate(first.read(List.of(new OnlineStore.Key("stats", key(1)))).get(0)))
        .isEqualTo(2.0);
  }

  @Test
  void aReadOnlyStoreReadsWhatAWriterHoldsAndRefusesWrites() {
    assumeTrue(supportsReadOnlyAccess(), "the backend has no read-only stores");
    OnlineStore writer = open("rides");
    writer.write("stats", List.of(new OnlineStore.Record(key(1), row(1, 0, 1.5, 1))));

    OnlineStore reader = open("rides", OnlineStores.Access.READ_ONLY);
    assertThat(rate(reader.read(List.of(new OnlineStore.Key("stats", key(1)))).get(0)))
        .isEqualTo(1.5);
    assertThatThrownBy(
            () -> reader.write("stats", List.of(new OnlineStore.Record(key(2), row(1, 0, 2.5, 2)))))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageStartingWith("Cannot write to the online store")
        .hasMessageEndingWith(": it was opened read-only");
    assertThat(writer.read(List.of(new OnlineStore.Key("stats", key(2)))).get(0)).isNull();
  }

  @Test
  void theFactoryIsFoundByItsType() {
    assertThat(OnlineStores.factories()).containsKey(factory().type());
    assertThat(OnlineStores.factories().get(factory().type())).isInstanceOf(factory().getClass());
    assertThat(factory().type()).isEqualTo(config().type());
  }

  // Tiles: an aggregation view with a row count and a float sum over 1h, sliding by 10 minutes.

  private static final long MINUTE = 60_000_000_000L;
  private static final long HOP = 10 * MINUTE;
  private static final long HOUR = 60 * MINUTE;

  protected static final AggregateFeature COUNT_1H =
      new Aggregation(null, null, AggregationFunction.COUNT, List.of(Duration.ofHours(1)))
          .feature(Duration.ofHours(1), Duration.ofMinutes(10));
  protected static final AggregateFeature AMOUNT_SUM_1H =
      new Aggregation(
              "amount",
              ValueType.scalar(ScalarType.FLOAT64),
              AggregationFunction.SUM,
              List.of(Duration.ofHours(1)))
          .feature(Duration.ofHours(1), Duration.ofMinutes(10));
  protected static final TileLayout LAYOUT = TileLayout.of(List.of(COUNT_1H, AMOUNT_SUM_1H));

  /**
   * A tile set of {@link #LAYOUT} written when the view's newest event was {@code newest}: per
   * bucket (a multiple of 10 minutes) its rows, each of amount 1.5, the newest at the bucket's
   * start.
   */
  protected static byte[] tiles(long newest, long... bucketsAndRows) {
    TileSets.Writer writer = new TileSets.Writer(LAYOUT, newest);
    for (int i = 0; i < bucketsAndRows.length; i += 2) {
      long bucket = bucketsAndRows[i];
      long rows = bucketsAndRows[i + 1];
      TileOutput body = new TileOutput();
      TileBody.header(body, bucket, rows, bucket);
      TileBody.doubleSum(body, 1.5 * rows);
      writer.tile(0, bucket, body.toByteArray());
    }
    return writer.toBytes();
  }

  private SupportsTiles openTiles(String project) {
    assumeTrue(supportsTiles(), "the backend keeps no tiles");
    return (SupportsTiles) open(project);
  }

  /** The rows of the 1h window at {@code t} in the stored set of {@code key}, or -1 for none. */
  private static long rowsAt(OnlineStore store, long key, long t) {
    byte[] stored = store.read(List.of(new OnlineStore.Key("spend", key(key)))).get(0);
    if (stored == null) {
      return -1;
    }
    TileSet set = TileSet.decode(stored, LAYOUT);
    TileSet.Window window = set.window(COUNT_1H, t);
    assertThat(set.window(AMOUNT_SUM_1H, t).value()).isEqualTo(1.5 * window.rows());
    return window.rows();
  }

  @Test
  void aWrittenTileReplacesTheStoredTileOfItsBucketAndKeepsTheOthers() {
    SupportsTiles store = openTiles("cards");
    long t = 100 * HOUR;
    assertThat(
            store.mergeTiles(
                "spend", List.of(new OnlineStore.Record(key(1), tiles(t, t - HOP, 1, t, 2)))))
        .isEqualTo(1);
    assertThat(rowsAt(store, 1, t)).isEqualTo(3);

    store.mergeTiles("spend", List.of(new OnlineStore.Record(key(1), tiles(t, t, 5))));

    assertThat(rowsAt(store, 1, t)).as("the bucket at t was replaced, not added to").isEqualTo(6);
    assertThat(rowsAt(store, 1, t - 1)).as("the bucket before t is kept").isEqualTo(1);
  }

  @Test
  void aTileSetReplacesAPlainRowOfTheViewAndSweepsLeavePlainRowsAlone() {
    SupportsTiles store = openTiles("cards");
    long t = 100 * HOUR;
    store.write("spend", List.of(new OnlineStore.Record(key(1), row(10, 0, 0.5, 3))));
    store.write("spend", List.of(new OnlineStore.Record(key(2), row(10, 0, 0.5, 3))));

    assertThat(store.mergeTiles("spend", List.of(new OnlineStore.Record(key(1), tiles(t, t, 2)))))
        .isEqualTo(1);
    assertThat(store.expireTiles("spend", t + 10 * HOUR)).as("only key 1's set").isEqualTo(1);

    assertThat(store.read(List.of(new OnlineStore.Key("spend", key(1)))).get(0)).isNull();
    assertThat(rate(store.read(List.of(new OnlineStore.Key("spend", key(2)))).get(0)))
        .isEqualTo(0.5);
  }

  @Test
  void mergingTheSameTilesAgainChangesNothing() {
    SupportsTiles store = openTiles("cards");
    long t = 100 * HOUR;
    byte[] set = tiles(t, t - 2 * HOP, 4, t, 2);
    store.mergeTiles("spend", List.of(new OnlineStore.Record(key(1), set)));

    assertThat(store.mergeTiles("spend", List.of(new OnlineStore.Record(key(1), set)))).isZero();
    assertThat(store.read(List.of(new OnlineStore.Key("spend", key(1)))).get(0)).isEqualTo(set);
  }

  @Test
  void tilesOutOfReachOfTheNewestEventAreDroppedWhenASetIsWritten() {
    SupportsTiles store = openTiles("cards");
    long t = 100 * HOUR;
    store.mergeTiles("spend", List.of(new OnlineStore.Record(key(1), tiles(t, t - HOUR, 3, t, 1))));
    assertThat(rowsAt(store, 1, t)).as("floor(t - 1h, 10m) is still in reach").isEqualTo(4);

    // The view's newest event moves 10 minutes on: the tile at t - 1h is out of every window.
    store.mergeTiles("spend", List.of(new OnlineStore.Record(key(1), tiles(t + HOP, t + HOP, 2))));

    byte[] stored = store.read(List.of(new OnlineStore.Key("spend", key(1)))).get(0);
    assertThat(rowsAt(store, 1, t)).as("the tile at t - 1h is gone").isEqualTo(1);
    assertThat(TileSets.newestEvent(stored)).isEqualTo(t + HOP);
  }

  @Test
  void aSweepDropsExpiredTilesAndDeletesSetsOfKeysWithoutNewEvents() {
    SupportsTiles store = openTiles("cards");
    long t = 100 * HOUR;
    store.mergeTiles(
        "spend",
        List.of(
            new OnlineStore.Record(key(1), tiles(t, t - 50 * MINUTE, 1)),
            new OnlineStore.Record(key(2), tiles(t, t - 50 * MINUTE, 2, t, 3)),
            new OnlineStore.Record(key(3), tiles(t, t, 7))));
    long newest = t + 20 * MINUTE;

    assertThat(store.expireTiles("spend", newest)).isEqualTo(2);

    List<byte[]> stored =
        store.read(
            List.of(
                new OnlineStore.Key("spend", key(1)),
                new OnlineStore.Key("spend", key(2)),
                new OnlineStore.Key("spend", key(3))));
    assertThat(stored.get(0)).as("every tile of key 1 expired").isNull();
    assertThat(rowsAt(store, 2, newest)).as("key 2 keeps the tile at t").isEqualTo(3);
    assertThat(rowsAt(store, 3, newest)).isEqualTo(7);
    assertThat(store.expireTiles("spend", newest)).as("a second sweep finds nothing").isZero();
  }

  @Test
  void tileSetsAreReadInTheSameCallAsPlainRows() {
    SupportsTiles store = openTiles("cards");
    long t = 100 * HOUR;
    store.write("stats", List.of(new OnlineStore.Record(key(1), row(10, 0, 0.5, 3))));
    store.mergeTiles("spend", List.of(new OnlineStore.Record(key(1), tiles(t, t, 2))));

    List<byte[]> rows =
        store.read(
            List.of(
                new OnlineStore.Key("stats", key(1)),
                new OnlineStore.Key("spend", key(1)),
                new OnlineStore.Key("spend", key(2))));

    assertThat(rate(rows.get(0))).isEqualTo(0.5);
    assertThat(TileSet.decode(rows.get(1), LAYOUT).window(COUNT_1H, t).rows()).isEqualTo(2);
    assertThat(rows.get(2)).isNull();
  }

  /** A week's count by 10-minute hops: a set keeps every tile the concurrency case writes. */
  private static final AggregateFeature COUNT_7D =
      new Aggregation(null, null, AggregationFunction.COUNT, List.of(Duration.ofDays(7)))
          .feature(Duration.ofDays(7), Duration.ofMinutes(10));

  private static final TileLayout WEEK = TileLayout.of(List.of(COUNT_7D));

  @Test
  void concurrentMergesIntoOneKeyAreNeverLost() throws Exception {
    SupportsTiles first = openTiles("cards");
    // Writers share the store only where the backend admits one writing process; elsewhere
    // each has its own (Redis: its own connection), as concurrent processes would.
    boolean shared = !declares(Capability.SHARED_BETWEEN_PROCESSES);
    long t = 10_000 * HOUR;
    int writers = 4;
    int merges = 20;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        SupportsTiles store = shared || w == 0 ? first : (SupportsTiles) open("cards");
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  // Each merge brings a bucket no other merge writes: a lost update loses a row.
                  for (int i = 0; i < merges; i++) {
                    long bucket = t - (writer * merges + i) * HOP;
                    TileSets.Writer set = new TileSets.Writer(WEEK, t);
                    TileOutput body = new TileOutput();
                    TileBody.header(body, bucket, 1, bucket);
                    set.tile(0, bucket, body.toByteArray());
                    store.mergeTiles(
                        "spend", List.of(new OnlineStore.Record(key(1), set.toBytes())));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    byte[] stored = first.read(List.of(new OnlineStore.Key("spend", key(1)))).get(0);
    assertThat(TileSet.decode(stored, WEEK).window(COUNT_7D, t).rows())
        .as("every merge's tile")
        .isEqualTo(writers * merges);
  }
}
