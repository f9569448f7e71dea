package dev.quiver.materializer;

import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.offline.resources.MemoryLimitException;
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
 * <p>Row groups are decoded in parallel on the worker pool; their rows are folded into the tiles in
 * row-group order, one batch at a time, so float sums add up in the same order on every run and two
 * runs write the same bytes. The tiles are held in columns (about 60 bytes each); when the plan's
 * rows could make more than the memory reserved holds, keys are split by hash into partitions and
 * the source is read once per partition, so memory stays bounded whatever the number of keys.
 */
final class TileMaterialization {

  private static final Logger LOG = LoggerFactory.getLogger(TileMaterialization.class);

  private static final long SLACK_BYTES = 16L << 20;

  private final FeatureView view;
  private final ParquetSource source;
  private final List<Entity> entities;
  private final Path repoRoot;
  private final SupportsTiles store;
  private final MaterializationOptions options;
  private final MemoryBudget memory;
  private final MaterializationProgress progress;
  private final long knownNewest;
  private final TileLayout layout;
  private final Map<String, ScalarType> keyTypes = new HashMap<>();
  private final boolean singleLongKey;
  private final long[] hops;
  private final long[] reaches;
  private final long[] firstBucket;
  private final long[] lastBucket;

  // The current pass's state; rows are folded in by one thread at a time, in row-group order.
  private final ConcurrentHashMap<Integer, SourceScan.ScanBatch> ready = new ConcurrentHashMap<>();
  private final ReentrantLock folding = new ReentrantLock();
  private volatile int nextTask;
  private int pass;
  private int passes;
  private TileKeys keys;
  private TileTable[] tables;
  private long[] cutoff;
  private long newest = Long.MIN_VALUE;
  private long rowsInWindow;

  /**
   * @param knownNewest the newest event materialized for the view before, {@link Long#MIN_VALUE}
   *     when none: tiles out of reach from it are not computed
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
      long knownNewest) {
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
    this.layout = TileLayout.of(view.aggregateFeatures());
    for (Entity entity : entities) {
      keyTypes.put(entity.joinKey(), entity.type());
    }
    singleLongKey =
        entities.size() == 1
            && (entities.get(0).type() == ScalarType.INT64
                || entities.get(0).type() == ScalarType.INT32);
    int series = layout.series().size();
    hops = new long[series];
    reaches = new long[series];
    firstBucket = new long[series];
    lastBucket = new long[series];
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
    long from = Long.MAX_VALUE;
    long to = Long.MIN_VALUE;
    for (int s = 0; s < hops.length; s++) {
      firstBucket[s] = start == Long.MIN_VALUE ? Long.MIN_VALUE : WindowText.floor(start, hops[s]);
      lastBucket[s] = WindowText.floor(end, hops[s]);
      from = Math.min(from, firstBucket[s]);
      to = Math.max(to, saturatingAdd(lastBucket[s], hops[s] - 1));
    }
    ScanPlan plan =
        ScanPlan.builder(
                "feature view '" + view.name() + "'",
                ViewColumns.files(view, source, repoRoot, "materialize"),
                ViewColumns.of(source, entities, view.sourceColumns()))
            .timeRange(source.timestampField(), from, to)
            .build();
    long largest = plan.tasks().stream().mapToLong(ScanPlan.Task::estimatedBytes).max().orElse(0);
    long reading = 2 * largest * options.threads() + SLACK_BYTES;
    // At most one tile per row and series, and one key per row.
    long tileBytes =
        plan.rows() * (hops.length * TileTable.bytesPerTile(layout) + TileKeys.BYTES_PER_KEY);
    try (Reservation reservation =
        memory.reserve(
            "materialize-" + view.name(),
            Math.min(reading + tileBytes, memory.limit()),
            Math.min(reading, memory.limit()))) {
      long budget = Math.max(1, Math.min(options.memoryBudget(), reservation.bytes() - reading));
      passes = (int) Math.max(1, Math.min(1 << 16, (tileBytes + budget - 1) / budget));
      return run(plan, reservation.allocator(), start, end);
    } catch (OutOfMemoryException e) {
      throw new MemoryLimitException(
          "Cannot materialize feature view '"
              + view.name()
              + "': it needed more memory than the process's limit of "
              + MemoryBudget.megabytes(memory.limit())
              + " leaves free; raise "
              + MemoryBudget.LIMIT_VARIABLE
              + " or the JVM's -Xmx, or run it when fewer operations are",
          e);
    }
  }

  private ViewMaterialization.Outcome run(
      ScanPlan plan, BufferAllocator allocator, long start, long end) {
    progress.viewStarted(view.name(), plan.rows());
    long written = 0;
    long readingNanos = 0;
    long writingNanos = 0;
    try {
      for (pass = 0; pass < passes; pass++) {
        keys =
            singleLongKey
                ? new TileKeys.ByLong(key -> KeyColumns.encodeLong(entities.get(0), key))
                : new TileKeys.ByBytes();
        tables = new TileTable[hops.length];
        for (int s = 0; s < hops.length; s++) {
          tables[s] = new TileTable(layout, hops[s]);
        }
        cutoff = new long[hops.length];
        updateCutoffs(Math.max(knownNewest, newest));
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
    if (newest > knownNewest) {
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

  private void updateCutoffs(long newestEvent) {
    for (int s = 0; s < hops.length; s++) {
      cutoff[s] =
          newestEvent == Long.MIN_VALUE
              ? Long.MIN_VALUE
              : WindowText.windowStart(newestEvent, reaches[s], hops[s]);
      if (tables != null && tables[s] != null) {
        tables[s].cutoff(cutoff[s]);
      }
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

  private void fold(SourceScan.ScanBatch batch) {
    VectorSchemaRoot root = batch.root();
    List<FieldVector> keyColumns = new ArrayList<>();
    for (Entity entity : entities) {
      keyColumns.add(root.getVector(entity.joinKey()));
    }
    TimeStampNanoTZVector ts = (TimeStampNanoTZVector) root.getVector(ViewColumns.EVENT_TS);
    FieldVector[] columns = new FieldVector[layout.slots().size()];
    for (int s = 0; s < columns.length; s++) {
      columns[s] = root.getVector(layout.slots().get(s).column());
    }
    Map<String, Object> keyValues = new HashMap<>();
    for (int row = 0; row < root.getRowCount(); row++) {
      if (ts.isNull(row) || KeyColumns.hasNull(keyColumns, row)) {
        continue;
      }
      long at = ts.get(row);
      if (!inRange(at)) {
        continue;
      }
      int keyId;
      if (singleLongKey) {
        long key = KeyColumns.longValue(keyColumns.get(0), row);
        if (passes > 1 && Math.floorMod(TileKeys.ByLong.hash(key), passes) != pass) {
          continue;
        }
        keyId = ((TileKeys.ByLong) keys).id(key);
      } else {
        keyValues.clear();
        for (int k = 0; k < keyColumns.size(); k++) {
          keyValues.put(entities.get(k).joinKey(), OnlineValues.of(keyColumns.get(k), row));
        }
        byte[] key = EntityKeyCodec.encode(keyValues, keyTypes);
        if (passes > 1 && Math.floorMod(Arrays.hashCode(key), passes) != pass) {
          continue;
        }
        keyId = ((TileKeys.ByBytes) keys).id(key);
      }
      if (pass == 0) {
        rowsInWindow++;
      }
      if (at > newest) {
        newest = at;
        updateCutoffs(Math.max(knownNewest, newest));
      }
      for (int s = 0; s < hops.length; s++) {
        long bucket = WindowText.floor(at, hops[s]);
        if (bucket < firstBucket[s] || bucket > lastBucket[s] || bucket < cutoff[s]) {
          continue;
        }
        TileTable table = tables[s];
        table.add(table.tile(keyId, bucket), at, columns, row, batch.ordinal(row));
      }
    }
  }

  /** Whether an event falls in a bucket the run recomputes, in any series. */
  private boolean inRange(long at) {
    for (int s = 0; s < hops.length; s++) {
      long bucket = WindowText.floor(at, hops[s]);
      if (bucket >= firstBucket[s] && bucket <= lastBucket[s]) {
        return true;
      }
    }
    return false;
  }

  /** Encodes every key's tile set and merges them into the store; how many sets changed. */
  private long write() {
    long newestEvent = Math.max(knownNewest, newest);
    updateCutoffs(newestEvent);
    TileTable.Order[] orders = new TileTable.Order[tables.length];
    for (int s = 0; s < tables.length; s++) {
      orders[s] = tables[s].orderByKey(keys.size());
    }
    // Keys left with a tile in reach, in id order.
    int[] written = new int[keys.size()];
    int count = 0;
    for (int k = 0; k < keys.size(); k++) {
      for (int s = 0; s < tables.length; s++) {
        TileTable.Order order = orders[s];
        int last = order.starts()[k + 1];
        if (last > order.starts()[k] && tables[s].bucket(order.order()[last - 1]) >= cutoff[s]) {
          written[count++] = k;
          break;
        }
      }
    }
    // In key order, as stores write best (RocksDB skips its lookups for a view's first load).
    byte[][] encodedKeys = new byte[count][];
    Integer[] byKey = new Integer[count];
    for (int i = 0; i < count; i++) {
      encodedKeys[i] = keys.encoded(written[i]);
      byKey[i] = i;
    }
    Arrays.sort(byKey, (a, b) -> Arrays.compareUnsigned(encodedKeys[a], encodedKeys[b]));
    int[] ids = new int[count];
    List<byte[]> entityKeys = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids[i] = written[byKey[i]];
      entityKeys.add(encodedKeys[byKey[i]]);
    }
    EncodingPipeline.BatchEncoder encoder =
        (from, to) -> {
          TileOutput scratch = new TileOutput();
          TileSets.Writer set = new TileSets.Writer(layout, newestEvent);
          byte[][] sets = new byte[to - from][];
          for (int i = from; i < to; i++) {
            set.reset();
            for (int s = 0; s < tables.length; s++) {
              TileTable.Order order = orders[s];
              for (int at = order.starts()[ids[i]]; at < order.starts()[ids[i] + 1]; at++) {
                int tile = order.order()[at];
                if (tables[s].bucket(tile) >= cutoff[s]) {
                  tables[s].body(tile, scratch);
                  set.tile(s, tables[s].bucket(tile), scratch);
                }
              }
            }
            sets[i - from] = set.toBytes();
          }
          return sets;
        };
    long changed = 0;
    try (EncodingPipeline records =
        new EncodingPipeline(
            entityKeys, encoder, options.threads(), ViewMaterialization.WRITE_BATCH)) {
      List<OnlineStore.Record> batch = new ArrayList<>(ViewMaterialization.WRITE_BATCH);
      while (records.hasNext()) {
        batch.add(records.next());
        if (batch.size() == ViewMaterialization.WRITE_BATCH || !records.hasNext()) {
          changed += store.mergeTiles(view.name(), batch);
          batch.clear();
        }
      }
    }
    return changed;
  }

  private static long saturatingAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
  }
}
