package dev.quiver.materializer;

import dev.quiver.offline.parquet.RowGroupStatistics;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.offline.resources.Reservation;
import dev.quiver.offline.resources.WorkerPool;
import dev.quiver.offline.scan.ScanPlan;
import dev.quiver.offline.scan.SourceScan;
import dev.quiver.offline.scan.ViewColumns;
import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.SupportsTiles;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.online.tiles.TileOutput;
import dev.quiver.online.tiles.TileSets;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.WindowText;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materializes an aggregation view over {@code [start, end]}: recomputes, for every hop series,
 * each tile (key, bucket) the interval touches from every source row in that bucket, even rows
 * after {@code end} in its last bucket, and merges them into the online store, where each replaces
 * the stored tile of its bucket. Re-running, overlapping and reordering runs thus never count a row
 * twice. Then, when the view's newest event moved on, sweeps the tiles no window can reach any
 * more.
 *
 * <p>Row groups are decoded in parallel on the worker pool; their rows are buffered by key
 * partition in row-group order (a batch at a time), so each partition's events, and so its float
 * sums, are added up in the same order on every run and two runs write the same bytes. Once the
 * source is read the newest event is known, so tiles out of reach are never made; each partition's
 * tiles are then computed on the worker pool in a table small enough for the processor's caches
 * (one table over all keys spent most of its time in cache misses), encoded, and the sets merged
 * into the store in key order. When the plan's rows could make more than the memory reserved holds,
 * keys are split by hash into passes, each reading the source again, so memory stays bounded
 * whatever the number of keys.
 */
final class TileMaterialization {

  private static final Logger LOG = LoggerFactory.getLogger(TileMaterialization.class);

  private static final long SLACK_BYTES = 16L << 20;

  /** A tile's encoded bytes, roughly, with its share of the set's and record's overhead. */
  private static final long ENCODED_TILE_BYTES = 64;

  /** Events per key partition aimed at: their tiles then fit in the processor's caches. */
  static final long EVENTS_PER_PARTITION = 1 << 15;

  private final FeatureView view;
  private final ParquetSource source;
  private final List<Entity> entities;
  private final Path repoRoot;
  private final SupportsTiles store;
  private final MaterializationOptions options;
  private final MemoryBudget memory;
  private final MaterializationProgress progress;
  private final long knownNewest;
  private final long eventsPerPartition;
  private final TileLayout layout;
  private final Map<String, ScalarType> keyTypes = new HashMap<>();
  private final boolean singleLongKey;
  private final long[] hops;
  private final long[] reaches;
  private TileBuckets buckets;
  private long[] firstBucket;
  private long[] lastBucket;
  // The aggregated columns, each once, and per slot its column's position among them.
  private final List<Feature> columns;
  private final int[] slotColumn;

  // The current pass's state; rows are folded in by one thread at a time, in row-group order.
  private final ConcurrentHashMap<Integer, SourceScan.ScanBatch> ready = new ConcurrentHashMap<>();
  private final ReentrantLock folding = new ReentrantLock();
  private volatile int nextTask;
  private int pass;
  private int passes;
  private int partitionBits;
  private EventBuffer[] partitions;
  // Partitions by ranges of a single integral key's values, in key order, when the row groups'
  // statistics bound the keys on one side of zero (where unsigned order, the encoded keys', is the
  // values' order): each partition's sets can then be written as soon as they are made.
  private RowGroupStatistics.LongRange keyRange;
  private long keyRangeWidth;
  private long[] cutoff;
  private long newest = Long.MIN_VALUE;
  private long rowsInWindow;

  /**
   * @param knownNewest the newest event materialized for the view before, {@link Long#MIN_VALUE}
   *     when none: tiles out of reach from it are not computed
   * @param eventsPerPartition how many events a key partition holds at most, roughly ({@link
   *     #EVENTS_PER_PARTITION})
   */
  TileMaterialization(
      FeatureView view,
      ParquetSource source,
      List<Entity> entities,
      Path repoRoot,
      OnlineStore store,
      MaterializationOptions options,
      MemoryBudget memory,
      MaterializationProgress progress,
      long knownNewest,
      long eventsPerPartition) {
    if (!(store instanceof SupportsTiles tiles)) {
      throw new UnsupportedOperationException(
          "Cannot materialize feature view '"
              + view.name()
              + "': "
              + store.getClass().getSimpleName()
              + " does not support tiles, which aggregation views need");
    }
    this.view = view;
    this.source = source;
    this.entities = entities;
    this.repoRoot = repoRoot;
    this.store = tiles;
    this.options = options;
    this.memory = memory;
    this.progress = progress;
    this.knownNewest = knownNewest;
    this.eventsPerPartition = eventsPerPartition;
    this.layout = TileLayout.of(view.aggregateFeatures());
    for (Entity entity : entities) {
      keyTypes.put(entity.joinKey(), entity.type());
    }
    singleLongKey =
        entities.size() == 1
            && (entities.get(0).type() == ScalarType.INT64
                || entities.get(0).type() == ScalarType.INT32);
    columns = view.sourceColumns();
    slotColumn = new int[layout.slots().size()];
    for (int s = 0; s < slotColumn.length; s++) {
      String column = layout.slots().get(s).column();
      for (int c = 0; c < columns.size(); c++) {
        if (columns.get(c).name().equals(column)) {
          slotColumn[s] = c;
        }
      }
    }
    int series = layout.series().size();
    hops = new long[series];
    reaches = new long[series];
    for (int s = 0; s < series; s++) {
      hops[s] = layout.series().get(s).hop();
      reaches[s] = layout.series().get(s).reach();
    }
  }

  /**
   * @param start nanoseconds, or {@link Long#MIN_VALUE} for the beginning of the data
   * @param end nanoseconds, inclusive
   */
  ViewMaterialization.Outcome run(long start, long end) {
    buckets = TileBuckets.of(layout, start, end);
    firstBucket = buckets.first();
    lastBucket = buckets.last();
    long from = buckets.from();
    long to = buckets.to();
    ScanPlan plan =
        ScanPlan.builder(
                "feature view '" + view.name() + "'",
                ViewColumns.files(view, source, repoRoot, "materialize"),
                ViewColumns.of(source, entities, view.sourceColumns()))
            .timeRange(source.timestampField(), from, to)
            .integerRangeOf(singleLongKey ? source.columnFor(entities.get(0).joinKey()) : null)
            .build();
    long largest = plan.tasks().stream().mapToLong(ScanPlan.Task::estimatedBytes).max().orElse(0);
    long reading = 2 * largest * options.threads() + SLACK_BYTES;
    // Every row buffered, and at most one encoded tile per row and series. Keys and texts are
    // buffered as arrays of their own: when they are long (string keys, long values), the bytes
    // they decode to, plus an array header each, exceed the fixed estimate.
    long decodedPerRow = plan.rows() == 0 ? 0 : plan.estimatedBytes() / plan.rows();
    long arrays =
        (singleLongKey ? 0 : 1)
            + columns.stream()
                .filter(
                    c ->
                        c.type().element() == ScalarType.STRING
                            || c.type().element() == ScalarType.BYTES)
                .count();
    long perEvent =
        Math.max(EventBuffer.bytesPerEvent(singleLongKey, columns), decodedPerRow + 24 * arrays);
    long tileBytes = plan.rows() * (perEvent + hops.length * ENCODED_TILE_BYTES);
    try (Reservation reservation =
        memory.reserve(
            "materialize-" + view.name(),
            Math.min(reading + tileBytes, memory.limit()),
            Math.min(reading, memory.limit()))) {
      long budget = Math.max(1, Math.min(options.memoryBudget(), reservation.bytes() - reading));
      passes = (int) Math.max(1, Math.min(1 << 16, (tileBytes + budget - 1) / budget));
      long perPass = plan.rows() / passes;
      partitionBits = 0;
      while (partitionBits < 12 && (perPass >> partitionBits) > eventsPerPartition) {
        partitionBits++;
      }
      keyRange = plan.integerRange().filter(r -> r.min() >= 0 || r.max() < 0).orElse(null);
      if (keyRange != null) {
        keyRangeWidth = (keyRange.max() - keyRange.min()) / (1L << partitionBits) + 1;
      }
      return run(plan, reservation.allocator(), start, end);
    } catch (OutOfMemoryException e) {
      throw ViewMaterialization.outOfMemory(view, memory, e);
    }
  }

  private ViewMaterialization.Outcome run(
      ScanPlan plan, BufferAllocator allocator, long start, long end) {
    cutoff = new long[hops.length];
    progress.viewStarted(view.name(), plan.rows());
    long written = 0;
    long readingNanos = 0;
    long writingNanos = 0;
    try {
      for (pass = 0; pass < passes; pass++) {
        partitions = new EventBuffer[1 << partitionBits];
        for (int p = 0; p < partitions.length; p++) {
          partitions[p] =
              new EventBuffer(
                  singleLongKey,
                  columns,
                  (int) Math.min(1 << 24, plan.rows() / passes / partitions.length * 9 / 8 + 16));
        }
        nextTask = 0;
        long passStarted = System.nanoTime();
        try {
          new SourceScan(plan, allocator).run(WorkerPool.shared(), options.threads(), this::offer);
          foldReady();
        } finally {
          ready.values().forEach(batch -> batch.root().close());
          ready.clear();
        }
        long writeStarted = System.nanoTime();
        readingNanos += writeStarted - passStarted;
        written += write();
        writingNanos += System.nanoTime() - writeStarted;
      }
    } finally {
      progress.viewFinished(view.name());
    }
    long newestEvent = Math.max(knownNewest, newest);
    long expired = 0;
    long sweepStarted = System.nanoTime();
    if (newest > knownNewest && anyTileExpiresBetween(knownNewest, newestEvent)) {
      expired = store.expireTiles(view.name(), newestEvent);
    }
    LOG.info(
        "{}: tiles of {} rows in {} pass(es) read and folded in {} ms, {} sets written in {} ms,"
            + " {} swept in {} ms",
        view.name(),
        rowsInWindow,
        passes,
        readingNanos / 1_000_000,
        written,
        writingNanos / 1_000_000,
        expired,
        (System.nanoTime() - sweepStarted) / 1_000_000);
    return new ViewMaterialization.Outcome(plan.rows(), rowsInWindow, written, newest);
  }

  /**
   * Whether moving the view's newest event from {@code before} to {@code after} puts any tile out
   * of reach: a tile of bucket {@code b} in a series of hop {@code h} and reach {@code r} goes when
   * the newest event reaches {@code b + h + r}, so only when that instant lies in {@code (before,
   * after]} for some bucket can a sweep drop anything (the run that recorded {@code before} swept
   * up to it). Frequent incremental runs then sweep once a hop, not every run.
   */
  boolean anyTileExpiresBetween(long before, long after) {
    if (before == Long.MIN_VALUE) {
      return after != Long.MIN_VALUE;
    }
    for (int s = 0; s < hops.length; s++) {
      long offset = TileBuckets.saturatingAdd(hops[s], reaches[s]);
      if (WindowText.floor(TileBuckets.saturatingAdd(after, -offset), hops[s])
          > WindowText.floor(TileBuckets.saturatingAdd(before, -offset), hops[s])) {
        return true;
      }
    }
    return false;
  }

  private void updateCutoffs(long newestEvent) {
    for (int s = 0; s < hops.length; s++) {
      cutoff[s] =
          newestEvent == Long.MIN_VALUE
              ? Long.MIN_VALUE
              : WindowText.windowStart(newestEvent, reaches[s], hops[s]);
    }
  }

  private boolean offer(SourceScan.ScanBatch batch) {
    ready.put(batch.task().index(), batch);
    foldReady();
    return true;
  }

  /**
   * Folds the batches that are next in row-group order. Whoever holds the lock folds; a thread that
   * finds it taken leaves its batch to the holder, who looks again after letting go.
   */
  private void foldReady() {
    do {
      if (!folding.tryLock()) {
        return;
      }
      try {
        SourceScan.ScanBatch batch;
        while ((batch = ready.remove(nextTask)) != null) {
          try {
            fold(batch);
          } finally {
            batch.root().close();
          }
          nextTask++;
          if (pass == 0) {
            progress.rowsRead(view.name(), batch.task().rows());
          }
        }
      } finally {
        folding.unlock();
      }
    } while (ready.containsKey(nextTask));
  }

  /** Buffers the batch's events in the buckets the run recomputes, by key partition. */
  private void fold(SourceScan.ScanBatch batch) {
    VectorSchemaRoot root = batch.root();
    List<FieldVector> keyColumns = new ArrayList<>();
    for (Entity entity : entities) {
      keyColumns.add(root.getVector(entity.joinKey()));
    }
    TimeStampNanoTZVector ts = (TimeStampNanoTZVector) root.getVector(ViewColumns.EVENT_TS);
    FieldVector[] vectors = new FieldVector[columns.size()];
    for (int c = 0; c < vectors.length; c++) {
      vectors[c] = root.getVector(columns.get(c).name());
    }
    int partitionMask = (1 << partitionBits) - 1;
    Map<String, Object> keyValues = new HashMap<>();
    for (int row = 0; row < root.getRowCount(); row++) {
      if (ts.isNull(row) || KeyColumns.hasNull(keyColumns, row)) {
        continue;
      }
      long at = ts.get(row);
      if (!buckets.contains(at)) {
        continue;
      }
      long longKey = 0;
      byte[] byteKey = null;
      int hash;
      if (singleLongKey) {
        longKey = KeyColumns.longValue(keyColumns.get(0), row);
        hash = TileKeys.ByLong.hash(longKey);
      } else {
        keyValues.clear();
        for (int k = 0; k < keyColumns.size(); k++) {
          keyValues.put(entities.get(k).joinKey(), OnlineValues.of(keyColumns.get(k), row));
        }
        byteKey = EntityKeyCodec.encode(keyValues, keyTypes);
        hash = Arrays.hashCode(byteKey) * 0x9E3779B9;
      }
      // Every pass reads every row: the first counts them, and each knows the newest event (the
      // retention base of every pass's sets) before writing.
      if (pass == 0) {
        rowsInWindow++;
      }
      newest = Math.max(newest, at);
      if (passes > 1 && Math.floorMod(hash, passes) != pass) {
        continue;
      }
      EventBuffer events = partitions[partitionOf(longKey, hash, partitionMask)];
      int event = events.add(longKey, byteKey, at, batch.ordinal(row));
      for (int c = 0; c < vectors.length; c++) {
        events.columns[c].set(event, vectors[c], row);
      }
    }
  }

  private int partitionOf(long key, int hash, int mask) {
    if (keyRange == null) {
      return (hash >>> 16) & mask;
    }
    // Keys beyond the statistics' range (which should bound them all) stay in order at the ends.
    if (key <= keyRange.min()) {
      return 0;
    }
    if (key >= keyRange.max()) {
      return mask;
    }
    return (int) Math.min(mask, (key - keyRange.min()) / keyRangeWidth);
  }

  /**
   * Computes the tiles of each key partition (on the worker pool, a partition per task, each in the
   * order its events were read), encodes every key's set, and merges them into the store in key
   * order; how many sets changed.
   */
  private long write() {
    long newestEvent = Math.max(knownNewest, newest);
    updateCutoffs(newestEvent);
    if (keyRange != null) {
      return writeInOrder(newestEvent);
    }
    List<WorkerPool.Task> tasks = new ArrayList<>(partitions.length);
    KeyedSets[] sets = new KeyedSets[partitions.length];
    for (int p = 0; p < partitions.length; p++) {
      int partition = p;
      tasks.add(() -> sets[partition] = tileSets(partition, newestEvent));
    }
    WorkerPool.shared().runAll(tasks, options.threads());
    return merge(inKeyOrder(sets));
  }

  /**
   * Partitions hold key ranges in order: each partition's sets are merged into the store as soon as
   * they are made, while the worker pool makes the next ones.
   */
  private long writeInOrder(long newestEvent) {
    int ahead = options.threads() * 2;
    java.util.ArrayDeque<WorkerPool.Claimable<KeyedSets>> pending = new java.util.ArrayDeque<>();
    int submitted = 0;
    long changed = 0;
    try {
      for (int p = 0; p < partitions.length; p++) {
        while (submitted < partitions.length && pending.size() < ahead) {
          int partition = submitted++;
          pending.add(WorkerPool.shared().submit(() -> tileSets(partition, newestEvent)));
        }
        changed += merge(inKeyOrder(new KeyedSets[] {pending.remove().join()}));
      }
    } finally {
      // Partitions not started never will be; they only read the event buffers.
      pending.forEach(claimable -> claimable.cancel(false));
    }
    return changed;
  }

  private long merge(List<OnlineStore.Record> sets) {
    long changed = 0;
    for (int from = 0; from < sets.size(); from += ViewMaterialization.WRITE_BATCH) {
      changed +=
          store.mergeTiles(
              view.name(),
              sets.subList(from, Math.min(sets.size(), from + ViewMaterialization.WRITE_BATCH)));
    }
    return changed;
  }

  /** The partitions' sets in key order, as stores write best (RocksDB skips its lookups then). */
  private List<OnlineStore.Record> inKeyOrder(KeyedSets[] sets) {
    int count = 0;
    for (KeyedSets partition : sets) {
      count += partition.records().size();
    }
    List<OnlineStore.Record> all = new ArrayList<>(count);
    long[] longKeys = singleLongKey ? new long[count] : null;
    for (KeyedSets partition : sets) {
      if (singleLongKey) {
        System.arraycopy(partition.longKeys(), 0, longKeys, all.size(), partition.records().size());
      }
      all.addAll(partition.records());
    }
    if (!singleLongKey) {
      all.sort((a, b) -> Arrays.compareUnsigned(a.entityKey(), b.entityKey()));
      return all;
    }
    // An int32 or int64 key's encoded bytes sort as its value does unsigned (big-endian two's
    // complement), the same for every key: no byte comparisons.
    Integer[] order = new Integer[count];
    for (int i = 0; i < count; i++) {
      order[i] = i;
    }
    boolean int32 = entities.get(0).type() == ScalarType.INT32;
    Arrays.sort(
        order,
        (a, b) ->
            int32
                ? Integer.compareUnsigned((int) longKeys[a], (int) longKeys[b])
                : Long.compareUnsigned(longKeys[a], longKeys[b]));
    List<OnlineStore.Record> sorted = new ArrayList<>(count);
    for (int i : order) {
      sorted.add(all.get(i));
    }
    return sorted;
  }

  /** A partition's encoded sets, and for a single integral key the key of each. */
  private record KeyedSets(List<OnlineStore.Record> records, long[] longKeys) {}

  /** The tile sets of one partition's keys; the partition's events are let go. */
  private KeyedSets tileSets(int partition, long newestEvent) {
    EventBuffer events = partitions[partition];
    partitions[partition] = null;
    TileKeys keys =
        singleLongKey
            ? new TileKeys.ByLong(key -> KeyColumns.encodeLong(entities.get(0), key))
            : new TileKeys.ByBytes();
    TileTable[] tables = new TileTable[hops.length];
    for (int s = 0; s < hops.length; s++) {
      tables[s] = new TileTable(layout, hops[s]);
    }
    EventColumn[] slotColumns = new EventColumn[slotColumn.length];
    for (int s = 0; s < slotColumns.length; s++) {
      slotColumns[s] = events.columns[slotColumn[s]];
    }
    for (int e = 0; e < events.size(); e++) {
      long at = events.time(e);
      int keyId = -1;
      for (int s = 0; s < hops.length; s++) {
        long bucket = WindowText.floor(at, hops[s]);
        if (bucket < firstBucket[s] || bucket > lastBucket[s] || bucket < cutoff[s]) {
          continue;
        }
        if (keyId < 0) {
          keyId =
              singleLongKey
                  ? ((TileKeys.ByLong) keys).id(events.longKey(e))
                  : ((TileKeys.ByBytes) keys).id(events.byteKey(e));
        }
        TileTable table = tables[s];
        table.add(table.tile(keyId, bucket), at, slotColumns, e, events.ordinal(e));
      }
    }
    TileTable.Order[] orders = new TileTable.Order[tables.length];
    for (int s = 0; s < tables.length; s++) {
      orders[s] = tables[s].orderByKey(keys.size());
    }
    List<OnlineStore.Record> records = new ArrayList<>(keys.size());
    long[] longKeys = singleLongKey ? new long[keys.size()] : null;
    TileOutput body = new TileOutput();
    TileSets.Writer set = new TileSets.Writer(layout, newestEvent);
    for (int k = 0; k < keys.size(); k++) {
      set.reset();
      for (int s = 0; s < tables.length; s++) {
        TileTable.Order order = orders[s];
        for (int at = order.starts()[k]; at < order.starts()[k + 1]; at++) {
          int tile = order.order()[at];
          tables[s].body(tile, body);
          set.tile(s, tables[s].bucket(tile), body);
        }
      }
      byte[] bytes = set.toBytes();
      if (bytes != null) {
        if (singleLongKey) {
          longKeys[records.size()] = ((TileKeys.ByLong) keys).value(k);
        }
        records.add(new OnlineStore.Record(keys.encoded(k), bytes));
      }
    }
    return new KeyedSets(records, longKeys);
  }
}
