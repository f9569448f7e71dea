package dev.quiver.offline.join;

import dev.quiver.QuiverException;
import dev.quiver.offline.ParallelTasks;
import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.parquet.ParquetTableReader;
import dev.quiver.offline.parquet.ReadChecksum;
import dev.quiver.offline.parquet.RowGroupStatistics;
import dev.quiver.offline.parquet.SourceFiles;
import dev.quiver.registry.FeatureSelection.Selected;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The point-in-time join of one feature view: reads the view's source, keeps only rows that can win
 * for some entity row, finds each entity row's winner and copies its feature values into the output
 * vectors.
 *
 * <p>Source rows are spread over partitions by key. When the estimated size of what is read fits
 * the memory budget, the partitions stay in memory (one per thread, searched in parallel);
 * otherwise each partition is written to its own spill file and processed alone, so memory holds
 * one partition at a time.
 */
final class ViewJoin {

  private static final Logger LOG = LoggerFactory.getLogger(ViewJoin.class);

  static final String TS_COLUMN = "__quiver_event_ts";
  static final String CREATED_COLUMN = "__quiver_created_ts";

  private final FeatureView view;
  private final ParquetSource source;
  private final List<Entity> entities;
  private final List<Selected> features;
  private final EntityTable table;
  private final JoinOptions options;
  private final BufferAllocator allocator;
  private final JoinProgress progress;

  private final List<ColumnSpec> keyColumns = new ArrayList<>();
  private final List<ColumnSpec> readColumns = new ArrayList<>();
  private final List<Path> files;
  private final List<Task> tasks = new ArrayList<>();
  private final List<ReadChecksum> fileStates = new ArrayList<>();
  private long estimatedBytes;

  final AtomicLong nullKeyRows = new AtomicLong();
  final AtomicLong nullTimestampRows = new AtomicLong();

  /** One row group to read. */
  private record Task(int index, int file, int rowGroup, long firstRow, long rows) {}

  ViewJoin(
      FeatureView view,
      ParquetSource source,
      List<Entity> entities,
      List<Selected> features,
      EntityTable table,
      Path repoRoot,
      JoinOptions options,
      BufferAllocator allocator,
      JoinProgress progress) {
    this.view = view;
    this.source = source;
    this.entities = entities;
    this.features = features;
    this.table = table;
    this.options = options;
    this.allocator = allocator;
    this.progress = progress;
    for (Entity entity : entities) {
      keyColumns.add(
          new ColumnSpec(
              source.columnFor(entity.joinKey()),
              entity.joinKey(),
              ValueType.scalar(entity.type())));
    }
    readColumns.addAll(keyColumns);
    readColumns.add(
        new ColumnSpec(source.timestampField(), TS_COLUMN, ValueType.scalar(ScalarType.TIMESTAMP)));
    if (source.createdTimestampField() != null) {
      readColumns.add(
          new ColumnSpec(
              source.createdTimestampField(),
              CREATED_COLUMN,
              ValueType.scalar(ScalarType.TIMESTAMP)));
    }
    for (Selected s : features) {
      readColumns.add(
          new ColumnSpec(
              source.columnFor(s.feature().name()), s.feature().name(), s.feature().type()));
    }
    this.files = SourceFiles.resolve(repoRoot, source.path());
  }

  private String what() {
    return "feature view '" + view.name() + "' (source '" + source.name() + "')";
  }

  /**
   * Reads every file's footer, checks its columns, and picks the row groups whose timestamps can
   * matter to entity rows in {@code [minTs - ttl, maxTs]}.
   *
   * @return the number of source rows that will be read
   */
  long plan(long minEntityTs, long maxEntityTs) {
    if (files.isEmpty()) {
      throw new QuiverException(
          "Cannot read " + what() + ": its path '" + source.path() + "' matches no Parquet file");
    }
    long ttl = view.ttl().toNanos();
    long lower = ttl == 0 ? Long.MIN_VALUE : saturatedSubtract(minEntityTs, ttl);
    long planned = 0;
    for (int f = 0; f < files.size(); f++) {
      try (ParquetTableReader reader = ParquetTableReader.open(files.get(f))) {
        reader.resolve(readColumns, what());
        List<BlockMetaData> groups = reader.rowGroups();
        fileStates.add(new ReadChecksum(files.get(f), groups.size()));
        long firstRow = 0;
        for (int g = 0; g < groups.size(); g++) {
          BlockMetaData group = groups.get(g);
          if (group.getRowCount() > 0
              && RowGroupStatistics.mayHold(group, source.timestampField(), lower, maxEntityTs)) {
            tasks.add(new Task(tasks.size(), f, g, firstRow, group.getRowCount()));
            planned += group.getRowCount();
            estimatedBytes += estimateBytes(group);
          }
          firstRow += group.getRowCount();
        }
      }
    }
    return planned;
  }

  private static long saturatedSubtract(long a, long b) {
    long r = a - b;
    return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
  }

  /** Bytes the row group's requested columns take once decoded, roughly. */
  private long estimateBytes(BlockMetaData group) {
    long bytes = 0;
    for (ColumnSpec spec : readColumns) {
      long width =
          switch (spec.type().element()) {
            case BOOL -> 1;
            case INT32, FLOAT32 -> 4;
            default -> 8;
          };
      long stored = 0;
      for (ColumnChunkMetaData column : group.getColumns()) {
        if (column.getPath().toArray()[0].equals(spec.sourceName())) {
          stored += column.getTotalUncompressedSize();
        }
      }
      bytes += Math.max(stored, group.getRowCount() * width);
    }
    // Arrow's validity buffers and the join's own arrays (key, times, order, reference).
    return bytes + group.getRowCount() * 40;
  }

  /**
   * The entity rows' keys as dictionary ids, and per key the first and last entity times; closing
   * it frees the key columns converted to the declared types (the dictionary copies the keys).
   */
  private final class Keys implements AutoCloseable {
    final int[] keyIds;
    final KeyDictionary dictionary;
    final long[] window;
    private final List<FieldVector> owned = new ArrayList<>();

    Keys() {
      int rows = table.rowCount();
      List<FieldVector> entityKeys = new ArrayList<>();
      try {
        for (Entity entity : entities) {
          FieldVector key = table.keyColumn(entity.joinKey(), entity.type(), view.name());
          entityKeys.add(key);
          if (key != table.root().getVector(entity.joinKey())) {
            owned.add(key);
          }
        }
        keyIds = new int[rows];
        dictionary = KeyDictionary.build(entityKeys, rows, keyIds);
        long[] entityTs = table.timestamps();
        int keyCount = dictionary.size();
        // Per key, the first and last entity times, side by side: one cache line per lookup.
        window = new long[2 * keyCount];
        for (int k = 0; k < keyCount; k++) {
          window[2 * k] = Long.MAX_VALUE;
          window[2 * k + 1] = Long.MIN_VALUE;
        }
        for (int row = 0; row < rows; row++) {
          int k = keyIds[row];
          if (k >= 0) {
            window[2 * k] = Math.min(window[2 * k], entityTs[row]);
            window[2 * k + 1] = Math.max(window[2 * k + 1], entityTs[row]);
          }
        }
      } catch (RuntimeException | Error e) {
        close();
        throw e;
      }
    }

    @Override
    public void close() {
      owned.forEach(FieldVector::close);
    }
  }

  /**
   * Runs the join, filling slot {@code i} of each output vector (one per selected feature, in
   * order) for every entity row {@code i} that has a winner.
   */
  void run(List<FieldVector> outputs) {
    int rows = table.rowCount();
    try (Keys keys = new Keys()) {
      int[] keyIds = keys.keyIds;
      KeyDictionary dictionary = keys.dictionary;
      long[] window = keys.window;
      long[] entityTs = table.timestamps();
      int keyCount = dictionary.size();
      long[] winners = new long[rows];
      Arrays.fill(winners, WinnerSearch.NO_WINNER);
      boolean spill = estimatedBytes > options.memoryBudget();
      long estimate = estimatedBytes;
      while (true) {
        int partitions = spill ? spillPartitions(estimate) : options.threads();
        Scan scan =
            new Scan(
                dictionary,
                window,
                partitions,
                spill ? createSpill(partitions) : null,
                options.memoryBudget());
        try {
          long started = System.nanoTime();
          scan.readAll();
          if (scan.overBudget) {
            // The footers understated the decoded size (long strings under a dictionary, say):
            // start again, spilling, rather than go past the budget.
            estimate = Math.max(estimate, scan.heldBytes() * tasks.size() / scan.tasksDone.get());
            LOG.info("{}: over the memory budget in memory; reading again, spilling", view.name());
            spill = true;
            nullKeyRows.set(0);
            nullTimestampRows.set(0);
            resetChecksums();
            continue;
          }
          long read = System.nanoTime();
          scan.searchAndGather(keyIds, entityTs, keyCount, winners, outputs);
          LOG.info(
              "{}: {} keys, {} row groups read and routed in {} ms, searched and gathered in {} ms"
                  + " ({})",
              view.name(),
              keyCount,
              tasks.size(),
              (read - started) / 1_000_000,
              (System.nanoTime() - read) / 1_000_000,
              spill ? "spilled to " + partitions + " partitions" : "in memory");
          return;
        } finally {
          scan.close();
        }
      }
    }
  }

  /** Bytes the planned row groups are estimated to take once read. */
  long estimatedBytes() {
    return estimatedBytes;
  }

  /**
   * The join's search over every entity row with the source rows held in memory, for gathering the
   * values of any range of rows later ({@link Searched#gather}): the sources are read once however
   * many chunks the output is cut into. Returns null, having read nothing or released what it read,
   * when the source rows do not fit {@code budget} bytes; then use {@link #run}.
   */
  Searched searchInMemory(long budget) {
    if (estimatedBytes > budget) {
      return null;
    }
    // The key dictionary copies the keys: it and the converted key columns are needed while the
    // sources are read and searched, not while chunks are gathered.
    try (Keys keys = new Keys()) {
      Scan scan = new Scan(keys.dictionary, keys.window, options.threads(), null, budget);
      boolean kept = false;
      try {
        long[] winners = new long[table.rowCount()];
        Arrays.fill(winners, WinnerSearch.NO_WINNER);
        scan.readAll();
        if (scan.overBudget) {
          nullKeyRows.set(0);
          nullTimestampRows.set(0);
          resetChecksums();
          return null;
        }
        scan.searchInMemory(keys.keyIds, table.timestamps(), keys.dictionary.size(), winners);
        Searched searched = new Searched(scan, winners);
        kept = true;
        return searched;
      } finally {
        if (!kept) {
          scan.close();
        }
      }
    }
  }

  /** A view's winners for every entity row, and the source rows they point into. */
  final class Searched implements AutoCloseable {
    private final Scan scan;
    private final long[] winners;

    private Searched(Scan scan, long[] winners) {
      this.scan = scan;
      this.winners = winners;
    }

    /** What it holds: the source rows read, and a winner per entity row. */
    long heldBytes() {
      return scan.heldBytes() + 8L * winners.length;
    }

    /** Copies the winners' values of entity rows {@code [from, from + length)} to slots from 0. */
    void gather(int from, int length, List<FieldVector> outputs) {
      ViewJoin.this.gather(winners, from, length, Arrays.asList(scan.chunks), outputs);
    }

    @Override
    public void close() {
      scan.close();
    }
  }

  /** Enough partitions that one holds about half the budget. */
  private int spillPartitions(long estimate) {
    long budget = options.memoryBudget();
    return (int) Math.max(options.threads(), Math.min(4096, (estimate * 2 + budget - 1) / budget));
  }

  private void resetChecksums() {
    for (int f = 0; f < fileStates.size(); f++) {
      fileStates.set(f, new ReadChecksum(files.get(f), fileStates.get(f).rowGroups()));
    }
  }

  private SpillPartitions createSpill(int partitions) {
    List<FieldVectorSpec> featureFields = new ArrayList<>();
    for (Selected s : features) {
      featureFields.add(new FieldVectorSpec(s.feature().name(), s.feature().type()));
    }
    return new SpillPartitions(options.spillDirectory(), partitions, featureFields, allocator);
  }

  /** The name and type of a feature column in spill files. */
  record FieldVectorSpec(String name, ValueType type) {}

  /** The reading and routing of source rows into partitions, in memory or spilled. */
  private final class Scan implements AutoCloseable {
    private final KeyDictionary dictionary;
    private final long[] window;
    private final long ttl = view.ttl().toNanos();
    private final int partitions;
    private final SpillPartitions spill;
    private final SourceRows[] inMemory;
    private final VectorSchemaRoot[] chunks = new VectorSchemaRoot[tasks.size()];
    private final long baseline = allocator.getAllocatedMemory();
    private final AtomicLong rowsHeld = new AtomicLong();
    final AtomicLong tasksDone = new AtomicLong();
    volatile boolean overBudget;

    /** Memory the kept source rows take: their Arrow buffers and the search arrays. */
    long heldBytes() {
      return allocator.getAllocatedMemory() - baseline + rowsHeld.get() * 36;
    }

    /** Past this many bytes held in memory, reading stops ({@link #overBudget}). */
    private final long budget;

    Scan(
        KeyDictionary dictionary,
        long[] window,
        int partitions,
        SpillPartitions spill,
        long budget) {
      this.budget = budget;
      this.dictionary = dictionary;
      this.window = window;
      this.partitions = partitions;
      this.spill = spill;
      this.inMemory = new SourceRows[spill == null ? partitions : 0];
      for (int p = 0; p < inMemory.length; p++) {
        inMemory[p] = new SourceRows(1024);
      }
    }

    void readAll() {
      ParallelTasks.run(
          tasks.stream().<ParallelTasks.Task>map(task -> () -> read(task)).toList(),
          options.threads());
    }

    private void read(Task task) {
      if (overBudget) {
        return;
      }
      ReadChecksum file = fileStates.get(task.file());
      ParquetTableReader.RowGroup group;
      try (ParquetTableReader reader = ParquetTableReader.open(files.get(task.file()))) {
        group =
            reader.read(
                task.rowGroup(), readColumns, reader.resolve(readColumns, what()), allocator);
        file.add(reader, task.rowGroup(), group);
      }
      VectorSchemaRoot root = group.root();
      try {
        route(task, root);
      } finally {
        if (chunks[task.index()] == null) {
          root.close();
        }
      }
      tasksDone.incrementAndGet();
      progress.sourceRowsRead(task.rows());
    }

    private void route(Task task, VectorSchemaRoot root) {
      List<FieldVector> keys = new ArrayList<>();
      for (ColumnSpec key : keyColumns) {
        keys.add(root.getVector(key.name()));
      }
      TimeStampNanoTZVector ts = (TimeStampNanoTZVector) root.getVector(TS_COLUMN);
      TimeStampNanoTZVector created = (TimeStampNanoTZVector) root.getVector(CREATED_COLUMN);
      SourceRows[] local = new SourceRows[partitions];
      long base = ((long) task.file() << 40) + task.firstRow();
      long nullKeys = 0;
      long nullTimes = 0;
      int rows = root.getRowCount();
      // Key ids for the whole chunk first: the table reads are independent, so they overlap.
      int[] ids = dictionary.lookupAll(keys, rows);
      for (int row = 0; row < rows; row++) {
        int k = ids[row];
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
        // Rows after every entity row of the key, or older than every window, never win.
        long first = window[2 * k];
        if (at > window[2 * k + 1]
            || ttl != 0 && at < first && Long.compareUnsigned(first - at, ttl) > 0) {
          continue;
        }
        long createdAt =
            created == null || created.isNull(row) ? SourceRows.NULL_CREATED : created.get(row);
        int p = k % partitions;
        if (local[p] == null) {
          local[p] = new SourceRows(Math.max(16, rows / partitions));
        }
        local[p].add(k, at, createdAt, base + row, SourceRows.reference(task.index(), row));
      }
      nullKeyRows.addAndGet(nullKeys);
      nullTimestampRows.addAndGet(nullTimes);
      if (spill != null) {
        for (int p = 0; p < partitions; p++) {
          if (local[p] != null) {
            spill.write(p, local[p], root);
          }
        }
        return;
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
      if (kept) {
        chunks[task.index()] = root;
        if (heldBytes() > budget) {
          overBudget = true;
        }
      }
    }

    void searchAndGather(
        int[] keyIds, long[] entityTs, int keyCount, long[] winners, List<FieldVector> outputs) {
      if (spill == null) {
        searchInMemory(keyIds, entityTs, keyCount, winners);
        gather(winners, 0, winners.length, Arrays.asList(chunks), outputs);
        return;
      }
      int[][] entityRows = entityRowsByPartition(keyIds, partitions);
      // Variable-width Arrow vectors must be written in row order, so a spilled partition copies
      // its winners into a result of its own, merged into the outputs in row order at the end.
      VectorSchemaRoot[] partitionResults = new VectorSchemaRoot[partitions];
      List<ParallelTasks.Task> work = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        int partition = p;
        work.add(
            () -> {
              try (SpillPartitions.Loaded loaded = spill.load(partition)) {
                WinnerSearch.search(
                    entityRows[partition],
                    keyIds,
                    entityTs,
                    loaded.rows(),
                    keyCount,
                    partitions,
                    ttl,
                    winners);
                partitionResults[partition] =
                    collect(entityRows[partition], winners, loaded.chunks(), outputs);
              }
            });
      }
      try {
        ParallelTasks.run(work, options.threads());
        merge(keyIds, partitionResults, outputs);
      } finally {
        for (VectorSchemaRoot result : partitionResults) {
          if (result != null) {
            result.close();
          }
        }
      }
    }

    /** Finds every entity row's winner among the partitions in memory, which it then frees. */
    void searchInMemory(int[] keyIds, long[] entityTs, int keyCount, long[] winners) {
      int[][] entityRows = entityRowsByPartition(keyIds, partitions);
      List<ParallelTasks.Task> work = new ArrayList<>();
      for (int p = 0; p < partitions; p++) {
        int partition = p;
        work.add(
            () -> {
              WinnerSearch.search(
                  entityRows[partition],
                  keyIds,
                  entityTs,
                  inMemory[partition],
                  keyCount,
                  partitions,
                  ttl,
                  winners);
              inMemory[partition] = null;
            });
      }
      ParallelTasks.run(work, options.threads());
    }

    @Override
    public void close() {
      for (VectorSchemaRoot chunk : chunks) {
        if (chunk != null) {
          chunk.close();
        }
      }
      if (spill != null) {
        spill.close();
      }
    }
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
   * Copies the winners' feature values of entity rows {@code [from, from + length)} to output slots
   * {@code 0 .. length - 1}, in row order.
   */
  private void gather(
      long[] winners,
      int from,
      int length,
      List<VectorSchemaRoot> chunks,
      List<FieldVector> outputs) {
    // One task per output column: each fills its own vector in row order.
    List<ParallelTasks.Task> work = new ArrayList<>();
    for (int f = 0; f < outputs.size(); f++) {
      FieldVector output = outputs.get(f);
      String name = features.get(f).feature().name();
      FieldVector[] sources = new FieldVector[chunks.size()];
      for (int c = 0; c < sources.length; c++) {
        sources[c] = chunks.get(c) == null ? null : chunks.get(c).getVector(name);
      }
      work.add(
          () -> {
            for (int row = from; row < from + length; row++) {
              long winner = winners[row];
              if (winner != WinnerSearch.NO_WINNER) {
                output.copyFromSafe(
                    SourceRows.rowOf(winner), row - from, sources[SourceRows.chunkOf(winner)]);
              }
            }
          });
    }
    ParallelTasks.run(work, options.threads());
  }

  /**
   * The winners' values of one partition's entity rows (ascending), slot {@code j} holding the
   * values for {@code entityRows[j]}.
   */
  private VectorSchemaRoot collect(
      int[] entityRows, long[] winners, List<VectorSchemaRoot> chunks, List<FieldVector> outputs) {
    List<FieldVector> vectors = new ArrayList<>();
    for (FieldVector output : outputs) {
      FieldVector vector = output.getField().createVector(allocator);
      vector.setInitialCapacity(entityRows.length);
      vector.allocateNew();
      vectors.add(vector);
    }
    VectorSchemaRoot result = new VectorSchemaRoot(vectors);
    for (int j = 0; j < entityRows.length; j++) {
      long winner = winners[entityRows[j]];
      if (winner != WinnerSearch.NO_WINNER) {
        copyFeatures(chunks.get(SourceRows.chunkOf(winner)), SourceRows.rowOf(winner), vectors, j);
      }
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

  private void copyFeatures(
      VectorSchemaRoot chunk, int sourceRow, List<FieldVector> targets, int targetRow) {
    for (int f = 0; f < targets.size(); f++) {
      targets
          .get(f)
          .copyFromSafe(sourceRow, targetRow, chunk.getVector(features.get(f).feature().name()));
    }
  }

  /** What was read, per file, in file order. */
  List<SourceFileRead> reads() {
    return fileStates.stream()
        .map(f -> new SourceFileRead(view.name(), f.result(), f.rowGroupsRead(), f.rowGroups()))
        .toList();
  }
}
