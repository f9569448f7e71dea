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

  private OnDemandBenchmark() {}

  public static void main(String[] args) throws Exception {
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
      System.out.printf(
          "on-demand: keys=%d with_p99_us=%.1f without_p99_us=%.1f ratio=%.2f%n",
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
