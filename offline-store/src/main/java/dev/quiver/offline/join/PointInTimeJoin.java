package dev.quiver.offline.join;

import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.SourceDataException;
import dev.quiver.offline.TimestampColumns;
import dev.quiver.offline.resources.Reservation;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.FeatureSelection.Selected;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Historical retrieval: for each entity row and each requested feature view, the feature values of
 * the latest source row of the same key at or before the row's timestamp, within the view's ttl
 * (DESIGN.md, "Point-in-time semantics"); for an aggregation view, each feature's aggregate of the
 * key's events in its window ending at the row's timestamp (DESIGN.md, "Windowed aggregations").
 * The output holds every entity row once, in input order, with all its columns, then the features
 * in request order.
 *
 * <p>On-demand features are computed by an output stage ({@link OnDemandOutput}): the join reads
 * the stored features they need ({@link FeatureSelection#stored()}), each chunk's on-demand values
 * are evaluated from those and from the request fields (entity columns), and only the requested
 * features are kept.
 *
 * <p>A join works within one {@link Reservation} of the process's memory: the entity rows are
 * already in it, the rest is split between the output (one chunk) and the source rows held for the
 * search, which spill to disk past their share. What the plan shows it will not need is given back
 * before reading starts.
 */
public final class PointInTimeJoin {

  private PointInTimeJoin() {}

  /** A chunked join's chunks have at least this many rows (the last excepted). */
  static final int MIN_CHUNK_ROWS = 65_536;

  /** Kept beyond the estimates: Arrow rounds buffers up to powers of two. */
  private static final long SLACK_BYTES = 16L << 20;

  /** The training set and what was read to make it. The caller closes it. */
  public record Result(
      VectorSchemaRoot table,
      List<SourceFileRead> sourceFiles,
      long sourceRowsRead,
      long skippedNullKeyRows,
      long skippedNullTimestampRows)
      implements AutoCloseable {

    public Reads reads() {
      return new Reads(sourceFiles, sourceRowsRead, skippedNullKeyRows, skippedNullTimestampRows);
    }

    @Override
    public void close() {
      table.close();
    }
  }

  /**
   * What a join read. A chunked join reads the same row groups for every chunk, so this is what a
   * join of all the rows at once would have read.
   */
  public record Reads(
      List<SourceFileRead> sourceFiles,
      long sourceRowsRead,
      long skippedNullKeyRows,
      long skippedNullTimestampRows) {}

  /**
   * Runs the join. The entity table's vectors move into the result, which is allocated in {@code
   * memory}'s allocator; the table is left empty. The output is not bounded by the reservation (it
   * is all of it at once): use {@link #runInChunks} to bound it.
   *
   * @throws dev.quiver.registry.InvalidRequestException for clashing names or bad entity columns
   *     (join keys, the timestamp, or an on-demand view's request field missing or of a type that
   *     does not widen exactly to the field's; request fields are checked before any source is
   *     read)
   * @throws SourceDataException when a source file lacks a column or holds one of another type
   */
  public static Result run(
      EntityTable entities,
      FeatureSelection selection,
      Definitions definitions,
      Path repoRoot,
      boolean fullFeatureNames,
      JoinOptions options,
      Reservation memory,
      JoinProgress progress) {
    OnDemandOutput onDemand =
        selection.hasOnDemand()
            ? OnDemandOutput.of(
                entities, selection, definitions, fullFeatureNames, options, memory.allocator())
            : null;
    Join join =
        Join.plan(
            entities,
            selection.stored(),
            definitions,
            repoRoot,
            fullFeatureNames,
            onDemand != null,
            options,
            memory.allocator());
    progress.totalSourceRows(join.plannedRows());
    Result joined = join.run(entities, workingMemory(options, memory), progress);
    if (onDemand == null) {
      return joined;
    }
    try (joined) {
      return new Result(
          onDemand.finish(joined.table()),
          joined.sourceFiles(),
          joined.sourceRowsRead(),
          joined.skippedNullKeyRows(),
          joined.skippedNullTimestampRows());
    }
  }

  /**
   * Runs the join a chunk of entity rows at a time, so that only one chunk's result is ever in
   * memory: each chunk's table, its rows in input order, goes to {@code chunks} and is closed when
   * it returns. When every view's source rows fit the memory left beside a chunk, the sources are
   * read once and each chunk's values gathered from them; otherwise every chunk reads the sources
   * again (the same planned row groups), so a source file whose content changes between chunks
   * fails the join. Chunks have {@link JoinOptions#chunkRows()} rows, or as many as take about half
   * the working memory; with no entity rows, {@code chunks} gets one empty table. As with {@link
   * #run}, the entity table's vectors may move into the result: do not read the table afterwards.
   *
   * @return what was read, the same as {@link #run} would have read
   * @throws dev.quiver.registry.InvalidRequestException as {@link #run}
   * @throws SourceDataException when a source file changed between chunks
   */
  public static Reads runInChunks(
      EntityTable entities,
      FeatureSelection selection,
      Definitions definitions,
      Path repoRoot,
      boolean fullFeatureNames,
      JoinOptions options,
      Reservation memory,
      JoinProgress progress,
      Consumer<VectorSchemaRoot> chunks) {
    OnDemandOutput onDemand =
        selection.hasOnDemand()
            ? OnDemandOutput.of(
                entities, selection, definitions, fullFeatureNames, options, memory.allocator())
            : null;
    Consumer<VectorSchemaRoot> joinedChunks =
        onDemand == null
            ? chunks
            : joined -> {
              try (VectorSchemaRoot finished = onDemand.finish(joined)) {
                chunks.accept(finished);
              }
            };
    Join join =
        Join.plan(
            entities,
            selection.stored(),
            definitions,
            repoRoot,
            fullFeatureNames,
            onDemand != null,
            options,
            memory.allocator());
    int rows = entities.rowCount();
    long rowBytes = outputRowBytes(entities, selection);
    long working = workingMemory(options, memory);
    // Fewer threads when the row groups they would decode at once do not fit beside a chunk.
    join = join.withThreads(threadsThatFit(options, working, join.readingBytes()));
    int chunkRows = chunkRows(options, working, rowBytes);
    int chunkCount = (int) Math.max(1, ((long) rows + chunkRows - 1) / chunkRows);
    long chunkBytes = Math.min(rows, chunkRows) * rowBytes;
    // Held all at once: every view's source rows, and with several chunks every view's answers for
    // every entity row (a winner, or each feature's aggregate), beside one chunk and the row groups
    // being read.
    long sources = join.inMemoryBytes() + (chunkCount > 1 ? join.answerBytes(rows) : 0);
    long reading = join.readingBytes();
    if (sources + sources / 4 + chunkBytes + reading + SLACK_BYTES < working) {
      memory.shrinkTo(
          memory.allocator().getAllocatedMemory()
              + sources
              + sources / 4
              + chunkBytes
              + reading
              + SLACK_BYTES);
      working = workingMemory(options, memory);
    }
    long sourceBudget = Math.max(Math.max(1, working / 4), working - chunkBytes - reading);
    // Rows a read-once attempt read before giving up stay counted: the total grows by them.
    AtomicLong readBefore = new AtomicLong();
    if (chunkCount > 1) {
      Reads once =
          join.readOnce(
              entities,
              new JoinProgress() {
                @Override
                public void totalSourceRows(long sourceRows) {
                  progress.totalSourceRows(sourceRows);
                }

                @Override
                public void sourceRowsRead(long sourceRows) {
                  readBefore.addAndGet(sourceRows);
                  progress.sourceRowsRead(sourceRows);
                }
              },
              chunkRows,
              sourceBudget,
              joinedChunks);
      if (once != null) {
        return once;
      }
    }
    progress.totalSourceRows(join.plannedRows() * chunkCount + readBefore.get());
    Reads first = null;
    for (int chunk = 0; chunk < chunkCount; chunk++) {
      int from = chunk * chunkRows;
      try (EntityTable part =
              chunkCount == 1 ? null : entities.slice(from, Math.min(chunkRows, rows - from));
          Result result = join.run(part == null ? entities : part, sourceBudget, progress)) {
        if (first == null) {
          first = result.reads();
        } else if (!first.sourceFiles().equals(result.sourceFiles())) {
          throw new SourceDataException(
              "Cannot make the training set: a source file changed while it was being made"
                  + " (chunk "
                  + (chunk + 1)
                  + " of "
                  + chunkCount
                  + " read other content than chunk 1); run the retrieval again once the"
                  + " source's files stop changing");
        }
        joinedChunks.accept(result.table());
      }
    }
    return first;
  }

  /**
   * The least memory a join of {@code selection} needs beside its entity rows: each view's largest
   * row group decoded on one thread, and one small output chunk. A request waits until this much is
   * free before it starts. Reads the sources' footers.
   */
  public static long leastMemory(
      FeatureSelection selection, Definitions definitions, Path repoRoot) {
    long largest = 0;
    long rowBytes = 0;
    for (FeatureView view : selection.views()) {
      largest =
          Math.max(
              largest,
              ViewJoin.leastBytes(
                  view,
                  definitions.sourceOf(view),
                  definitions.entitiesOf(view),
                  selection.of(view),
                  repoRoot));
    }
    for (Selected selected : selection.features()) {
      rowBytes += featureBytes(selected.feature().type());
    }
    // Computed features sit beside the stored ones they are computed from.
    for (FeatureSelection.Computed computed : selection.computed()) {
      rowBytes += featureBytes(computed.feature().type());
    }
    return largest + MIN_CHUNK_ROWS * (rowBytes + 32) + SLACK_BYTES;
  }

  /**
   * What a join may hold beyond its entity rows: what its reservation has not allocated yet, or
   * less when the options cap it.
   */
  private static long workingMemory(JoinOptions options, Reservation memory) {
    return Math.max(1, Math.min(options.memoryBudget(), memory.unallocated()));
  }

  /**
   * The options' threads, or fewer: as many as can each decode a row group within half the working
   * memory ({@code reading} is what all of them take together).
   */
  static int threadsThatFit(JoinOptions options, long working, long reading) {
    if (reading <= working / 2) {
      return options.threads();
    }
    long perThread = Math.max(1, reading / options.threads());
    return (int) Math.max(1, Math.min(options.threads(), working / 2 / perThread));
  }

  /** Rows per chunk: the chosen count, or about half the working memory's worth of output. */
  static int chunkRows(JoinOptions options, long working, long rowBytes) {
    if (options.chunkRows() > 0) {
      return options.chunkRows();
    }
    long fit = working / 2 / Math.max(1, rowBytes);
    return (int) Math.max(MIN_CHUNK_ROWS, Math.min(Integer.MAX_VALUE / 2, fit));
  }

  /** Bytes one output row takes, roughly: its entity columns and its features. */
  static long outputRowBytes(EntityTable entities, FeatureSelection selection) {
    long rowBytes = 0;
    if (entities.rowCount() > 0) {
      for (FieldVector vector : entities.root().getFieldVectors()) {
        rowBytes += vector.getBufferSize() / entities.rowCount() + 1;
      }
    }
    for (Selected selected : selection.features()) {
      rowBytes += featureBytes(selected.feature().type());
    }
    // Computed features sit beside the stored ones they are computed from.
    for (FeatureSelection.Computed computed : selection.computed()) {
      rowBytes += featureBytes(computed.feature().type());
    }
    return rowBytes;
  }

  /** Bytes one value of a feature takes in the output, roughly. */
  private static long featureBytes(ValueType type) {
    return type.list()
        ? 64
        : switch (type.element()) {
          case BOOL -> 1;
          case INT32, FLOAT32 -> 5;
          case STRING, BYTES -> 32;
          default -> 9;
        };
  }

  private static long[] timeRange(long[] timestamps) {
    long minTs = Long.MAX_VALUE;
    long maxTs = Long.MIN_VALUE;
    for (long ts : timestamps) {
      minTs = Math.min(minTs, ts);
      maxTs = Math.max(maxTs, ts);
    }
    return new long[] {minTs, maxTs};
  }

  /**
   * A join planned once for the time range of all the entity rows: each view's plan, shared by
   * every chunk and attempt.
   */
  private record Join(
      FeatureSelection selection,
      boolean fullFeatureNames,
      boolean internalNames,
      BufferAllocator allocator,
      Map<String, ViewJoin> views) {

    /** Plans every view's scan; with no entity rows nothing is read, so nothing is planned. */
    static Join plan(
        EntityTable entities,
        FeatureSelection selection,
        Definitions definitions,
        Path repoRoot,
        boolean fullFeatureNames,
        boolean internalNames,
        JoinOptions options,
        BufferAllocator allocator) {
      Map<String, ViewJoin> views = new LinkedHashMap<>();
      if (entities.rowCount() > 0) {
        long[] range = timeRange(entities.timestamps());
        for (FeatureView view : selection.views()) {
          views.put(
              view.name(),
              ViewJoin.plan(
                  view,
                  definitions.sourceOf(view),
                  definitions.entitiesOf(view),
                  selection.of(view),
                  repoRoot,
                  range[0],
                  range[1],
                  options));
        }
      }
      return new Join(selection, fullFeatureNames, internalNames, allocator, views);
    }

    long plannedRows() {
      return views.values().stream().mapToLong(ViewJoin::plannedRows).sum();
    }

    Join withThreads(int threads) {
      Map<String, ViewJoin> adjusted = new LinkedHashMap<>();
      views.forEach((name, view) -> adjusted.put(name, view.withThreads(threads)));
      return new Join(selection, fullFeatureNames, internalNames, allocator, adjusted);
    }

    /** What holding every view's planned source rows takes. */
    long inMemoryBytes() {
      return views.values().stream().mapToLong(ViewJoin::inMemoryBytes).sum();
    }

    /** What every view's answers for {@code rows} entity rows take. */
    long answerBytes(int rows) {
      return views.values().stream().mapToLong(view -> view.answerBytes(rows)).sum();
    }

    /** What the row groups being read at one time take, at most. */
    long readingBytes() {
      return views.values().stream().mapToLong(ViewJoin::readingBytes).max().orElse(0);
    }

    /** The join of {@code entities}, each view's source rows held within {@code budget}. */
    Result run(EntityTable entities, long budget, JoinProgress progress) {
      List<String> names = outputNames(entities);
      int rows = entities.rowCount();
      List<FieldVector> outputs = new ArrayList<>();
      try {
        outputs.addAll(outputVectors(names, rows));
        List<ViewReads> reads = new ArrayList<>();
        if (rows > 0) {
          for (FeatureView view : selection.views()) {
            reads.add(
                views
                    .get(view.name())
                    .run(entities, outputsOf(view, outputs), allocator, budget, progress));
          }
        }
        for (FieldVector output : outputs) {
          output.setValueCount(rows);
        }
        storeAsSources(outputs, 0);
        List<FieldVector> columns = transferred(entities.root(), allocator);
        columns.addAll(outputs);
        VectorSchemaRoot table = new VectorSchemaRoot(columns);
        table.setRowCount(rows);
        Reads all = readsOf(reads, plannedRows());
        return new Result(
            table,
            all.sourceFiles(),
            all.sourceRowsRead(),
            all.skippedNullKeyRows(),
            all.skippedNullTimestampRows());
      } catch (RuntimeException | Error e) {
        outputs.forEach(FieldVector::close);
        throw e;
      }
    }

    /**
     * The chunked join reading each source once: when every view's source rows fit {@code budget}
     * together, each view searches all entity rows and keeps its source rows, and each chunk's
     * values are gathered from them. Returns null, having handed over no chunk, when they do not
     * fit (then every chunk reads the sources again).
     */
    Reads readOnce(
        EntityTable entities,
        JoinProgress progress,
        int chunkRows,
        long budget,
        Consumer<VectorSchemaRoot> chunks) {
      List<String> names = outputNames(entities);
      int rows = entities.rowCount();
      long estimated = 0;
      for (ViewJoin view : views.values()) {
        // The source rows, and the answers of every entity row.
        estimated += view.inMemoryBytes() + view.answerBytes(rows);
      }
      if (estimated > budget) {
        return null;
      }
      progress.totalSourceRows(plannedRows());
      Map<String, ViewJoin.Searched> searched = new LinkedHashMap<>();
      try {
        // One budget for all the views together: each gets what the ones before left.
        long left = budget;
        for (Map.Entry<String, ViewJoin> view : views.entrySet()) {
          ViewJoin.Searched one =
              view.getValue().searchInMemory(entities, allocator, left, progress);
          if (one == null) {
            return null;
          }
          searched.put(view.getKey(), one);
          left -= one.heldBytes();
        }
        for (int from = 0; from < rows; from += chunkRows) {
          int length = Math.min(chunkRows, rows - from);
          List<FieldVector> columns = new ArrayList<>();
          try {
            try (VectorSchemaRoot slice = entities.root().slice(from, length)) {
              columns.addAll(transferred(slice, allocator));
            }
            List<FieldVector> outputs = outputVectors(names, length);
            columns.addAll(outputs);
            for (FeatureView view : selection.views()) {
              searched.get(view.name()).gather(from, length, outputsOf(view, outputs));
            }
            for (FieldVector output : outputs) {
              output.setValueCount(length);
            }
            storeAsSources(columns, columns.size() - outputs.size());
          } catch (RuntimeException | Error e) {
            columns.forEach(FieldVector::close);
            throw e;
          }
          try (VectorSchemaRoot chunk = new VectorSchemaRoot(columns)) {
            chunk.setRowCount(length);
            chunks.accept(chunk);
          }
        }
        return readsOf(
            searched.values().stream().map(ViewJoin.Searched::reads).toList(), plannedRows());
      } finally {
        searched.values().forEach(ViewJoin.Searched::close);
      }
    }

    /**
     * The features' column names: the requested ones, or for an output stage to rename, {@link
     * OnDemandOutput#internalName}s.
     */
    private List<String> outputNames(EntityTable entities) {
      return internalNames
          ? selection.features().stream().map(OnDemandOutput::internalName).toList()
          : selection.outputNames(fullFeatureNames, entities.columnNames());
    }

    /** Empty output vectors for {@code rows} rows, one per selected feature, in request order. */
    private List<FieldVector> outputVectors(List<String> names, int rows) {
      List<FieldVector> outputs = new ArrayList<>();
      try {
        for (int i = 0; i < selection.features().size(); i++) {
          Selected selected = selection.features().get(i);
          FieldVector vector =
              ArrowTypes.field(names.get(i), selected.feature().type()).createVector(allocator);
          outputs.add(vector);
          vector.setInitialCapacity(rows);
          vector.allocateNew();
        }
        return outputs;
      } catch (RuntimeException | Error e) {
        outputs.forEach(FieldVector::close);
        throw e;
      }
    }

    /**
     * Gives each timestamp feature, held as UTC nanoseconds, its source column's unit and zone:
     * replaces the feature vectors at {@code vectors[first...]} (in request order) where it
     * differs.
     */
    private void storeAsSources(List<FieldVector> vectors, int first) {
      for (int i = 0; i < selection.features().size(); i++) {
        Selected selected = selection.features().get(i);
        ViewJoin view = views.get(selected.view().name());
        if (view == null || selected.feature().type().element() != ScalarType.TIMESTAMP) {
          continue;
        }
        Optional<ArrowType.Timestamp> stored = view.storedTimestamp(selected.feature().name());
        if (stored.isPresent()) {
          vectors.set(first + i, TimestampColumns.restore(vectors.get(first + i), stored.get()));
        }
      }
    }

    /** The outputs of {@code view}'s features, in request order. */
    private List<FieldVector> outputsOf(FeatureView view, List<FieldVector> outputs) {
      List<FieldVector> viewOutputs = new ArrayList<>();
      for (int i = 0; i < selection.features().size(); i++) {
        if (selection.features().get(i).view().name().equals(view.name())) {
          viewOutputs.add(outputs.get(i));
        }
      }
      return viewOutputs;
    }
  }

  /** What the views' joins read, {@code planned} source rows in all. */
  private static Reads readsOf(List<ViewReads> views, long planned) {
    List<SourceFileRead> reads = new ArrayList<>();
    long nullKeys = 0;
    long nullTimes = 0;
    for (ViewReads view : views) {
      reads.addAll(view.files());
      nullKeys += view.skippedNullKeyRows();
      nullTimes += view.skippedNullTimestampRows();
    }
    return new Reads(reads, planned, nullKeys, nullTimes);
  }

  /** The root's vectors, moved into new ones of {@code allocator}: the root is left empty. */
  private static List<FieldVector> transferred(VectorSchemaRoot root, BufferAllocator allocator) {
    List<FieldVector> vectors = new ArrayList<>();
    for (FieldVector vector : root.getFieldVectors()) {
      TransferPair transfer = vector.getTransferPair(allocator);
      transfer.transfer();
      vectors.add((FieldVector) transfer.getTo());
    }
    return vectors;
  }
}
