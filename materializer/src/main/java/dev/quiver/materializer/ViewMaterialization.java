package dev.quiver.materializer;

import dev.quiver.QuiverException;
import dev.quiver.offline.ParallelTasks;
import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.parquet.ParquetTableReader;
import dev.quiver.offline.parquet.RowGroupStatistics;
import dev.quiver.offline.parquet.SourceFiles;
import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineRow;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.SupportsBulkWrite;
import dev.quiver.online.ValueCodec;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materializes one view over {@code [start, end]}: per entity key, the row the point-in-time rule
 * would pick at {@code end} among source rows in the window (latest event time, then created time,
 * then file and row order), whatever its age, written to the online store.
 *
 * <p>Row groups are read in parallel and each row is kept only while it is its key's best so far;
 * when the kept rows outgrow the memory budget they are written out (newer-wins makes that safe)
 * and the map starts again, so memory stays bounded whatever the number of keys.
 */
final class ViewMaterialization {

  private static final Logger LOG = LoggerFactory.getLogger(ViewMaterialization.class);

  static final int WRITE_BATCH = 50_000;
  private static final String TS = "__quiver_event_ts";
  private static final String CREATED = "__quiver_created_ts";

  private final FeatureView view;
  private final ParquetSource source;
  private final List<Entity> entities;
  private final Path repoRoot;
  private final OnlineStore store;
  private final int threads;
  private final long memoryBudget;
  private final BufferAllocator allocator;
  private final MaterializationProgress progress;
  private final Map<String, ScalarType> keyTypes = new HashMap<>();
  private final List<ColumnSpec> columns = new ArrayList<>();
  private final BlockingQueue<KeptRows> keptRows;
  private final List<KeptRows> allKept = new ArrayList<>();
  private final ReadWriteLock flushing = new ReentrantReadWriteLock();
  private final AtomicLong rowsInWindow = new AtomicLong();
  private final AtomicLong newestEvent = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong rowsWritten = new AtomicLong();
  private volatile long lastFlushRows;
  private long estimatedBytes;
  private boolean deferEncoding;
  private VectorSchemaRoot[] chunks;
  private final ValueCodec.ColumnEncoder encoder;

  /** What a view's materialization did. */
  /**
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
      int threads,
      long memoryBudget,
      BufferAllocator allocator,
      MaterializationProgress progress) {
    this.view = view;
    this.source = source;
    this.entities = entities;
    this.repoRoot = repoRoot;
    this.store = store;
    this.threads = threads;
    this.memoryBudget = memoryBudget;
    this.allocator = allocator;
    this.progress = progress;
    for (Entity entity : entities) {
      keyTypes.put(entity.joinKey(), entity.type());
      columns.add(
          new ColumnSpec(
              source.columnFor(entity.joinKey()),
              entity.joinKey(),
              ValueType.scalar(entity.type())));
    }
    columns.add(
        new ColumnSpec(source.timestampField(), TS, ValueType.scalar(ScalarType.TIMESTAMP)));
    if (source.createdTimestampField() != null) {
      columns.add(
          new ColumnSpec(
              source.createdTimestampField(), CREATED, ValueType.scalar(ScalarType.TIMESTAMP)));
    }
    for (Feature feature : view.features()) {
      columns.add(new ColumnSpec(source.columnFor(feature.name()), feature.name(), feature.type()));
    }
    ValueCodec.checkDistinctHashes(view.features());
    this.encoder = ValueCodec.columnEncoder(view.features());
    this.keptRows = new ArrayBlockingQueue<>(threads);
  }

  /**
   * One table of kept rows per thread. A single integral key whose values the row groups'
   * statistics bound to a range not much wider than the rows is indexed directly (no hashing, one
   * cache line per row); as in a perfect-hash aggregate.
   */
  private void createKeptRows(RowGroupStatistics.LongRange keyRange, long plannedRows) {
    boolean singleLongKey =
        entities.size() == 1
            && (entities.get(0).type() == ScalarType.INT64
                || entities.get(0).type() == ScalarType.INT32);
    RowGroupStatistics.LongRange dense = null;
    if (singleLongKey && keyRange != null) {
      long slots = KeptRows.ByLong.denseSlots(keyRange);
      if (slots > 0
          && slots <= 2 * plannedRows
          && KeptRows.ByLong.denseBytes(slots) * threads <= memoryBudget / 4) {
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
    Entity entity = entities.get(0);
    Object value = entity.type() == ScalarType.INT32 ? (Object) (int) key : (Object) key;
    return EntityKeyCodec.encode(Map.of(entity.joinKey(), value), keyTypes);
  }

  private record Task(
      int index, Path file, int fileIndex, int rowGroup, long firstRow, long rows) {}

  /**
   * @param start nanoseconds, or {@link Long#MIN_VALUE} for the beginning of the data
   * @param end nanoseconds, inclusive
   */
  Outcome run(long start, long end) {
    List<Path> files = SourceFiles.resolve(repoRoot, source.path());
    if (files.isEmpty()) {
      throw new QuiverException(
          "Cannot materialize feature view '"
              + view.name()
              + "': the path '"
              + source.path()
              + "' of source '"
              + source.name()
              + "' matches no Parquet file");
    }
    List<Task> tasks = new ArrayList<>();
    long planned = 0;
    String keyColumn = source.columnFor(entities.get(0).joinKey());
    Optional<RowGroupStatistics.LongRange> keyRange = null;
    for (int f = 0; f < files.size(); f++) {
      try (ParquetTableReader reader = ParquetTableReader.open(files.get(f))) {
        reader.resolve(columns, "feature view '" + view.name() + "'");
        long firstRow = 0;
        List<BlockMetaData> groups = reader.rowGroups();
        for (int g = 0; g < groups.size(); g++) {
          BlockMetaData group = groups.get(g);
          if (group.getRowCount() > 0
              && RowGroupStatistics.mayHold(group, source.timestampField(), start, end)) {
            tasks.add(new Task(tasks.size(), files.get(f), f, g, firstRow, group.getRowCount()));
            planned += group.getRowCount();
            estimatedBytes += estimateBytes(group);
            Optional<RowGroupStatistics.LongRange> range =
                RowGroupStatistics.integerRange(group, keyColumn);
            keyRange =
                keyRange == null ? range : keyRange.flatMap(known -> range.map(known::union));
          }
          firstRow += group.getRowCount();
        }
      }
    }
    // Keeping row references (and the chunks they point into) instead of encoded rows saves
    // encoding the rows later beaten by newer ones, about two of every three: only when the
    // chunks fit in the budget.
    deferEncoding = estimatedBytes <= memoryBudget / 2;
    createKeptRows(keyRange == null ? null : keyRange.orElse(null), planned);
    chunks = new VectorSchemaRoot[tasks.size()];
    progress.viewStarted(view.name(), planned);
    List<ParallelTasks.Task> work = new ArrayList<>();
    for (Task task : tasks) {
      work.add(() -> read(task, start, end));
    }
    long reading = System.nanoTime();
    long writing;
    try {
      ParallelTasks.run(work, threads);
      writing = System.nanoTime();
      flush();
    } finally {
      closeChunks();
      progress.viewFinished(view.name());
    }
    LOG.info(
        "{}: {} row groups read in {} ms, the last {} rows written in {} ms",
        view.name(),
        tasks.size(),
        (writing - reading) / 1_000_000,
        lastFlushRows,
        (System.nanoTime() - writing) / 1_000_000);
    return new Outcome(planned, rowsInWindow.get(), rowsWritten.get(), newestEvent.get());
  }

  private void read(Task task, long start, long end) {
    VectorSchemaRoot root;
    try (ParquetTableReader reader = ParquetTableReader.open(task.file())) {
      root =
          reader
              .read(
                  task.rowGroup(),
                  columns,
                  reader.resolve(columns, "feature view '" + view.name() + "'"),
                  allocator)
              .root();
    }
    boolean retained = false;
    flushing.readLock().lock();
    KeptRows rows = null;
    try {
      rows = keptRows.take();
      boolean kept = keepBest(task, root, start, end, rows);
      if (deferEncoding && kept) {
        chunks[task.index()] = root;
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
      if (!retained) {
        root.close();
      }
    }
    progress.rowsRead(view.name(), task.rows());
    long held = deferEncoding ? allocator.getAllocatedMemory() : 0;
    for (KeptRows kept : allKept) {
      held += kept.bytes();
    }
    if (held > memoryBudget) {
      flush();
    }
  }

  /** Bytes a row group's columns take once decoded, roughly. */
  private long estimateBytes(BlockMetaData group) {
    long bytes = 0;
    for (org.apache.parquet.hadoop.metadata.ColumnChunkMetaData column : group.getColumns()) {
      bytes += Math.max(column.getTotalUncompressedSize(), group.getRowCount() * 9);
    }
    return bytes;
  }

  /** Keeps the rows of a chunk that beat the kept ones; whether any did. */
  private boolean keepBest(Task task, VectorSchemaRoot root, long start, long end, KeptRows rows) {
    boolean any = false;
    List<FieldVector> keys = new ArrayList<>();
    for (Entity entity : entities) {
      keys.add(root.getVector(entity.joinKey()));
    }
    TimeStampNanoTZVector ts = (TimeStampNanoTZVector) root.getVector(TS);
    TimeStampNanoTZVector created = (TimeStampNanoTZVector) root.getVector(CREATED);
    long base = ((long) task.fileIndex() << 40) + task.firstRow();
    Map<String, Object> keyValues = new HashMap<>();
    ColumnRow features = featureColumns(root);
    long inWindow = 0;
    long newest = Long.MIN_VALUE;
    for (int row = 0; row < root.getRowCount(); row++) {
      if (ts.isNull(row)) {
        continue;
      }
      long at = ts.get(row);
      if (at < start || at > end) {
        continue;
      }
      if (KeyColumns.hasNull(keys, row)) {
        continue;
      }
      inWindow++;
      newest = Math.max(newest, at);
      long createdAt =
          created == null || created.isNull(row) ? OnlineRow.NO_CREATED : created.get(row);
      long order = base + row;
      if (rows instanceof KeptRows.ByLong byLong) {
        int slot = byLong.offer(KeyColumns.longValue(keys.get(0), row), at, createdAt, order);
        if (slot >= 0) {
          if (deferEncoding) {
            byLong.keepRef(slot, ref(task, row));
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
          byBytes.keep(key, kept(task, features, row, at, createdAt, order));
          any = true;
        }
      }
    }
    rowsInWindow.addAndGet(inWindow);
    newestEvent.accumulateAndGet(newest, Math::max);
    return any;
  }

  private KeptRows.Kept kept(
      Task task, ColumnRow features, int row, long at, long createdAt, long order) {
    return deferEncoding
        ? new KeptRows.Kept(at, createdAt, order, null, ref(task, row))
        : new KeptRows.Kept(at, createdAt, order, encode(features, row, at, createdAt), 0);
  }

  /** A row kept by reference: its chunk and row. */
  private static long ref(Task task, int row) {
    return ((long) task.index() << 32) | row;
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
        // Rows kept by reference are encoded now, on every thread, while the store writes.
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
            new EncodingPipeline(keys, encoding, threads, WRITE_BATCH)) {
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
