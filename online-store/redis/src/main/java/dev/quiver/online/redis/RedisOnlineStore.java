package dev.quiver.online.redis;

import dev.quiver.online.OnlineStore;
import dev.quiver.online.OnlineStoreException;
import dev.quiver.online.SupportsBulkWrite;
import dev.quiver.online.SupportsRowCount;
import dev.quiver.online.SupportsTiles;
import dev.quiver.online.ValueCodec;
import dev.quiver.online.tiles.TileSets;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Online rows in Redis, standalone or Cluster, through Lettuce. Each entity key is one hash whose
 * fields are views (so one entity is one cluster slot, and one {@code HMGET} reads all its views);
 * newer-wins is decided on the server by a Lua script, so writers racing on one key never leave the
 * older row.
 *
 * <p>A request is one round trip: its commands are all sent before any reply is awaited
 * (standalone: one flushed pipeline; cluster: each node's commands go out at once, in parallel).
 * Writes go out in pipelines of at most {@link #IN_FLIGHT} commands. While Redis is unreachable
 * calls fail at once with a clear message; the client reconnects by itself and the store works
 * again when Redis returns. A cluster's topology is refreshed on MOVED and ASK redirects, on
 * reconnects, and periodically.
 */
public final class RedisOnlineStore
    implements OnlineStore, SupportsRowCount, SupportsBulkWrite, SupportsTiles {

  /** Commands sent before their replies are awaited, per batch of writes. */
  static final int IN_FLIGHT = 2_000;

  private static final byte[] SCRIPT = loadScript("newer-wins.lua");
  private static final String SCRIPT_SHA = sha1(SCRIPT);
  private static final byte[] SWAP_SCRIPT = loadScript("swap-if-same.lua");
  private static final String SWAP_SHA = sha1(SWAP_SCRIPT);
  private static final byte[] NONE = new byte[0];
  private static final int SCAN_COUNT = 1_000;

  private final String project;
  private final RedisSettings settings;
  private final RedisKeys keys;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<byte[], byte[]> connection;
  private final RedisClusterAsyncCommands<byte[], byte[]> commands;
  private final boolean manualFlush;
  private volatile boolean closed;

  private RedisOnlineStore(String project, RedisSettings settings) {
    this.project = project;
    this.settings = settings;
    this.keys = new RedisKeys(project);
    this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).build();
    SocketOptions socket =
        SocketOptions.builder().connectTimeout(settings.connectTimeout()).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(settings.commandTimeout());
    for (RedisURI uri : settings.uris()) {
      uri.setTimeout(settings.commandTimeout());
    }
    try {
      if (settings.cluster()) {
        RedisClusterClient cluster = RedisClusterClient.create(resources, settings.uris());
        cluster.setOptions(
            ClusterClientOptions.builder()
                .socketOptions(socket)
                .timeoutOptions(timeouts)
                .autoReconnect(true)
                // Node connections open on first use, so commands must wait for them; a node
                // that stays away fails them at the command timeout.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .topologyRefreshOptions(
                    ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(10))
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                        .build())
                .build());
        this.client = cluster;
        StatefulRedisClusterConnection<byte[], byte[]> open = connect(cluster);
        this.connection = open;
        this.commands = open.async();
        // Lettuce's manual flushing can strand commands on node connections opened meanwhile
        // (lettuce#2420): on a cluster every command goes out as it is issued; replies are still
        // awaited only once all are sent.
        this.manualFlush = false;
      } else {
        RedisClient standalone = RedisClient.create(resources, settings.uris().get(0));
        standalone.setOptions(
            ClientOptions.builder()
                .socketOptions(socket)
                .timeoutOptions(timeouts)
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .build());
        this.client = standalone;
        StatefulRedisConnection<byte[], byte[]> open = connect(standalone);
        open.setAutoFlushCommands(false);
        this.connection = open;
        this.commands = open.async();
        this.manualFlush = true;
      }
    } catch (RuntimeException e) {
      shutdown();
      throw e;
    }
  }

  /**
   * Connects to Redis; the store then reconnects by itself whenever the connection drops.
   *
   * @throws OnlineStoreException when Redis cannot be reached now
   */
  public static RedisOnlineStore open(String project, RedisSettings settings) {
    return new RedisOnlineStore(project, settings);
  }

  private StatefulRedisClusterConnection<byte[], byte[]> connect(RedisClusterClient cluster) {
    try {
      return cluster.connect(ByteArrayCodec.INSTANCE);
    } catch (RedisException e) {
      throw cannotConnect(e);
    }
  }

  private StatefulRedisConnection<byte[], byte[]> connect(RedisClient standalone) {
    try {
      return standalone.connect(ByteArrayCodec.INSTANCE);
    } catch (RedisException e) {
      throw cannotConnect(e);
    }
  }

  private OnlineStoreException cannotConnect(RedisException e) {
    // A server that answered with an error is running: say what it refused instead.
    boolean answered = false;
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      answered |= cause instanceof RedisCommandExecutionException;
    }
    return new OnlineStoreException(
        "Cannot connect to the Redis online store at "
            + settings.describe()
            + ": "
            + rootMessage(e)
            + (answered
                ? " (the server refused the connection's settings: check the database number"
                    + " and the credentials in the URL)"
                : " (is Redis running there?)"),
        e);
  }

  @Override
  public String project() {
    return project;
  }

  @Override
  public long write(String view, List<Record> records) {
    checkOpen();
    byte[] field = field(view);
    long written = 0;
    for (int from = 0; from < records.size(); from += IN_FLIGHT) {
      List<Record> batch = records.subList(from, Math.min(records.size(), from + IN_FLIGHT));
      List<RedisFuture<List<Object>>> replies = new ArrayList<>(batch.size());
      for (Record record : batch) {
        replies.add(newerWins(record, field, null));
      }
      flush();
      for (int i = 0; i < batch.size(); i++) {
        written += settle(batch.get(i), field, replies.get(i));
      }
    }
    return written;
  }

  /**
   * Takes rows as {@link #write} does (every row is compared on the server: another writer may race
   * even on an empty view), pulling them a pipeline at a time, so a materialization's encoding
   * overlaps the writes.
   */
  @Override
  public long writeSorted(String view, Iterator<Record> records) {
    long written = 0;
    List<Record> batch = new ArrayList<>(IN_FLIGHT);
    while (records.hasNext()) {
      batch.add(records.next());
      if (batch.size() == IN_FLIGHT || !records.hasNext()) {
        written += write(view, batch);
        batch.clear();
      }
    }
    return written;
  }

  private RedisFuture<List<Object>> newerWins(Record record, byte[] field, byte[] expected) {
    byte[][] scriptKeys = {keys.entity(record.entityKey())};
    return expected == null
        ? commands.evalsha(SCRIPT_SHA, ScriptOutputType.MULTI, scriptKeys, field, record.value())
        : commands.evalsha(
            SCRIPT_SHA, ScriptOutputType.MULTI, scriptKeys, field, record.value(), expected);
  }

  /**
   * Whether the script's reply means the row was written. A row with the stored row's times is
   * written only when it holds another set of features ({@link ValueCodec#replaces}), with a
   * compare-and-set on the row the decision was made on; a script missing from the server (after a
   * restart or a failover) is sent whole once.
   */
  private long settle(Record record, byte[] field, RedisFuture<List<Object>> reply) {
    List<Object> result = awaitScript(record, field, reply, null);
    while (((Long) result.get(0)) == 2) {
      byte[] stored = (byte[]) result.get(1);
      if (!ValueCodec.replaces(record.value(), stored)) {
        return 0;
      }
      List<Object> swapped =
          awaitScript(record, field, sendNow(newerWins(record, field, stored)), stored);
      if (((Long) swapped.get(0)) == 1) {
        return 1;
      }
      // The stored row changed meanwhile: decide again against the new one.
      result = awaitScript(record, field, sendNow(newerWins(record, field, null)), null);
    }
    return (Long) result.get(0);
  }

  private List<Object> awaitScript(
      Record record, byte[] field, RedisFuture<List<Object>> reply, byte[] expected) {
    try {
      return await(reply, "write to");
    } catch (OnlineStoreException e) {
      if (!(e.getCause() instanceof RedisNoScriptException)) {
        throw e;
      }
      byte[][] scriptKeys = {keys.entity(record.entityKey())};
      RedisFuture<List<Object>> again =
          expected == null
              ? commands.eval(SCRIPT, ScriptOutputType.MULTI, scriptKeys, field, record.value())
              : commands.eval(
                  SCRIPT, ScriptOutputType.MULTI, scriptKeys, field, record.value(), expected);
      flush();
      return await(again, "write to");
    }
  }

  private <T> RedisFuture<T> sendNow(RedisFuture<T> future) {
    flush();
    return future;
  }

  /**
   * Read-merge-compare-and-set: the stored sets of a pipeline of keys are read at once, merged
   * here, and each is written by {@code swap-if-same.lua} only if it is still the set read; a set
   * another writer changed meanwhile is merged again with what the script returned.
   */
  @Override
  public long updateTiles(String view, List<byte[]> entityKeys, TileUpdate update) {
    checkOpen();
    byte[] field = field(view);
    long changed = 0;
    for (int from = 0; from < entityKeys.size(); from += IN_FLIGHT) {
      int first = from;
      List<byte[]> batch = entityKeys.subList(from, Math.min(entityKeys.size(), from + IN_FLIGHT));
      List<byte[]> hashKeys = new ArrayList<>(batch.size());
      for (byte[] entityKey : batch) {
        hashKeys.add(keys.entity(entityKey));
      }
      List<byte[]> stored = hget(hashKeys, field);
      changed += swapAll(hashKeys, field, stored, (i, current) -> update.next(first + i, current));
    }
    return changed;
  }

  /**
   * Scans the project's entity hashes (as deleting a view does: a pass over the keyspace), reads
   * the view's set of each page of keys in one pipeline, and rewrites only the sets whose header
   * says a tile expired.
   */
  @Override
  public long expireTiles(String view, long newestEventNanos) {
    checkOpen();
    byte[] field = field(view);
    long[] changed = {0};
    forEachEntity(
        "expire tiles in",
        page -> {
          List<byte[]> stored = hget(page, field);
          List<byte[]> expiring = new ArrayList<>();
          List<byte[]> values = new ArrayList<>();
          for (int i = 0; i < page.size(); i++) {
            byte[] value = stored.get(i);
            if (value != null
                && TileSets.isTileSet(value)
                && TileSets.expiresBy(value, newestEventNanos)) {
              expiring.add(page.get(i));
              values.add(value);
            }
          }
          changed[0] +=
              swapAll(
                  expiring,
                  field,
                  values,
                  (i, current) ->
                      current == null ? null : TileSets.expire(current, newestEventNanos));
        });
    return changed[0];
  }

  /** The next value of a key from its current one (null: absent); null to delete. */
  private interface NextValue {
    byte[] of(int index, byte[] current);
  }

  private List<byte[]> hget(List<byte[]> entityKeys, byte[] field) {
    List<RedisFuture<byte[]>> replies = new ArrayList<>(entityKeys.size());
    for (byte[] key : entityKeys) {
      replies.add(commands.hget(key, field));
    }
    flush();
    List<byte[]> values = new ArrayList<>(replies.size());
    for (RedisFuture<byte[]> reply : replies) {
      values.add(await(reply, "read"));
    }
    return values;
  }

  /**
   * Sets each key's field to its next value with a compare-and-set on the value read, retrying a
   * key with the value the script found until its swap goes through.
   *
   * @return how many values changed
   */
  private long swapAll(List<byte[]> entityKeys, byte[] field, List<byte[]> read, NextValue next) {
    long changed = 0;
    byte[][] current = read.toArray(new byte[0][]);
    byte[][] wanted = new byte[current.length][];
    List<Integer> pending = new ArrayList<>();
    for (int i = 0; i < current.length; i++) {
      wanted[i] = next.of(i, current[i]);
      if (!Arrays.equals(wanted[i], current[i])) {
        pending.add(i);
      }
    }
    while (!pending.isEmpty()) {
      List<RedisFuture<List<Object>>> replies = new ArrayList<>(pending.size());
      for (int i : pending) {
        replies.add(swap(entityKeys.get(i), field, wanted[i], current[i]));
      }
      flush();
      List<Integer> again = new ArrayList<>();
      for (int p = 0; p < pending.size(); p++) {
        int i = pending.get(p);
        List<Object> result =
            awaitSwap(entityKeys.get(i), field, wanted[i], current[i], replies.get(p));
        if ((Long) result.get(0) == 1) {
          changed++;
          continue;
        }
        // Another writer changed the value since it was read: decide again from its value.
        current[i] = result.size() > 1 ? (byte[]) result.get(1) : null;
        wanted[i] = next.of(i, current[i]);
        if (!Arrays.equals(wanted[i], current[i])) {
          again.add(i);
        }
      }
      pending = again;
    }
    return changed;
  }

  private RedisFuture<List<Object>> swap(
      byte[] entityKey, byte[] field, byte[] value, byte[] expected) {
    return commands.evalsha(
        SWAP_SHA,
        ScriptOutputType.MULTI,
        new byte[][] {entityKey},
        field,
        value == null ? NONE : value,
        expected == null ? NONE : expected);
  }

  private List<Object> awaitSwap(
      byte[] entityKey,
      byte[] field,
      byte[] value,
      byte[] expected,
      RedisFuture<List<Object>> reply) {
    try {
      return await(reply, "write to");
    } catch (OnlineStoreException e) {
      if (!(e.getCause() instanceof RedisNoScriptException)) {
        throw e;
      }
      RedisFuture<List<Object>> again =
          commands.eval(
              SWAP_SCRIPT,
              ScriptOutputType.MULTI,
              new byte[][] {entityKey},
              field,
              value == null ? NONE : value,
              expected == null ? NONE : expected);
      flush();
      return await(again, "write to");
    }
  }

  @Override
  public List<byte[]> read(List<Key> requested) {
    checkOpen();
    // One HMGET per entity key, for all the views asked of it.
    Map<ByteBuffer, List<Integer>> byEntity = new LinkedHashMap<>();
    for (int i = 0; i < requested.size(); i++) {
      byEntity
          .computeIfAbsent(ByteBuffer.wrap(requested.get(i).entityKey()), k -> new ArrayList<>())
          .add(i);
    }
    List<RedisFuture<List<KeyValue<byte[], byte[]>>>> replies = new ArrayList<>(byEntity.size());
    for (Map.Entry<ByteBuffer, List<Integer>> entity : byEntity.entrySet()) {
      List<Integer> positions = entity.getValue();
      byte[][] fields = new byte[positions.size()][];
      for (int f = 0; f < fields.length; f++) {
        fields[f] = field(requested.get(positions.get(f)).view());
      }
      replies.add(commands.hmget(keys.entity(entity.getKey().array()), fields));
    }
    flush();
    byte[][] rows = new byte[requested.size()][];
    int e = 0;
    for (List<Integer> positions : byEntity.values()) {
      List<KeyValue<byte[], byte[]>> values = await(replies.get(e++), "read");
      for (int f = 0; f < positions.size(); f++) {
        KeyValue<byte[], byte[]> value = values.get(f);
        rows[positions.get(f)] = value.hasValue() ? value.getValue() : null;
      }
    }
    return Arrays.asList(rows);
  }

  @Override
  public void deleteView(String view) {
    checkOpen();
    byte[] field = field(view);
    forEachEntity(
        "delete from",
        batch -> {
          List<RedisFuture<Long>> replies = new ArrayList<>(batch.size());
          for (byte[] key : batch) {
            replies.add(commands.hdel(key, field));
          }
          flush();
          for (RedisFuture<Long> reply : replies) {
            await(reply, "delete from");
          }
        });
  }

  @Override
  public long rowCount(String view) {
    checkOpen();
    byte[] field = field(view);
    long[] count = {0};
    forEachEntity(
        "read",
        batch -> {
          List<RedisFuture<Boolean>> replies = new ArrayList<>(batch.size());
          for (byte[] key : batch) {
            replies.add(commands.hexists(key, field));
          }
          flush();
          for (RedisFuture<Boolean> reply : replies) {
            if (await(reply, "read")) {
              count[0]++;
            }
          }
        });
    return count[0];
  }

  /** Scans the project's entity hashes (every node of a cluster), a batch of keys at a time. */
  private void forEachEntity(String action, java.util.function.Consumer<List<byte[]>> consumer) {
    ScanArgs args = ScanArgs.Builder.matches(keys.pattern()).limit(SCAN_COUNT);
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      RedisFuture<KeyScanCursor<byte[]>> reply = commands.scan(cursor, args);
      flush();
      KeyScanCursor<byte[]> page = await(reply, action);
      if (!page.getKeys().isEmpty()) {
        consumer.accept(page.getKeys());
      }
      cursor = page;
    } while (!cursor.isFinished());
  }

  private static byte[] field(String view) {
    return view.getBytes(StandardCharsets.UTF_8);
  }

  private void flush() {
    if (manualFlush) {
      connection.flushCommands();
    }
  }

  private <T> T await(RedisFuture<T> reply, String action) {
    // Lettuce fails a command after the command timeout; waiting a little longer here only
    // guards against a reply that never completes.
    long waitMillis = settings.commandTimeout().toMillis() * 2 + 1_000;
    try {
      return reply.get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw failed(action, e.getCause());
    } catch (TimeoutException e) {
      reply.cancel(false);
      throw failed(action, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed(action, e);
    }
  }

  private OnlineStoreException failed(String action, Throwable cause) {
    return new OnlineStoreException(
        "Cannot "
            + action
            + " the Redis online store at "
            + settings.describe()
            + ": "
            + rootMessage(cause),
        cause);
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message;
  }

  private void checkOpen() {
    if (closed) {
      throw new OnlineStoreException(
          "The Redis online store at " + settings.describe() + " is closed");
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    connection.close();
    shutdown();
  }

  private void shutdown() {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }

  private static byte[] loadScript(String name) {
    try (InputStream in = RedisOnlineStore.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha1(byte[] bytes) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-1").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
