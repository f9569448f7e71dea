package dev.quiver.offline.join;

import dev.quiver.offline.NumericValues;
import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.resources.WorkerPool;
import dev.quiver.offline.scan.ScanPlan;
import dev.quiver.offline.scan.SourceScan;
import dev.quiver.offline.scan.ViewColumns;
import dev.quiver.registry.model.FeatureView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One attempt at a view's join: a {@link SourceScan} of its plan whose rows that can win for some
 * entity row are routed to key partitions, held in memory or spilled to disk as the {@link
 * ViewJoin.Route} says; then the search of each partition for the entity rows' answers ({@link
 * PartitionSearch}: the latest row, or windowed aggregates), and the gathering of their values. Its
 * counters and checksums are its own: a retry is a new attempt.
 */
final class RoutedRows implements SourceScan.BatchConsumer, AutoCloseable {

  /** Rows whose keys' entity-time windows are read together, ahead of the rows' routing. */
  private static final int WINDOW_BLOCK = 1024;

  private final FeatureView view;
  private final List<ColumnSpec> keyColumns;
  private final EntityKeys keys;
  private final ViewJoin.Route route;
  private final JoinOptions options;
  private final BufferAllocator allocator;
  private final long budget;
  private final JoinProgress progress;

  /** How long before its key's first entity time a row can still matter; 0: any time. */
  private final long lookback;

  /**
   * Whether the batches of rows held in memory are kept for the search and gather; not when
   * everything they would be read for is in {@link #copiedColumns}.
   */
  private final boolean keepBatches;

  /** Numeric columns copied into the rows held in memory ({@link SourceRows#values}). */
  private final List<String> copiedColumns;

  private final boolean knownByCreated;
  private final SourceScan scan;
  private final SpillPartitions spill;
  private final SourceRows[] inMemory;
  private final VectorSchemaRoot[] chunks;
  private final long baseline;
  private final AtomicLong rowsHeld = new AtomicLong();
  private final AtomicLong tasksDone = new AtomicLong();
  private final AtomicLong nullKeyRows = new AtomicLong();
  private final AtomicLong nullTimestampRows = new AtomicLong();
  private volatile boolean overBudget;

  RoutedRows(
      FeatureView view,
      ScanPlan plan,
      List<ColumnSpec> keyColumns,
      List<ViewJoin.FieldVectorSpec> features,
      EntityKeys keys,
      ViewJoin.Route route,
      List<String> copiedColumns,
      boolean keepBatches,
      long lookback,
      boolean knownByCreated,
      JoinOptions options,
      BufferAllocator allocator,
      long budget,
      JoinProgress progress) {
    this.view = view;
    this.keyColumns = keyColumns;
    this.keys = keys;
    this.route = route;
    this.options = options;
    this.allocator = allocator;
    this.budget = budget;
    this.progress = progress;
    this.copiedColumns = route.spill() ? List.of() : List.copyOf(copiedColumns);
    this.keepBatches = keepBatches;
    this.lookback = lookback;
    this.knownByCreated = knownByCreated;
    this.scan = new SourceScan(plan, allocator);
    this.chunks = new VectorSchemaRoot[plan.tasks().size()];
    this.baseline = allocator.getAllocatedMemory();
    this.spill =
        route.spill()
            ? new SpillPartitions(options.spillDirectory(), route.partitions(), features, allocator)
            : null;
    this.inMemory = new SourceRows[route.spill() ? 0 : route.partitions()];
    for (int p = 0; p < inMemory.length; p++) {
      inMemory[p] = new SourceRows(1024, copiedColumns.size());
    }
  }

  ViewJoin.Route route() {
    return route;
  }

  /** Reads and routes every planned row group, unless the rows held outgrow the budget first. */
  void read() {
    scan.run(WorkerPool.shared(), options.threads(), this);
  }

  /** Whether reading stopped because the rows held in memory outgrew the budget. */
  boolean overBudget() {
    return overBudget;
  }

  /** Memory the kept source rows take: their Arrow buffers and the search arrays. */
  long heldBytes() {
    return allocator.getAllocatedMemory()
        - baseline
        + rowsHeld.get() * (ViewJoin.SEARCH_BYTES_PER_ROW + 9L * copiedColumns.size());
  }

  /** What holding every planned row would take, projected from the row groups read so far. */
  long projectedBytes() {
    long done = Math.max(1, tasksDone.get());
    return heldBytes() * scan.plan().tasks().size() / done;
  }

  ViewReads reads() {
    List<SourceFileRead> files = new ArrayList<>();
    for (SourceScan.ScannedFile file : scan.reads()) {
      files.add(
          new SourceFileRead(view.name(), file.file(), file.rowGroupsRead(), file.rowGroups()));
    }
    return new ViewReads(files, nullKeyRows.get(), nullTimestampRows.get());
  }

  @Override
  public boolean accept(SourceScan.ScanBatch batch) {
    VectorSchemaRoot root = batch.root();
    List<FieldVector> keyVectors = new ArrayList<>();
    for (ColumnSpec key : keyColumns) {
      keyVectors.add(root.getVector(key.name()));
    }
    TimeStampNanoTZVector ts = (TimeStampNanoTZVector) root.getVector(ViewColumns.EVENT_TS);
    TimeStampNanoTZVector created = (TimeStampNanoTZVector) root.getVector(ViewColumns.CREATED_TS);
    FieldVector[] copied = new FieldVector[copiedColumns.size()];
    for (int c = 0; c < copied.length; c++) {
      copied[c] = root.getVector(copiedColumns.get(c));
    }
    int partitions = route.partitions();
    SourceRows[] local = new SourceRows[partitions];
    long nullKeys = 0;
    long nullTimes = 0;
    int rows = root.getRowCount();
    // Key ids for the whole batch first: the table reads are independent, so they overlap.
    int[] ids = keys.dictionary().lookupAll(keyVectors, rows);
    // So are the keys' entity-time windows, read a block of rows ahead of their use: one at a
    // time, at random keys, nearly every read missed the cache (13% of a join's samples).
    long[] firsts = new long[WINDOW_BLOCK];
    long[] lasts = new long[WINDOW_BLOCK];
    for (int row = 0; row < rows; row++) {
      int k = ids[row];
      int inBlock = row % WINDOW_BLOCK;
      if (inBlock == 0) {
        for (int i = 0, end = Math.min(WINDOW_BLOCK, rows - row); i < end; i++) {
          int key = ids[row + i];
          if (key >= 0) {
            firsts[i] = keys.first(key);
            lasts[i] = keys.last(key);
          }
        }
      }
      if (k == KeyDictionary.NULL_KEY) {
        nullKeys++;
        continue;
      }
      if (ts.isNull(row)) {
        nullTimes++;
        continue;
      }
      if (k < 0) {
        continue;
      }
      long at = ts.get(row);
      // Rows after every entity row of the key, or older than every window, never matter.
      long first = firsts[inBlock];
      long last = lasts[inBlock];
      if (at > last
          || lookback != 0 && at < first && Long.compareUnsigned(first - at, lookback) > 0) {
        continue;
      }
      long createdAt =
          created == null || created.isNull(row) ? SourceRows.NULL_CREATED : created.get(row);
      // Nor do rows known only after every entity row of the key.
      if (knownByCreated && createdAt != SourceRows.NULL_CREATED && createdAt > last) {
        continue;
      }
      int p = k % partitions;
      if (local[p] == null) {
        local[p] = new SourceRows(Math.max(16, rows / partitions), copied.length);
      }
      local[p].add(
          k, at, createdAt, batch.ordinal(row), SourceRows.reference(batch.task().index(), row));
      for (int c = 0; c < copied.length; c++) {
        boolean isPresent = !copied[c].isNull(row);
        local[p].setValue(c, isPresent ? NumericValues.bitsOf(copied[c], row) : 0, isPresent);
      }
    }
    nullKeyRows.addAndGet(nullKeys);
    nullTimestampRows.addAndGet(nullTimes);
    tasksDone.incrementAndGet();
    progress.sourceRowsRead(batch.task().rows());
    if (spill != null) {
      for (int p = 0; p < partitions; p++) {
        if (local[p] != null) {
          spill.write(p, local[p], root);
        }
      }
      return false;
    }
    boolean kept = false;
    for (int p = 0; p < partitions; p++) {
      if (local[p] != null) {
        synchronized (inMemory[p]) {
          inMemory[p].addAll(local[p]);
        }
        rowsHeld.addAndGet(local[p].size);
        kept = true;
      }
    }
    if (kept && keepBatches) {
      chunks[batch.task().index()] = root;
    }
    if (kept && heldBytes() > budget) {
      overBudget = true;
      scan.stop();
    }
    return kept && keepBatches;
  }

  /** Answers every entity row with {@code search} and writes the answers into {@code outputs}. */
  void searchAndGather(PartitionSearch search, List<FieldVector> outputs) {
    if (spill == null) {
      search(search);
      gather(search, 0, keys.keyIds().length, outputs);
      return;
    }
    int[] keyIds = keys.keyIds();
    int partitions = route.partitions();
    int[][] entityRows = entityRowsByPartition(keyIds, partitions);
    // Variable-width Arrow vectors must be written in row order, so a spilled partition copies
    // its answers into a result of its own, merged into the outputs in row order at the end.
    VectorSchemaRoot[] partitionResults = new VectorSchemaRoot[partitions];
    List<WorkerPool.Task> work = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      int partition = p;
      work.add(
          () -> {
            try (SpillPartitions.Loaded loaded = spill.load(partition)) {
              VectorSchemaRoot[] loadedChunks = loaded.chunks().toArray(new VectorSchemaRoot[0]);
              search.search(entityRows[partition], loaded.rows(), loadedChunks, List.of());
              partitionResults[partition] =
                  collect(search, entityRows[partition], loadedChunks, outputs);
            }
          });
    }
    try {
      WorkerPool.shared().runAll(work, options.threads());
      merge(keyIds, partitionResults, outputs);
    } finally {
      for (VectorSchemaRoot result : partitionResults) {
        if (result != null) {
          result.close();
        }
      }
    }
  }

  /** Answers every entity row among the partitions in memory, whose search rows it then frees. */
  void search(PartitionSearch search) {
    int[] keyIds = keys.keyIds();
    int partitions = route.partitions();
    int[][] entityRows = entityRowsByPartition(keyIds, partitions);
    List<WorkerPool.Task> work = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      int partition = p;
      work.add(
          () -> {
            search.search(entityRows[partition], inMemory[partition], chunks, copiedColumns);
            inMemory[partition] = null;
          });
    }
    WorkerPool.shared().runAll(work, options.threads());
  }

  /**
   * Writes the answers of entity rows {@code [from, from + length)} to output slots {@code 0 ..
   * length - 1}, in row order, from the batches held in memory.
   */
  void gather(PartitionSearch search, int from, int length, List<FieldVector> outputs) {
    // One task per output column: each fills its own vector in row order.
    List<WorkerPool.Task> work = new ArrayList<>();
    for (int f = 0; f < outputs.size(); f++) {
      int feature = f;
      work.add(
          () -> search.write(feature, slot -> from + slot, length, outputs.get(feature), chunks));
    }
    WorkerPool.shared().runAll(work, options.threads());
  }

  /** The entity rows of each partition; rows without a key are in none. */
  private static int[][] entityRowsByPartition(int[] keyIds, int partitions) {
    int[] counts = new int[partitions];
    for (int k : keyIds) {
      if (k >= 0) {
        counts[k % partitions]++;
      }
    }
    int[][] rows = new int[partitions][];
    for (int p = 0; p < partitions; p++) {
      rows[p] = new int[counts[p]];
      counts[p] = 0;
    }
    for (int row = 0; row < keyIds.length; row++) {
      int k = keyIds[row];
      if (k >= 0) {
        int p = k % partitions;
        rows[p][counts[p]++] = row;
      }
    }
    return rows;
  }

  /**
   * The answers of one partition's entity rows (ascending), slot {@code j} holding those of {@code
   * entityRows[j]}.
   */
  private VectorSchemaRoot collect(
      PartitionSearch search,
      int[] entityRows,
      VectorSchemaRoot[] loaded,
      List<FieldVector> outputs) {
    List<FieldVector> vectors = new ArrayList<>();
    for (FieldVector output : outputs) {
      FieldVector vector = output.getField().createVector(allocator);
      vector.setInitialCapacity(entityRows.length);
      vector.allocateNew();
      vectors.add(vector);
    }
    VectorSchemaRoot result = new VectorSchemaRoot(vectors);
    for (int f = 0; f < vectors.size(); f++) {
      search.write(f, slot -> entityRows[slot], entityRows.length, vectors.get(f), loaded);
    }
    result.setRowCount(entityRows.length);
    return result;
  }

  /** Moves the partitions' results into the outputs, visiting entity rows in order. */
  private static void merge(
      int[] keyIds, VectorSchemaRoot[] partitionResults, List<FieldVector> outputs) {
    int[] next = new int[partitionResults.length];
    for (int row = 0; row < keyIds.length; row++) {
      int k = keyIds[row];
      if (k < 0) {
        continue;
      }
      int p = k % partitionResults.length;
      int j = next[p]++;
      VectorSchemaRoot result = partitionResults[p];
      for (int f = 0; f < outputs.size(); f++) {
        FieldVector from = result.getVector(f);
        if (!from.isNull(j)) {
          outputs.get(f).copyFromSafe(j, row, from);
        }
      }
    }
  }

  @Override
  public void close() {
    Arrays.asList(chunks)
        .forEach(
            chunk -> {
              if (chunk != null) {
                chunk.close();
              }
            });
    Arrays.fill(chunks, null);
    if (spill != null) {
      spill.close();
    }
  }
}
