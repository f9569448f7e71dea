package dev.quiver.offline.join;

import dev.quiver.QuiverException;
import dev.quiver.offline.ArrowTypes;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.FeatureSelection.Selected;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.TransferPair;

/**
 * Historical retrieval: for each entity row and each requested feature view, the feature values of
 * the latest source row of the same key at or before the row's timestamp, within the view's ttl
 * (DESIGN.md, "Point-in-time semantics"). The output holds every entity row once, in input order,
 * with all its columns, then the features in request order.
 */
public final class PointInTimeJoin {

  private PointInTimeJoin() {}

  /** A chunked join's chunks have at least this many rows (the last excepted). */
  static final int MIN_CHUNK_ROWS = 65_536;

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
   * Runs the join. The entity table's vectors move into the result; the table is left empty.
   *
   * @throws dev.quiver.registry.InvalidRequestException for clashing names or bad entity columns
   * @throws dev.quiver.offline.parquet.ParquetTableReader.SourceDataException when a source file
   *     lacks a column or holds one of another type
   */
  public static Result run(
      EntityTable entities,
      FeatureSelection selection,
      Definitions definitions,
      Path repoRoot,
      boolean fullFeatureNames,
      JoinOptions options,
      BufferAllocator allocator,
      JoinProgress progress) {
    return new Join(selection, definitions, repoRoot, fullFeatureNames, options, allocator)
        .run(entities, progress, timeRange(entities.timestamps()));
  }

  /**
   * Runs the join a chunk of entity rows at a time, so that only one chunk's result is ever in
   * memory: each chunk's table, its rows in input order, goes to {@code chunks} and is closed when
   * it returns. When every view's source rows fit the memory budget together, the sources are read
   * once and each chunk's values gathered from them; otherwise every chunk reads the sources again,
   * planned for the time range of all the rows, so each reads the same row groups: a source file
   * whose content changes between chunks fails the join. Chunks have {@link
   * JoinOptions#chunkRows()} rows, or as many as take about half the memory budget; with no entity
   * rows, {@code chunks} gets one empty table. As with {@link #run}, the entity table's vectors may
   * move into the result: do not read the table afterwards.
   *
   * @return what was read, the same as {@link #run} would have read
   * @throws dev.quiver.QuiverException when a source file changed between chunks
   */
  public static Reads runInChunks(
      EntityTable entities,
      FeatureSelection selection,
      Definitions definitions,
      Path repoRoot,
      boolean fullFeatureNames,
      JoinOptions options,
      BufferAllocator allocator,
      JoinProgress progress,
      Consumer<VectorSchemaRoot> chunks) {
    Join join = new Join(selection, definitions, repoRoot, fullFeatureNames, options, allocator);
    int rows = entities.rowCount();
    int chunkRows = chunkRows(entities, selection, options);
    int chunkCount = (int) Math.max(1, ((long) rows + chunkRows - 1) / chunkRows);
    long[] range = timeRange(entities.timestamps());
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
              range,
              chunkRows,
              chunks);
      if (once != null) {
        return once;
      }
    }
    JoinProgress overAllChunks =
        new JoinProgress() {
          private boolean totalKnown;

          @Override
          public void totalSourceRows(long sourceRows) {
            if (!totalKnown) {
              totalKnown = true;
              progress.totalSourceRows(sourceRows * chunkCount + readBefore.get());
            }
          }

          @Override
          public void sourceRowsRead(long sourceRows) {
            progress.sourceRowsRead(sourceRows);
          }
        };
    Reads first = null;
    for (int chunk = 0; chunk < chunkCount; chunk++) {
      int from = chunk * chunkRows;
      try (EntityTable part =
              chunkCount == 1 ? null : entities.slice(from, Math.min(chunkRows, rows - from));
          Result result = join.run(part == null ? entities : part, overAllChunks, range)) {
        if (first == null) {
          first = result.reads();
        } else if (!first.sourceFiles().equals(result.sourceFiles())) {
          throw new QuiverException(
              "A source file changed while the training set was being made (chunk "
                  + (chunk + 1)
                  + " of "
                  + chunkCount
                  + " read other content than chunk 1): run the retrieval again");
        }
        chunks.accept(result.table());
      }
    }
    return first;
  }

  /** Rows per chunk: the chosen count, or about half the memory budget's worth of output. */
  static int chunkRows(EntityTable entities, FeatureSelection selection, JoinOptions options) {
    if (options.chunkRows() > 0) {
      return options.chunkRows();
    }
    long rowBytes = 0;
    if (entities.rowCount() > 0) {
      for (FieldVector vector : entities.root().getFieldVectors()) {
        rowBytes += vector.getBufferSize() / entities.rowCount() + 1;
      }
    }
    for (Selected selected : selection.features()) {
      ValueType type = selected.feature().type();
      rowBytes +=
          type.list()
              ? 64
              : switch (type.element()) {
                case BOOL -> 1;
                case INT32, FLOAT32 -> 5;
                case STRING, BYTES -> 32;
                default -> 9;
              };
    }
    long fit = options.memoryBudget() / 2 / Math.max(1, rowBytes);
    return (int) Math.max(MIN_CHUNK_ROWS, Math.min(Integer.MAX_VALUE / 2, fit));
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

  /** What a join reads and how, the same for every chunk: all but the entity rows. */
  private record Join(
      FeatureSelection selection,
      Definitions definitions,
      Path repoRoot,
      boolean fullFeatureNames,
      JoinOptions options,
      BufferAllocator allocator) {

    /** The join, its source row groups planned for entity times in {@code range}. */
    Result run(EntityTable entities, JoinProgress progress, long[] range) {
      List<String> names = selection.outputNames(fullFeatureNames, entities.columnNames());
      int rows = entities.rowCount();
      Map<String, ViewJoin> joins = viewJoins(entities, progress);
      long planned = 0;
      if (rows > 0) {
        for (ViewJoin join : joins.values()) {
          planned += join.plan(range[0], range[1]);
        }
      }
      progress.totalSourceRows(planned);

      List<FieldVector> outputs = new ArrayList<>();
      try {
        outputs.addAll(outputVectors(names, rows));
        if (rows > 0) {
          for (FeatureView view : selection.views()) {
            joins.get(view.name()).run(outputsOf(view, outputs));
          }
        }
        for (FieldVector output : outputs) {
          output.setValueCount(rows);
        }
        List<FieldVector> columns = transferred(entities.root(), allocator);
        columns.addAll(outputs);
        VectorSchemaRoot table = new VectorSchemaRoot(columns);
        table.setRowCount(rows);
        Reads reads = readsOf(joins.values(), planned);
        return new Result(
            table,
            reads.sourceFiles(),
            reads.sourceRowsRead(),
            reads.skippedNullKeyRows(),
            reads.skippedNullTimestampRows());
      } catch (RuntimeException | Error e) {
        outputs.forEach(FieldVector::close);
        throw e;
      }
    }

    /**
     * The chunked join reading each source once: when every view's source rows fit the memory
     * budget together, each view searches all entity rows and keeps its source rows, and each
     * chunk's values are gathered from them. Returns null, having handed over no chunk, when they
     * do not fit (then every chunk reads the sources again).
     */
    Reads readOnce(
        EntityTable entities,
        JoinProgress progress,
        long[] range,
        int chunkRows,
        Consumer<VectorSchemaRoot> chunks) {
      List<String> names = selection.outputNames(fullFeatureNames, entities.columnNames());
      int rows = entities.rowCount();
      Map<String, ViewJoin> joins = viewJoins(entities, progress);
      long planned = 0;
      long estimated = 0;
      for (ViewJoin join : joins.values()) {
        planned += join.plan(range[0], range[1]);
        // The source rows, and a winner (8 bytes) per entity row.
        estimated += join.estimatedBytes() + 8L * rows;
      }
      if (estimated > options.memoryBudget()) {
        return null;
      }
      progress.totalSourceRows(planned);
      Map<String, ViewJoin.Searched> searched = new LinkedHashMap<>();
      try {
        // One budget for all the views together: each gets what the ones before left.
        long left = options.memoryBudget();
        for (Map.Entry<String, ViewJoin> join : joins.entrySet()) {
          ViewJoin.Searched one = join.getValue().searchInMemory(left);
          if (one == null) {
            return null;
          }
          searched.put(join.getKey(), one);
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
          } catch (RuntimeException | Error e) {
            columns.forEach(FieldVector::close);
            throw e;
          }
          try (VectorSchemaRoot chunk = new VectorSchemaRoot(columns)) {
            chunk.setRowCount(length);
            chunks.accept(chunk);
          }
        }
        return readsOf(joins.values(), planned);
      } finally {
        searched.values().forEach(ViewJoin.Searched::close);
      }
    }

    /** One join per selected view, over all of {@code entities}. */
    private Map<String, ViewJoin> viewJoins(EntityTable entities, JoinProgress progress) {
      Map<String, ViewJoin> joins = new LinkedHashMap<>();
      for (FeatureView view : selection.views()) {
        ParquetSource source = definitions.sourceOf(view);
        List<Entity> keys = definitions.entitiesOf(view);
        joins.put(
            view.name(),
            new ViewJoin(
                view,
                source,
                keys,
                selection.of(view),
                entities,
                repoRoot,
                options,
                allocator,
                progress));
      }
      return joins;
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
  private static Reads readsOf(Iterable<ViewJoin> joins, long planned) {
    List<SourceFileRead> reads = new ArrayList<>();
    long nullKeys = 0;
    long nullTimes = 0;
    for (ViewJoin join : joins) {
      reads.addAll(join.reads());
      nullKeys += join.nullKeyRows.get();
      nullTimes += join.nullTimestampRows.get();
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
