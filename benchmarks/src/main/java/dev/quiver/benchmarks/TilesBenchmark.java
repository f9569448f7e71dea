package dev.quiver.benchmarks;

import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.Feature;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.OnlineRequest;
import dev.quiver.sdk.OnlineResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * {@code benchmarks/run.sh tiles}: the online side of windowed aggregations, in process.
 *
 * <ol>
 *   <li>Materializing the tiles of 10M events over 500k keys (one week, a file per day, in time
 *       order) into RocksDB: view {@code spend} with sum, count and mean of {@code amount} over 1h,
 *       1d and 7d (hops 5m and 1h), plus min and max over 1d and 7d. Prints events per second of
 *       {@code FeatureStore.materialize} (JVM start and CLI excluded), median of {@code runs}.
 *   <li>Online lookups in the same RocksDB store: 1 entity x 10 aggregation features over 1d and 7d
 *       ({@code as_of} the newest event), against 1 entity x 10 features of a plain view, timed
 *       alternately on the same random keys; p50 and p99 from HdrHistogram. {@code ratio} is the
 *       aggregation lookup's p99 over the plain one's.
 * </ol>
 *
 * <p>Settings: {@code events} (10000000), {@code keys} (500000), {@code runs} (3), {@code
 * iterations} (50000), {@code dir}. Give the JVM room for the tiles: {@code run.sh tiles -Xmx6g}.
 */
public final class TilesBenchmark {

  private static final long START_MICROS = BenchmarkData.START_MICROS;
  private static final long DAY_MICROS = 24L * 3600 * 1_000_000;
  private static final int DAYS = 7;

  private static final MessageType EVENTS =
      MessageTypeParser.parseMessageType(
          "message events { required int64 driver_id; required int64 ts (TIMESTAMP(MICROS,true));"
              + " optional double amount; }");

  private static final List<String> AGGREGATE_FEATURES =
      List.of(
          "amount_sum_1d",
          "amount_sum_7d",
          "count_1d",
          "count_7d",
          "amount_mean_1d",
          "amount_mean_7d",
          "amount_min_1d",
          "amount_min_7d",
          "amount_max_1d",
          "amount_max_7d");

  private TilesBenchmark() {}

  public static void main(String[] args) throws Exception {
    long events = Long.getLong("events", 10_000_000);
    int keys = Integer.getInteger("keys", 500_000);
    int runs = Integer.getInteger("runs", 3);
    int iterations = Integer.getInteger("iterations", 50_000);
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path dir =
        Path.of(
            System.getProperty(
                "dir",
                root.resolve("benchmarks/target/data/tiles-" + events + "-" + keys).toString()));
    Path repo = dir.resolve("repo");
    if (!Files.exists(dir.resolve(".generated"))) {
      System.err.println("Generating " + events + " events over " + keys + " keys in " + dir);
      writeEvents(repo.resolve("data/events"), events, keys, 42);
      Files.writeString(dir.resolve(".generated"), "ok\n");
    }
    List<Feature> plain = OnlineData.features(10);
    writeRepo(repo, plain);
    Instant start = Instant.ofEpochSecond(0, START_MICROS * 1_000);
    Instant end = Instant.ofEpochSecond(0, (START_MICROS + DAYS * DAY_MICROS) * 1_000);

    double[] seconds = new double[runs];
    double[] cpuSeconds = new double[runs];
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    Instant newest = null;
    for (int r = 0; r < runs; r++) {
      MaterializeBenchmark.deleteOnline(repo.resolve("data/online"));
      try (FeatureStore store = FeatureStore.open(repo)) {
        long began = System.nanoTime();
        long cpuBegan = os.getProcessCpuTime();
        List<Materializer.ViewResult> results =
            store.materialize(start, end, List.of("spend"), MaterializationProgress.NONE);
        seconds[r] = (System.nanoTime() - began) / 1e9;
        cpuSeconds[r] = (os.getProcessCpuTime() - cpuBegan) / 1e9;
        newest = results.get(0).newestEvent();
        System.err.printf(
            "run %d: %.2f s (%.2f s of CPU), %.0f events/s, %d tile sets written%n",
            r + 1, seconds[r], cpuSeconds[r], events / seconds[r], results.get(0).rowsWritten());
      }
    }
    double median = Measurements.median(seconds);
    double cpu = Measurements.median(cpuSeconds);
    // The process's CPU time counts what the machine's other load took from the wall time less;
    // spread over this machine's cores it bounds what an idle machine would do.
    int cores = Runtime.getRuntime().availableProcessors();
    System.out.printf(
        "materialize tiles runs (s): %s%nmaterialize tiles CPU (s): %s%n"
            + "materialize tiles: events=%d keys=%d median_s=%.2f events_per_s=%.0f"
            + " median_cpu_s=%.2f events_per_cpu_s_x%d=%.0f%n",
        Measurements.format(seconds),
        Measurements.format(cpuSeconds),
        events,
        keys,
        median,
        events / median,
        cpu,
        cores,
        events / cpu * cores);

    // The plain view's rows beside the tiles, in the same store.
    try (RocksDbOnlineStore store =
        RocksDbOnlineStore.open("bench_tiles", repo.resolve("data/online"))) {
      OnlineData.load(store, keys, plain);
    }
    List<String> aggregateRefs = AGGREGATE_FEATURES.stream().map(f -> "spend:" + f).toList();
    List<String> plainRefs = plain.stream().map(f -> "stats:" + f.name()).toList();
    Histogram aggregateTimes = new Histogram(60_000_000_000L, 3);
    Histogram plainTimes = new Histogram(60_000_000_000L, 3);
    Instant asOf = newest;
    try (FeatureStore store = FeatureStore.open(repo)) {
      Random random = new Random(7);
      int found = 0;
      for (int i = 0; i < iterations * 2; i++) {
        List<Object> ids = List.of((long) random.nextInt(keys));
        long t0 = System.nanoTime();
        OnlineResponse aggregated =
            store.onlineFeatures(
                OnlineRequest.ofFeatures(aggregateRefs, Map.of("driver_id", ids)).withAsOf(asOf));
        long t1 = System.nanoTime();
        OnlineResponse rows =
            store.onlineFeatures(OnlineRequest.ofFeatures(plainRefs, Map.of("driver_id", ids)));
        long t2 = System.nanoTime();
        if (aggregated.results().size() != 11 || rows.results().size() != 11) {
          throw new IllegalStateException("unexpected answer");
        }
        if (aggregated.column("count_7d").values().get(0) instanceof Long count && count > 0) {
          found++;
        }
        if (i >= iterations) {
          aggregateTimes.recordValue(t1 - t0);
          plainTimes.recordValue(t2 - t1);
        }
      }
      if (found < iterations) {
        throw new IllegalStateException("most keys should have events in 7 days: " + found);
      }
    }
    double ratio =
        (double) aggregateTimes.getValueAtPercentile(99) / plainTimes.getValueAtPercentile(99);
    System.out.printf(
        "rocksdb, 1 entity x 10 features: aggregations (1d/7d) p50=%.1f us p99=%.1f us,"
            + " plain p50=%.1f us p99=%.1f us, p99 ratio=%.2f%n",
        aggregateTimes.getValueAtPercentile(50) / 1e3,
        aggregateTimes.getValueAtPercentile(99) / 1e3,
        plainTimes.getValueAtPercentile(50) / 1e3,
        plainTimes.getValueAtPercentile(99) / 1e3,
        ratio);
    System.out.printf(
        "tiles: events=%d keys=%d materialize_events_per_s=%.0f agg_p99_us=%.1f plain_p99_us=%.1f ratio=%.2f%n",
        events,
        keys,
        events / median,
        aggregateTimes.getValueAtPercentile(99) / 1e3,
        plainTimes.getValueAtPercentile(99) / 1e3,
        ratio);
  }

  /** One file per day, rows in time order, keys uniform, 1 in 50 amounts null. */
  private static void writeEvents(Path dir, long events, int keys, long seed) throws Exception {
    Files.createDirectories(dir);
    Random random = new Random(seed);
    long perDay = events / DAYS;
    for (int day = 0; day < DAYS; day++) {
      long rows = day == DAYS - 1 ? events - perDay * (DAYS - 1) : perDay;
      long dayStart = START_MICROS + day * DAY_MICROS;
      try (ParquetWriter<Group> writer =
          BenchmarkData.writer(dir.resolve(String.format("day-%d.parquet", day)), EVENTS)) {
        SimpleGroupFactory groups = new SimpleGroupFactory(EVENTS);
        for (long i = 0; i < rows; i++) {
          Group row = groups.newGroup();
          row.append("driver_id", (long) random.nextInt(keys));
          row.append("ts", dayStart + i * DAY_MICROS / rows);
          if (random.nextInt(50) != 0) {
            row.append("amount", Math.round(random.nextDouble() * 50_000) / 100.0);
          }
          writer.write(row);
        }
      }
    }
  }

  private static void writeRepo(Path repo, List<Feature> plain) throws Exception {
    StringBuilder yaml =
        new StringBuilder(
            """
            entities:
              - {name: driver, join_key: driver_id, type: int64}
            sources:
              - {name: events, path: data/events, timestamp_field: ts}
              - {name: src, path: data/none.parquet, timestamp_field: ts}
            feature_views:
              - name: spend
                entities: [driver]
                source: events
                aggregations:
                  - {column: amount, type: float64, function: sum, windows: [1h, 1d, 7d]}
                  - {function: count, windows: [1h, 1d, 7d]}
                  - {column: amount, type: float64, function: mean, windows: [1h, 1d, 7d]}
                  - {column: amount, type: float64, function: min, windows: [1d, 7d]}
                  - {column: amount, type: float64, function: max, windows: [1d, 7d]}
              - name: stats
                entities: [driver]
                source: src
                features:
            """);
    for (Feature feature : plain) {
      yaml.append("      - {name: ")
          .append(feature.name())
          .append(", type: ")
          .append(feature.type())
          .append("}\n");
    }
    Files.createDirectories(repo.resolve("data"));
    Files.writeString(
        repo.resolve("feature_store.yaml"), "project: bench_tiles\nregistry: data/registry.json\n");
    Files.writeString(repo.resolve("defs.yaml"), yaml.toString());
    OnlineData.register(repo);
  }
}
