package dev.quiver.materializer;

import dev.quiver.QuiverException;
import dev.quiver.offline.ParallelTasks;
import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.parquet.ParquetTableReader;
import dev.quiver.offline.parquet.SourceFiles;
import dev.quiver.offline.parquet.TimestampStatistics;
import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineRow;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.ValueCodec;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.parquet.hadoop.metadata.BlockMetaData;

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

  static final int WRITE_BATCH = 10_000;
  private static final int BYTES_PER_KEPT_ROW = 160;
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
  private final Map<ByteBuffer, Kept> kept = new ConcurrentHashMap<>();
  private final AtomicLong rowsInWindow = new AtomicLong();
  private final AtomicLong rowsWritten = new AtomicLong();
  private final Object flushLock = new Object();

  /** A key's best row so far, encoded for the store. */
  private record Kept(long eventTs, long createdTs, long ordinal, byte[] value) {
    boolean loses(long ts, long created, long order) {
      return ts > eventTs
          || ts == eventTs && (created > createdTs || created == createdTs && order > ordinal);
    }
  }

  /** What a view's materialization did. */
  record Outcome(long sourceRowsRead, long rowsInWindow, long rowsWritten) {}

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
              column(entity.joinKey()), entity.joinKey(), ValueType.scalar(entity.type())));
    }
    columns.add(
        new ColumnSpec(source.timestampField(), TS, ValueType.scalar(ScalarType.TIMESTAMP)));
    if (source.createdTimestampField() != null) {
      columns.add(
          new ColumnSpec(
              source.createdTimestampField(), CREATED, ValueType.scalar(ScalarType.TIMESTAMP)));
    }
    for (Feature feature : view.features()) {
      columns.add(new ColumnSpec(column(feature.name()), feature.name(), feature.type()));
    }
    ValueCodec.checkDistinctHashes(view.features());
  }

  private String column(String name) {
    for (Map.Entry<String, String> m : source.fieldMapping().entrySet()) {
      if (m.getValue().equals(name)) {
        return m.getKey();
      }
    }
    return name;
  }

  private record Task(Path file, int fileIndex, int rowGroup, long firstRow, long rows) {}

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
    for (int f = 0; f < files.size(); f++) {
      try (ParquetTableReader reader = ParquetTableReader.open(files.get(f))) {
        reader.resolve(columns, "feature view '" + view.name() + "'");
        long firstRow = 0;
        List<BlockMetaData> groups = reader.rowGroups();
        for (int g = 0; g < groups.size(); g++) {
          BlockMetaData group = groups.get(g);
          if (group.getRowCount() > 0
              && TimestampStatistics.mayHold(group, source.timestampField(), start, end)) {
            tasks.add(new Task(files.get(f), f, g, firstRow, group.getRowCount()));
            planned += group.getRowCount();
          }
          firstRow += group.getRowCount();
        }
      }
    }
    progress.viewStarted(view.name(), planned);
    List<ParallelTasks.Task> work = new ArrayList<>();
    for (Task task : tasks) {
      work.add(() -> read(task, start, end));
    }
    ParallelTasks.run(work, threads);
    flush();
    progress.viewFinished(view.name());
    return new Outcome(planned, rowsInWindow.get(), rowsWritten.get());
  }

  private void read(Task task, long start, long end) {
    try (ParquetTableReader reader = ParquetTableReader.open(task.file());
        VectorSchemaRoot root =
            reader
                .read(
                    task.rowGroup(),
                    columns,
                    reader.resolve(columns, "feature view '" + view.name() + "'"),
                    allocator)
                .root()) {
      keepBest(task, root, start, end);
    }
    progress.rowsRead(view.name(), task.rows());
    if (kept.size() * (long) BYTES_PER_KEPT_ROW > memoryBudget) {
      flush();
    }
  }

  private void keepBest(Task task, VectorSchemaRoot root, long start, long end) {
    List<FieldVector> keys = new ArrayList<>();
    for (Entity entity : entities) {
      keys.add(root.getVector(entity.joinKey()));
    }
    TimeStampNanoTZVector ts = (TimeStampNanoTZVector) root.getVector(TS);
    TimeStampNanoTZVector created = (TimeStampNanoTZVector) root.getVector(CREATED);
    long base = ((long) task.fileIndex() << 40) + task.firstRow();
    Map<String, Object> keyValues = new HashMap<>();
    long inWindow = 0;
    for (int row = 0; row < root.getRowCount(); row++) {
      if (ts.isNull(row)) {
        continue;
      }
      long at = ts.get(row);
      if (at < start || at > end) {
        continue;
      }
      boolean nullKey = false;
      keyValues.clear();
      for (int k = 0; k < keys.size(); k++) {
        Object value = OnlineValues.of(keys.get(k), row);
        nullKey |= value == null;
        keyValues.put(entities.get(k).joinKey(), value);
      }
      if (nullKey) {
        continue;
      }
      inWindow++;
      long createdAt =
          created == null || created.isNull(row) ? OnlineRow.NO_CREATED : created.get(row);
      long order = base + row;
      int sourceRow = row;
      kept.compute(
          ByteBuffer.wrap(EntityKeyCodec.encode(keyValues, keyTypes)),
          (key, current) ->
              current == null || current.loses(at, createdAt, order)
                  ? new Kept(at, createdAt, order, encode(root, sourceRow, at, createdAt))
                  : current);
    }
    rowsInWindow.addAndGet(inWindow);
  }

  private byte[] encode(VectorSchemaRoot root, int row, long eventTs, long createdTs) {
    Map<String, Object> values = new HashMap<>();
    for (Feature feature : view.features()) {
      values.put(feature.name(), OnlineValues.of(root.getVector(feature.name()), row));
    }
    return ValueCodec.encode(new OnlineRow(eventTs, createdTs, values), view.features());
  }

  /** Writes the kept rows in batches and forgets them. */
  private void flush() {
    synchronized (flushLock) {
      List<OnlineStore.Record> batch = new ArrayList<>(WRITE_BATCH);
      for (Map.Entry<ByteBuffer, Kept> entry : kept.entrySet()) {
        if (kept.remove(entry.getKey(), entry.getValue())) {
          batch.add(new OnlineStore.Record(entry.getKey().array(), entry.getValue().value()));
        }
        if (batch.size() == WRITE_BATCH) {
          rowsWritten.addAndGet(store.write(view.name(), batch));
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        rowsWritten.addAndGet(store.write(view.name(), batch));
      }
    }
  }
}
