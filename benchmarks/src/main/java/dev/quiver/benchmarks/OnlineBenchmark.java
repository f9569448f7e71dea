package dev.quiver.benchmarks;

import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineRow;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.ValueCodec;
import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.OnlineRequest;
import dev.quiver.sdk.OnlineResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;

/**
 * {@code benchmarks/run.sh online}: in-process online lookups through the SDK (request checks, key
 * encoding, one multiGet, decoding, statuses) against raw RocksDB {@code multiGet} of the same keys
 * on the same files, in the same run: 1 entity x 10 features and 100 entities x 10 features, p50
 * and p99 from HdrHistogram. {@code ratio} is the worse of Quiver's p99 over the raw p99.
 *
 * <p>Settings: {@code keys} (1000000), {@code iterations} (50000 for one entity, a tenth for 100),
 * {@code dir}.
 */
public final class OnlineBenchmark {

  private static final int FEATURES = 10;

  private OnlineBenchmark() {}

  public static void main(String[] args) throws Exception {
    int keys = Integer.getInteger("keys", 1_000_000);
    int iterations = Integer.getInteger("iterations", 50_000);
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path repo =
        Path.of(
            System.getProperty(
                "dir", root.resolve("benchmarks/target/data/online-" + keys).toString()));
    List<Feature> features = new ArrayList<>();
    StringBuilder yaml = new StringBuilder();
    for (int f = 0; f < FEATURES; f++) {
      features.add(
          Feature.of(
              "f" + f, ValueType.scalar(f % 2 == 0 ? ScalarType.FLOAT64 : ScalarType.INT64)));
      yaml.append("      - {name: f")
          .append(f)
          .append(", type: ")
          .append(f % 2 == 0 ? "float64" : "int64")
          .append("}\n");
    }
    Files.createDirectories(repo);
    Files.writeString(repo.resolve("feature_store.yaml"), "project: bench\n");
    Files.writeString(
        repo.resolve("defs.yaml"),
        "entities:\n  - {name: driver, join_key: driver_id, type: int64}\n"
            + "sources:\n  - {name: src, path: data/none.parquet, timestamp_field: ts}\n"
            + "feature_views:\n  - name: stats\n    entities: [driver]\n    source: src\n    features:\n"
            + yaml);
    FeatureRepo loaded = FeatureRepo.load(repo, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan plan = RegistryPlan.of(registry.load(), loaded.definitions());
      if (plan.hasChanges()) {
        plan.apply(registry, "benchmark", null);
      }
    }
    Path online = repo.resolve("data/online");
    if (!Files.exists(repo.resolve("data/.loaded-" + keys))) {
      System.err.println("Writing " + keys + " online rows to " + online);
      Random random = new Random(42);
      try (RocksDbOnlineStore store = RocksDbOnlineStore.open("bench", online)) {
        List<OnlineStore.Record> batch = new ArrayList<>();
        for (long k = 0; k < keys; k++) {
          Map<String, Object> values = new HashMap<>();
          for (int f = 0; f < FEATURES; f++) {
            values.put(
                "f" + f, f % 2 == 0 ? (Object) random.nextDouble() : (Object) random.nextLong());
          }
          batch.add(
              new OnlineStore.Record(
                  key(k),
                  ValueCodec.encode(
                      new OnlineRow(1_772_000_000_000_000_000L, 0, values), features)));
          if (batch.size() == 10_000) {
            store.write("stats", batch);
            batch.clear();
          }
        }
        store.write("stats", batch);
      }
      Files.writeString(repo.resolve("data/.loaded-" + keys), "ok\n");
    }

    double[] worst = new double[1];
    StringBuilder summary = new StringBuilder();
    try (FeatureStore store = FeatureStore.open(repo)) {
      List<String> refs = features.stream().map(f -> "stats:" + f.name()).toList();
      try (Options options = options();
          RocksDB raw = RocksDB.openReadOnly(options, online.toString());
          ReadOptions read = new ReadOptions()) {
        for (int entities : new int[] {1, 100}) {
          Random random = new Random(7);
          Histogram quiver = new Histogram(60_000_000_000L, 3);
          Histogram peer = new Histogram(60_000_000_000L, 3);
          // 100-entity lookups take a hundred times longer: a tenth of the iterations.
          int rounds = entities == 1 ? iterations : Math.max(1_000, iterations / 10);
          for (int i = 0; i < rounds * 2; i++) {
            List<Object> ids = new ArrayList<>(entities);
            List<byte[]> rawKeys = new ArrayList<>(entities);
            for (int e = 0; e < entities; e++) {
              long id = random.nextInt(keys);
              ids.add(id);
              rawKeys.add(rocksKey(id));
            }
            boolean measure = i >= rounds; // the first half warms up
            long start = System.nanoTime();
            OnlineResponse response =
                store.onlineFeatures(OnlineRequest.ofFeatures(refs, Map.of("driver_id", ids)));
            long middle = System.nanoTime();
            List<byte[]> rows = raw.multiGetAsList(read, rawKeys);
            long end = System.nanoTime();
            if (response.results().size() != FEATURES + 1 || rows.size() != entities) {
              throw new IllegalStateException("unexpected answer");
            }
            if (measure) {
              quiver.recordValue(middle - start);
              peer.recordValue(end - middle);
            }
          }
          double ratio = (double) quiver.getValueAtPercentile(99) / peer.getValueAtPercentile(99);
          worst[0] = Math.max(worst[0], ratio);
          System.out.printf(
              "%d entity x %d features: quiver p50=%.1f us p99=%.1f us, raw multiGet p50=%.1f us p99=%.1f us, p99 ratio=%.2f%n",
              entities,
              FEATURES,
              quiver.getValueAtPercentile(50) / 1e3,
              quiver.getValueAtPercentile(99) / 1e3,
              peer.getValueAtPercentile(50) / 1e3,
              peer.getValueAtPercentile(99) / 1e3,
              ratio);
          summary.append(
              String.format(
                  " q_p99_%d_us=%.1f raw_p99_%d_us=%.1f",
                  entities,
                  quiver.getValueAtPercentile(99) / 1e3,
                  entities,
                  peer.getValueAtPercentile(99) / 1e3));
        }
      }
    }
    System.out.printf("online: keys=%d%s ratio=%.2f%n", keys, summary, worst[0]);
  }

  private static byte[] key(long id) {
    return EntityKeyCodec.encode(Map.of("driver_id", id), Map.of("driver_id", ScalarType.INT64));
  }

  /** The store's key layout: project, view, entity key. */
  private static byte[] rocksKey(long id) {
    byte[] project = "bench".getBytes(StandardCharsets.UTF_8);
    byte[] view = "stats".getBytes(StandardCharsets.UTF_8);
    byte[] entity = key(id);
    return ByteBuffer.allocate(4 + project.length + view.length + entity.length)
        .putShort((short) project.length)
        .put(project)
        .putShort((short) view.length)
        .put(view)
        .put(entity)
        .array();
  }

  /** The same table options as Quiver's store, so only Quiver's own work differs. */
  private static Options options() {
    return new Options()
        .setTableFormatConfig(
            new BlockBasedTableConfig()
                .setFilterPolicy(new BloomFilter(10, false))
                .setBlockCache(new LRUCache(64L << 20))
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true));
  }
}
