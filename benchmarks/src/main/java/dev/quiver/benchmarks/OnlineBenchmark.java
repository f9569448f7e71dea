package dev.quiver.benchmarks;

import dev.quiver.online.OnlineStore;
import dev.quiver.online.redis.RedisOnlineStore;
import dev.quiver.online.redis.RedisSettings;
import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.Feature;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.OnlineRequest;
import dev.quiver.sdk.OnlineResponse;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.HdrHistogram.Histogram;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;

/**
 * {@code benchmarks/run.sh online}: in-process online lookups through the SDK (request checks, key
 * encoding, one store round trip, decoding, statuses) against the raw store reading the same keys,
 * in the same run: 1 entity x 10 features and 100 entities x 10 features, p50 and p99 from
 * HdrHistogram. On RocksDB the peer is a raw {@code multiGet} on the same files; on Redis (the
 * machine's server, database 1, or {@code -Dredis.url}) a raw Lettuce pipeline of {@code HMGET}s of
 * the same hashes. {@code ratio} is the worst of Quiver's p99 over the raw p99.
 *
 * <p>Settings: {@code keys} (1000000), {@code iterations} (50000 for one entity, a tenth for 100),
 * {@code dir}, {@code redis} (true: also measure Redis).
 */
public final class OnlineBenchmark {

  private static final int FEATURES = 10;

  private OnlineBenchmark() {}

  /** One timed lookup of some entity ids; returns how many rows it got, to check the answer. */
  private interface Lookup {
    int run(List<Long> ids) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    int keys = Integer.getInteger("keys", 1_000_000);
    int iterations = Integer.getInteger("iterations", 50_000);
    boolean redis = Boolean.parseBoolean(System.getProperty("redis", "true"));
    Path root = Path.of(System.getProperty("project.root", ".")).toAbsolutePath().normalize();
    Path data =
        Path.of(
            System.getProperty(
                "dir", root.resolve("benchmarks/target/data/online-" + keys).toString()));
    List<Feature> features = OnlineData.features(FEATURES);
    List<String> refs = features.stream().map(f -> "stats:" + f.name()).toList();
    List<String> summary = new ArrayList<>();
    double worst = 0;

    // RocksDB, the embedded default.
    Path repo = data;
    OnlineData.writeRepo(repo, "project: bench\n", features);
    Path online = repo.resolve("data/online");
    if (!Files.exists(repo.resolve("data/.loaded-" + keys))) {
      System.err.println("Writing " + keys + " online rows to " + online);
      try (RocksDbOnlineStore store = RocksDbOnlineStore.open("bench", online)) {
        OnlineData.load(store, keys, features);
      }
      Files.writeString(repo.resolve("data/.loaded-" + keys), "ok\n");
    }
    try (FeatureStore store = FeatureStore.open(repo);
        Options options = options();
        RocksDB raw = RocksDB.openReadOnly(options, online.toString());
        ReadOptions read = new ReadOptions()) {
      worst =
          Math.max(
              worst,
              measure(
                  "rocksdb",
                  "raw multiGet",
                  quiver(store, refs),
                  ids -> raw.multiGetAsList(read, map(ids, OnlineBenchmark::rocksKey)).size(),
                  keys,
                  iterations,
                  summary));
    }

    if (redis) {
      String url = BenchmarkData.redisUrl();
      Path redisRepo = data.resolveSibling(data.getFileName() + "-redis");
      OnlineData.writeRepo(
          redisRepo,
          "project: bench\nonline_store: {type: redis, url: \"" + url + "\"}\n",
          features);
      try (RedisOnlineStore store = RedisOnlineStore.open("bench", RedisSettings.standalone(url))) {
        OnlineStore.Key last = new OnlineStore.Key("stats", OnlineData.key(keys - 1));
        if (store.read(List.of(last)).get(0) == null) {
          System.err.println("Writing " + keys + " online rows to " + url);
          OnlineData.load(store, keys, features);
        }
      }
      RedisClient client = RedisClient.create(url);
      try (FeatureStore store = FeatureStore.open(redisRepo);
          StatefulRedisConnection<byte[], byte[]> connection =
              client.connect(ByteArrayCodec.INSTANCE)) {
        connection.setAutoFlushCommands(false);
        RedisAsyncCommands<byte[], byte[]> commands = connection.async();
        byte[] field = "stats".getBytes(StandardCharsets.UTF_8);
        worst =
            Math.max(
                worst,
                measure(
                    "redis",
                    "raw Lettuce HMGET pipeline",
                    quiver(store, refs),
                    ids -> {
                      List<RedisFuture<List<KeyValue<byte[], byte[]>>>> replies =
                          new ArrayList<>(ids.size());
                      for (long id : ids) {
                        replies.add(commands.hmget(redisKey(id), field));
                      }
                      connection.flushCommands();
                      int rows = 0;
                      for (RedisFuture<List<KeyValue<byte[], byte[]>>> reply : replies) {
                        rows += reply.get(5, TimeUnit.SECONDS).size();
                      }
                      return rows;
                    },
                    keys,
                    iterations,
                    summary));
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
    System.out.printf("online: keys=%d %s ratio=%.2f%n", keys, String.join(" ", summary), worst);
  }

  private static Lookup quiver(FeatureStore store, List<String> refs) {
    return ids -> {
      OnlineResponse response =
          store.onlineFeatures(
              OnlineRequest.ofFeatures(refs, Map.of("driver_id", new ArrayList<Object>(ids))));
      return response.results().size() == FEATURES + 1 ? ids.size() : -1;
    };
  }

  /**
   * Times Quiver and the peer alternately on the same random ids; prints both and returns the worse
   * p99 ratio of the two cases.
   */
  private static double measure(
      String store,
      String peerName,
      Lookup quiver,
      Lookup peer,
      int keys,
      int iterations,
      List<String> summary)
      throws Exception {
    double worst = 0;
    for (int entities : new int[] {1, 100}) {
      Random random = new Random(7);
      Histogram quiverTimes = new Histogram(60_000_000_000L, 3);
      Histogram peerTimes = new Histogram(60_000_000_000L, 3);
      // 100-entity lookups take a hundred times longer: a tenth of the iterations.
      int rounds = entities == 1 ? iterations : Math.max(1_000, iterations / 10);
      for (int i = 0; i < rounds * 2; i++) {
        List<Long> ids = new ArrayList<>(entities);
        for (int e = 0; e < entities; e++) {
          ids.add((long) random.nextInt(keys));
        }
        boolean record = i >= rounds; // the first half warms up
        long start = System.nanoTime();
        int quiverRows = quiver.run(ids);
        long middle = System.nanoTime();
        int peerRows = peer.run(ids);
        long end = System.nanoTime();
        if (quiverRows != entities || peerRows != entities) {
          throw new IllegalStateException("unexpected answer from " + store);
        }
        if (record) {
          quiverTimes.recordValue(middle - start);
          peerTimes.recordValue(end - middle);
        }
      }
      double ratio =
          (double) quiverTimes.getValueAtPercentile(99) / peerTimes.getValueAtPercentile(99);
      worst = Math.max(worst, ratio);
      System.out.printf(
          "%s, %d entity x %d features: quiver p50=%.1f us p99=%.1f us, %s p50=%.1f us p99=%.1f us, p99 ratio=%.2f%n",
          store,
          entities,
          FEATURES,
          quiverTimes.getValueAtPercentile(50) / 1e3,
          quiverTimes.getValueAtPercentile(99) / 1e3,
          peerName,
          peerTimes.getValueAtPercentile(50) / 1e3,
          peerTimes.getValueAtPercentile(99) / 1e3,
          ratio);
      summary.add(
          String.format(
              "%s_q_p99_%d_us=%.1f %s_raw_p99_%d_us=%.1f",
              store,
              entities,
              quiverTimes.getValueAtPercentile(99) / 1e3,
              store,
              entities,
              peerTimes.getValueAtPercentile(99) / 1e3));
    }
    return worst;
  }

  private static <T> List<T> map(List<Long> ids, Function<Long, T> f) {
    List<T> out = new ArrayList<>(ids.size());
    for (long id : ids) {
      out.add(f.apply(id));
    }
    return out;
  }

  /** RocksDB's key layout: project, view, entity key. */
  private static byte[] rocksKey(long id) {
    byte[] project = "bench".getBytes(StandardCharsets.UTF_8);
    byte[] view = "stats".getBytes(StandardCharsets.UTF_8);
    byte[] entity = OnlineData.key(id);
    return ByteBuffer.allocate(4 + project.length + view.length + entity.length)
        .putShort((short) project.length)
        .put(project)
        .putShort((short) view.length)
        .put(view)
        .put(entity)
        .array();
  }

  /** Redis' key layout: {@code quiver:<project>:{<crc32c of the entity key>}<entity key>}. */
  private static byte[] redisKey(long id) {
    byte[] entity = OnlineData.key(id);
    CRC32C crc = new CRC32C();
    crc.update(entity);
    byte[] prefix =
        String.format("quiver:bench:{%08x}", (int) crc.getValue()).getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(prefix.length + entity.length).put(prefix).put(entity).array();
  }

  /** The same table options as Quiver's store, so only Quiver's own work differs. */
  private static Options options() {
    return new Options()
        .setTableFormatConfig(
            new BlockBasedTableConfig()
                .setFilterPolicy(new BloomFilter(10, false))
                .setBlockCache(new LRUCache(RocksDbOnlineStore.DEFAULT_BLOCK_CACHE_BYTES))
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true));
  }
}
