package dev.quiver.materializer;

import dev.quiver.QuiverException;
import dev.quiver.offline.parquet.RowGroupStatistics;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.offline.resources.MemoryLimitException;
import dev.quiver.offline.resources.Reservation;
import dev.quiver.offline.resources.WorkerPool;
import dev.quiver.offline.scan.ScanPlan;
import dev.quiver.offline.scan.SourceScan;
import dev.quiver.offline.scan.ViewColumns;
import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineRow;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.SupportsBulkWrite;
import dev.quiver.online.ValueCodec;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materializes one view over {@code [start, end]}: per entity key, the row the point-in-time rule
 * would pick at {@code end} among source rows in the window (latest event time, then created time,
 * then file and row order), whatever its age, written to the online store.
 *
 * <p>The source's {@link ScanPlan} (row groups whose timestamps may lie in the window) is read in
 * parallel on the process's worker pool, within a reservation of the process's memory. Each row is
 * kept only while it is its key's best so far; when the kept rows outgrow the memory they may take
 * they are written out (newer-wins makes that safe) and the tables start again, so memory stays
 * bounded whatever the number of keys.
 */
final class ViewMaterialization {

  private static final Logger LOG = LoggerFactory.getLogger(ViewMaterialization.class);

  static final int WRITE_BATCH = 50_000;

  /** Bytes a kept row takes, roughly, when sizing the reservation before any row is read. */
  private static final long KEPT_ROW_BYTES = 64;

  private static final long SLACK_BYTES = 16L << 20;

  private final FeatureView view;
  private final ParquetSource source;
  private final List<Entity> entities;
  private final Path repoRoot;
  private final OnlineStore store;
  private final MaterializationOptions options;
  private final MemoryBudget memory;
  private final MaterializationProgress progress;
  private final List<Path> files;
  private final Map<String, ScalarType> keyTypes = new HashMap<>();
  private final BlockingQueue<KeptRows> keptRows;
  private final List<KeptRows> allKept = new ArrayList<>();
  private final ReadWriteLock flushing = new ReentrantReadWriteLock();
  private final AtomicLong rowsInWindow = new AtomicLong();
  private final AtomicLong newestEvent = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong rowsWritten = new AtomicLong();
  private final ValueCodec.ColumnEncoder encoder;
  private volatile long lastFlushRows;
  private BufferAllocator allocator;
  private long budget;
  private boolean deferEncoding;
  private VectorSchemaRoot[] chunks;

  /**
   * What a view's materialization did.
   *
   * @param newestEventNanos the newest event time among the window's rows, {@link Long#MIN_VALUE}
   *     when it had none
   */
  record Outcome(long sourceRowsRead, long rowsInWindow, long rowsWritten, long newestEventNanos) {}

  ViewMaterialization(
      FeatureView view,
      ParquetSource source,
      List<Entity> entities,
      Path repoRoot,
      OnlineStore store,
      MaterializationOptions options,
      MemoryBudget memory,
      MaterializationProgress progress) {
    this(view, source, entities, repoRoot, store, options, memory, progress, null);
  }

  /**
   * @param files the source files to read (those a validation pass checked), or null to list them
   *     now
   */
  ViewMaterialization(
      FeatureView view,
      ParquetSource source,
      List<Entity> entities,
      Path repoRoot,
      OnlineStore store,
      MaterializationOptions options,
      MemoryBudget memory,
      MaterializationProgress progress,
      List<Path> files) {
    this.files = files;
    this.view = view;
    this.source = source;
    this.entities = entities;
    this.repoRoot = repoRoot;
    this.store = store;
    this.options = options;
    this.memory = memory;
    this.progress = progress;
    for (Entity entity : entities) {
      keyTypes.put(entity.joinKey(), entity.type());
    }
    ValueCodec.checkDistinctHashes(view.features());
    this.encoder = ValueCodec.columnEncoder(view.features());
    this.keptRows = new ArrayBlockingQueue<>(options.threads());
  }

  /**
   * One table of kept rows per thread. A single integral key whose values the row groups'
   * statistics bound to a range not much wider than the rows is indexed directly (no hashing, one
   * cache line per row); as in a perfect-hash aggregate.
   */
  private void createKeptRows(RowGroupStatistics.LongRange keyRange, long plannedRows) {
    int threads = options.threads();
    boolean singleLongKey =
        entities.size() == 1
            && (entities.get(0).type() == ScalarType.INT64
                || entities.get(0).type() == ScalarType.INT32);
    RowGroupStatistics.LongRange dense = null;
    if (singleLongKey && keyRange != null) {
      long slots = KeptRows.ByLong.denseSlots(keyRange);
      if (slots > 0
          && slots <= 2 * plannedRows
          && KeptRows.ByLong.denseBytes(slots) * threads <= budget / 4) {
        dense = keyRange;
      }
    }
    for (int t = 0; t < threads; t++) {
      KeptRows rows =
          singleLongKey ? new KeptRows.ByLong(this::encodeLongKey, dense) : new KeptRows.ByBytes();
      keptRows.add(rows);
      allKept.add(rows);
    }
  }

  private byte[] encodeLongKey(long key) {
    return KeyColumns.encodeLong(entities.get(0), key);
  }

  /**
   * @param start nanoseconds, or {@link Long#MIN_VALUE} for the beginning of the data
   * @param end nanoseconds, inclusive
   */
  Outcome run(long start, long end) {
    ScanPlan plan =
        ScanPlan.builder(
                "feature view '" + view.name() + "'",
                files != null ? files : ViewColumns.files(view, source, repoRoot, "materialize"),
                ViewColumns.of(source, entities, view.features()))
            // A view known by its created time takes rows known in the window, whatever their
            // event time before its end: their event times prune nothing below it.
            .timeRange(source.timestampField(), knownByCreated() ? Long.MIN_VALUE : start, end)
            .integerRangeOf(source.columnFor(entities.get(0).joinKey()))
            .build();
    long largest = plan.tasks().stream().mapToLong(ScanPlan.Task::estimatedBytes).max().orElse(0);
    // The row groups being decoded (one per thread, with room for Arrow's power-of-two buffers)
    // are needed whatever happens; the chunks and kept rows are what the rest is for.
    long reading = 2 * largest * options.threads() + SLACK_BYTES;
    long wanted = reading + plan.estimatedBytes() + plan.rows() * KEPT_ROW_BYTES;
    try (Reservation reservation =
        memory.reserve(
            "materialize-" + view.name(),
            Math.min(wanted, memory.limit()),
            Math.min(reading, memory.limit()))) {
      allocator = reservation.allocator();
      budget = Math.max(1, Math.min(options.memoryBudget(), reservation.bytes() - reading));
      return run(plan, start, end);
    } catch (OutOfMemoryException e) {
      throw outOfMemory(view, memory, e);
    }
  }

  /** A materialization that went past its reservation, said so that the user can act. */
  static MemoryLimitException outOfMemory(
      FeatureView view, MemoryBudget memory, OutOfMemoryException e) {
    return new MemoryLimitException(
        "Cannot materialize feature view '"
            + view.name()
            + "': it needed more memory than the process's limit of "
            + MemoryBudget.megabytes(memory.limit())
            + " leaves free; raise "
            + MemoryBudget.LIMIT_VARIABLE
            + " or the JVM's -Xmx, or run it when fewer operations are",
        e);
  }

  private Outcome run(ScanPlan plan, long start, long end) {
    // Keeping row references (and the chunks they point into) instead of encoded rows saves
    // encoding the rows later beaten by newer ones, about two of every three: only when the
    // chunks fit in the budget.
    deferEncoding = plan.estimatedBytes() <= budget / 2;
    createKeptRows(plan.integerRange().orElse(null), plan.rows());
    chunks = new VectorSchemaRoot[plan.tasks().size()];
    progress.viewStarted(view.name(), plan.rows());
    SourceScan scan = new SourceScan(plan, allocator);
    long reading = System.nanoTime();
    long writing;
    try {
      scan.run(WorkerPool.shared(), options.threads(), batch -> read(batch, start, end));
      writing = System.nanoTime();
      flush();
    } finally {
      closeChunks();
      progress.viewFinished(view.name());
    }
    LOG.info(
        "{}: {} row groups read in {} ms, the last {} rows written in {} ms",
        view.name(),
        plan.tasks().size(),
        (writing - reading) / 1_000_000,
        lastFlushRows,
        (System.nanoTime() - writing) / 1_000_000);
    return new Outcome(plan.rows(), rowsInWindow.get(), rowsWritten.get(), newestEvent.get());
  }

  /** Keeps a batch's best rows; returns whether its vectors are kept (rows kept by reference). */
  private boolean read(SourceScan.ScanBatch batch, long start, long end) {
    boolean retained = false;
    flushing.readLock().lock();
    KeptRows rows = null;
    try {
      rows = keptRows.take();
      boolean kept = keepBest(batch, start, end, rows);
      if (deferEncoding && kept) {
        chunks[batch.task().index()] = batch.root();
        retained = true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException("Interrupted while materializing", e);
    } finally {
      if (rows != null) {
        keptRows.add(rows);
      }
      flushing.readLock().unlock();
    }
    progress.rowsRead(view.name(), batch.task().rows());
    long held = deferEncoding ? allocator.getAllocatedMemory() : 0;
    for (KeptRows kept : allKept) {
      held += kept.bytes();
    }
    if (held > budget) {
      flush();
    }
    return retained;
  }

  /** Keeps the rows of a batch that beat the kept ones; whether any did. */
  private boolean keepBest(SourceScan.ScanBatch batch, long start, long end, KeptRows rows) {
    VectorSchemaRoot root = batch.root();
    boolean any = false;
    List<FieldVector> keys = new ArrayList<>();
    for (Entity entity : entities) {
      keys.add(root.getVector(entity.joinKey()));
    }
    TimeStampNanoTZVector ts = (TimeStampNanoTZVector) root.getVector(ViewColumns.EVENT_TS);
    TimeStampNanoTZVector created = (TimeStampNanoTZVector) root.getVector(ViewColumns.CREATED_TS);
    Map<String, Object> keyValues = new HashMap<>();
    ColumnRow features = featureColumns(root);
    int chunk = batch.task().index();
    long inWindow = 0;
    long newest = Long.MIN_VALUE;
    for (int row = 0; row < root.getRowCount(); row++) {
      if (ts.isNull(row)) {
        continue;
      }
      long at = ts.get(row);
      long createdAt =
          created == null || created.isNull(row) ? OnlineRow.NO_CREATED : created.get(row);
      if (!inWindow(at, createdAt, start, end)) {
        continue;
      }
      if (KeyColumns.hasNull(keys, row)) {
        continue;
      }
      inWindow++;
      newest = Math.max(newest, at);
      long order = batch.ordinal(row);
      if (rows instanceof KeptRows.ByLong byLong) {
        int slot = byLong.offer(KeyColumns.longValue(keys.get(0), row), at, createdAt, order);
        if (slot >= 0) {
          if (deferEncoding) {
            byLong.keepRef(slot, ref(chunk, row));
          } else {
            byLong.keepValue(slot, encode(features, row, at, createdAt));
          }
          any = true;
        }
      } else {
        keyValues.clear();
        for (int k = 0; k < keys.size(); k++) {
          keyValues.put(entities.get(k).joinKey(), OnlineValues.of(keys.get(k), row));
        }
        byte[] key = EntityKeyCodec.encode(keyValues, keyTypes);
        KeptRows.ByBytes byBytes = (KeptRows.ByBytes) rows;
        if (byBytes.wants(key, at, createdAt, order)) {
          byBytes.keep(
              key,
              deferEncoding
                  ? new KeptRows.Kept(at, createdAt, order, null, ref(chunk, row))
                  : new KeptRows.Kept(
                      at, createdAt, order, encode(features, row, at, createdAt), 0));
          any = true;
        }
      }
    }
    rowsInWindow.addAndGet(inWindow);
    newestEvent.accumulateAndGet(newest, Math::max);
    return any;
  }

  private boolean knownByCreated() {
    return view.knownTime() == KnownTime.CREATED;
  }

  /**
   * Whether a row belongs to the window {@code [start, end]}: by its event time, or, for a view
   * known by its created time, by when it became known (its created time, else its event time), its
   * event time also at or before {@code end}. So an incremental run takes the corrections made
   * since the last one, whatever their event time.
   */
  private boolean inWindow(long at, long createdAt, long start, long end) {
    return inWindow(view, at, createdAt, start, end);
  }

  /** {@link #inWindow(long, long, long, long)} of {@code view}: also the rows validation checks. */
  static boolean inWindow(FeatureView view, long at, long createdAt, long start, long end) {
    if (at > end) {
      return false;
    }
    long known =
        view.knownTime() == KnownTime.CREATED && createdAt != OnlineRow.NO_CREATED ? createdAt : at;
    return known >= start && known <= end;
  }

  /** A row kept by reference: its chunk and row. */
  private static long ref(int chunk, int row) {
    return ((long) chunk << 32) | row;
  }

  private void closeChunks() {
    if (chunks != null) {
      for (int c = 0; c < chunks.length; c++) {
        if (chunks[c] != null) {
          chunks[c].close();
          chunks[c] = null;
        }
      }
    }
  }

  /**
   * The encoded row of a kept row, encoding it from its chunk when it was kept by reference.
   *
   * @param rowsOfChunk the feature columns of each chunk, filled in as chunks are first met
   */
  private byte[] valueOf(KeptRows.Kept row, ColumnRow[] rowsOfChunk) {
    if (row.value() != null) {
      return row.value();
    }
    int chunk = (int) (row.ref() >>> 32);
    if (rowsOfChunk[chunk] == null) {
      rowsOfChunk[chunk] = featureColumns(chunks[chunk]);
    }
    return encode(rowsOfChunk[chunk], (int) row.ref(), row.eventTs(), row.createdTs());
  }

  private ColumnRow featureColumns(VectorSchemaRoot chunk) {
    FieldVector[] vectors = new FieldVector[view.features().size()];
    for (int f = 0; f < vectors.length; f++) {
      vectors[f] = chunk.getVector(view.features().get(f).name());
    }
    return new ColumnRow(vectors);
  }

  private byte[] encode(ColumnRow features, int row, long eventTs, long createdTs) {
    return encoder.encode(eventTs, createdTs, features.at(row));
  }

  /**
   * Merges the threads' kept rows (so the file-and-row order still decides ties between them),
   * writes them in batches and forgets them.
   */
  private void flush() {
    flushing.writeLock().lock();
    try {
      KeptRows merged = allKept.get(0);
      for (int t = 1; t < allKept.size(); t++) {
        merged.absorb(allKept.get(t));
      }
      lastFlushRows = merged.size();
      if (store instanceof SupportsBulkWrite bulk) {
        // Drained in key order, as bulk writes want.
        List<byte[]> keys = new ArrayList<>(merged.size());
        List<KeptRows.Kept> kept = new ArrayList<>(merged.size());
        merged.drain(
            (key, row) -> {
              keys.add(key);
              kept.add(row);
            });
        // Rows kept by reference are encoded now, on the worker pool, while the store writes.
        EncodingPipeline.BatchEncoder encoding =
            (from, to) -> {
              ColumnRow[] rowsOfChunk = new ColumnRow[chunks.length];
              byte[][] values = new byte[to - from][];
              for (int i = from; i < to; i++) {
                values[i - from] = valueOf(kept.get(i), rowsOfChunk);
              }
              return values;
            };
        try (EncodingPipeline records =
            new EncodingPipeline(keys, encoding, options.threads(), WRITE_BATCH)) {
          rowsWritten.addAndGet(bulk.writeSorted(view.name(), records));
        }
        return;
      }
      List<OnlineStore.Record> batch = new ArrayList<>(WRITE_BATCH);
      ColumnRow[] rowsOfChunk = new ColumnRow[chunks.length];
      merged.drain(
          (key, row) -> {
            batch.add(new OnlineStore.Record(key, valueOf(row, rowsOfChunk)));
            if (batch.size() == WRITE_BATCH) {
              rowsWritten.addAndGet(store.write(view.name(), batch));
              batch.clear();
            }
          });
      if (!batch.isEmpty()) {
        rowsWritten.addAndGet(store.write(view.name(), batch));
      }
    } finally {
      // Every kept row is written (or the run failed): the chunks they pointed into can go.
      closeChunks();
      flushing.writeLock().unlock();
    }
  }
}
