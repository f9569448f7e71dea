package dev.quiver.benchmarks;

import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.Feature;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.OnlineRequest;
import dev.quiver.sdk.OnlineResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * {@code benchmarks/run.sh on-demand}: the cost of on-demand features online. The same RocksDB
 * store as the online benchmark ({@code stats}, 10 features); a lookup of 1 entity x the 10 stored
 * features and 5 on-demand features (a request field and arithmetic, comparisons and null checks
 * over the stored ones) against the lookup of the 10 stored features alone, alternately on the same
 * ids, in the same run. {@code ratio} is the p99 with on-demand features over the p99 without.
 *
 * <p>Settings: {@code keys} (1000000), {@code iterations} (50000), {@code dir}.
 */
public final class OnDemandBenchmark {

  private static final int FEATURES = 10;

  /** Five expressions over the ten stored features (even: float64, odd: int64). */
  static final String ON_DEMAND_VIEW =
      """
      on_demand_feature_views:
        - name: risk
          inputs: [stats]
          request:
            - {name: amount, type: float64}
          features:
            - {name: r0, type: float64, expression: "amount / (stats.f0 + 1.0)"}
            - {name: r1, type: bool, expression: "stats.f1 > 0 && amount > 500.0"}
            - {name: r2, type: float64, expression: "stats.f2 * stats.f4 - stats.f6"}
            - {name: r3, type: int64, expression: "stats.f3 / 1000 + stats.f5 % 7"}
            - {name: r4, type: bool, expression: "stats.f8 == null ? false : stats.f8 > 0.5"}
      """;

  /** Five expressions over the historical benchmark's view and its entity rows' row_id. */
  static final String OFFLINE_VIEW =
      """
      on_demand_feature_views:
        - name: risk
          inputs: [driver_stats]
          request:
            - {name: row_id, type: int64}
          features:
            - {name: o0, type: float64, expression: "driver_stats.acc_rate * 2.0 + 1.0"}
            - {name: o1, type: bool, expression: "driver_stats.trips > 10 && driver_stats.active == true"}
            - name: o2
              type: float64
              expression: "driver_stats.conv_rate == null ? 0.0 : driver_stats.conv_rate / (driver_stats.acc_rate + 1.0)"
            - {name: o3, type: int64, expression: "row_id % 97 + driver_stats.trips"}
            - name: o4
              type: string
              expression: "driver_stats.segment == null ? 'none' : driver_stats.segment + '_x'"
      """;

  private OnDemandBenchmark() {}

  public static void main(String[] args) throws Exception {
    String online = online();
    String offline =
        Boolean.parseBoolean(System.getProperty("offline", "true")) ? " " + offline() : "";
    System.out.println("on-demand: " + online + offline);
  }

  /** The offline part; returns its summary. */
  private static String offline() throws Exception {
    long entities = Long.getLong("entities", 1_000_000);
    long features = Long.getLong("features", 10_000_000);
    int keys = 500_000;
    int runs = Integer.getInteger("runs", 3);
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path dir =
        root.resolve(
            "benchmarks/target/data/historical-" + entities + "-" + features + "-" + keys + "-8");
    Path repo = HistoricalBenchmark.prepare(dir, entities, features, keys, 8);
    Path definitions = repo.resolve("definitions.yaml");
    Files.writeString(definitions, Files.readString(definitions) + OFFLINE_VIEW);
    Path entityFile = dir.resolve("entities.parquet");
    double[] with = new double[runs];
    double[] without = new double[runs];
    for (int run = 0; run < runs; run++) {
      with[run] =
          HistoricalBenchmark.runQuiver(
                  root,
                  repo,
                  entityFile,
                  dir.resolve("on_demand_out.parquet"),
                  "",
                  "driver_stats,risk")
              .seconds();
      without[run] =
          HistoricalBenchmark.runQuiver(
                  root, repo, entityFile, dir.resolve("stored_out.parquet"), "", "driver_stats")
              .seconds();
      System.err.printf(
          "run %d: with 5 on-demand features %.2f s, without %.2f s%n",
          run + 1, with[run], without[run]);
    }
    double w = Measurements.median(with);
    double wo = Measurements.median(without);
    System.out.printf(
        "offline, %d entity rows x 5 features (+ 5 on-demand): with %s s, without %s s%n",
        entities, Measurements.format(with), Measurements.format(without));
    return String.format(
        "entities=%d with_s=%.2f without_s=%.2f offline_ratio=%.2f", entities, w, wo, w / wo);
  }

  /** The online part; returns its summary. */
  private static String online() throws Exception {
    int keys = Integer.getInteger("keys", 1_000_000);
    int iterations = Integer.getInteger("iterations", 50_000);
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path repo =
        Path.of(
            System.getProperty(
                "dir", root.resolve("benchmarks/target/data/on-demand-" + keys).toString()));
    List<Feature> features = OnlineData.features(FEATURES);
    OnlineData.writeRepo(repo, "project: bench\n", features, ON_DEMAND_VIEW);
    Path online = repo.resolve("data/online");
    if (!Files.exists(repo.resolve("data/.loaded-" + keys))) {
      System.err.println("Writing " + keys + " online rows to " + online);
      try (RocksDbOnlineStore store = RocksDbOnlineStore.open("bench", online)) {
        OnlineData.load(store, keys, features);
      }
      Files.writeString(repo.resolve("data/.loaded-" + keys), "ok\n");
    }
    List<String> stored = features.stream().map(f -> "stats:" + f.name()).toList();
    List<String> withOnDemand = new ArrayList<>(stored);
    withOnDemand.add("risk");

    try (FeatureStore store = FeatureStore.open(repo)) {
      Random random = new Random(7);
      Histogram with = new Histogram(60_000_000_000L, 3);
      Histogram without = new Histogram(60_000_000_000L, 3);
      for (int i = 0; i < iterations * 2; i++) {
        List<Object> ids = List.of((long) random.nextInt(keys));
        List<Object> amounts = List.of(random.nextDouble() * 1_000);
        boolean record = i >= iterations; // the first half warms up
        // Alternate which goes first, so neither always finds the other's blocks cached.
        boolean withFirst = (i & 1) == 0;
        long a = System.nanoTime();
        int first =
            withFirst
                ? lookup(store, withOnDemand, ids, amounts)
                : lookup(store, stored, ids, null);
        long b = System.nanoTime();
        int second =
            withFirst
                ? lookup(store, stored, ids, null)
                : lookup(store, withOnDemand, ids, amounts);
        long c = System.nanoTime();
        int withColumns = withFirst ? first : second;
        int withoutColumns = withFirst ? second : first;
        if (withColumns != FEATURES + 5 + 2 || withoutColumns != FEATURES + 1) {
          throw new IllegalStateException(
              "unexpected answer: " + withColumns + ", " + withoutColumns);
        }
        if (record) {
          with.recordValue(withFirst ? b - a : c - b);
          without.recordValue(withFirst ? c - b : b - a);
        }
      }
      double ratio = (double) with.getValueAtPercentile(99) / without.getValueAtPercentile(99);
      System.out.printf(
          "rocksdb, 1 entity x %d features: with 5 on-demand p50=%.1f us p99=%.1f us, stored only"
              + " p50=%.1f us p99=%.1f us, p99 ratio=%.2f%n",
          FEATURES,
          with.getValueAtPercentile(50) / 1e3,
          with.getValueAtPercentile(99) / 1e3,
          without.getValueAtPercentile(50) / 1e3,
          without.getValueAtPercentile(99) / 1e3,
          ratio);
      return String.format(
          "keys=%d with_p99_us=%.1f without_p99_us=%.1f online_ratio=%.2f",
          keys, with.getValueAtPercentile(99) / 1e3, without.getValueAtPercentile(99) / 1e3, ratio);
    }
  }

  /** One lookup; returns the response's column count, to check the answer. */
  private static int lookup(
      FeatureStore store, List<String> refs, List<Object> ids, List<Object> amounts) {
    OnlineRequest request = OnlineRequest.ofFeatures(refs, Map.of("driver_id", ids));
    if (amounts != null) {
      request = request.withRequestField("amount", amounts);
    }
    OnlineResponse response = store.onlineFeatures(request);
    return response.results().size();
  }
}
