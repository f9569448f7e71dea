package dev.quiver.offline.join;

import dev.quiver.offline.ArrowTypes;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.FeatureSelection.Selected;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** The training set and what was read to make it. The caller closes it. */
  public record Result(
      VectorSchemaRoot table,
      List<SourceFileRead> sourceFiles,
      long sourceRowsRead,
      long skippedNullKeyRows,
      long skippedNullTimestampRows)
      implements AutoCloseable {
    @Override
    public void close() {
      table.close();
    }
  }

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
    List<String> names = selection.outputNames(fullFeatureNames, entities.columnNames());
    int rows = entities.rowCount();
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

    long minTs = Long.MAX_VALUE;
    long maxTs = Long.MIN_VALUE;
    for (long ts : entities.timestamps()) {
      minTs = Math.min(minTs, ts);
      maxTs = Math.max(maxTs, ts);
    }
    long planned = 0;
    if (rows > 0) {
      for (ViewJoin join : joins.values()) {
        planned += join.plan(minTs, maxTs);
      }
    }
    progress.totalSourceRows(planned);

    List<FieldVector> outputs = new ArrayList<>();
    try {
      for (int i = 0; i < selection.features().size(); i++) {
        Selected selected = selection.features().get(i);
        FieldVector vector =
            ArrowTypes.field(names.get(i), selected.feature().type()).createVector(allocator);
        vector.setInitialCapacity(rows);
        vector.allocateNew();
        outputs.add(vector);
      }
      long nullKeys = 0;
      long nullTimes = 0;
      List<SourceFileRead> reads = new ArrayList<>();
      if (rows > 0) {
        for (FeatureView view : selection.views()) {
          ViewJoin join = joins.get(view.name());
          List<FieldVector> viewOutputs = new ArrayList<>();
          for (int i = 0; i < selection.features().size(); i++) {
            if (selection.features().get(i).view().name().equals(view.name())) {
              viewOutputs.add(outputs.get(i));
            }
          }
          join.run(viewOutputs);
          reads.addAll(join.reads());
          nullKeys += join.nullKeyRows.get();
          nullTimes += join.nullTimestampRows.get();
        }
      }
      for (FieldVector output : outputs) {
        output.setValueCount(rows);
      }
      List<FieldVector> columns = new ArrayList<>();
      for (FieldVector vector : entities.root().getFieldVectors()) {
        TransferPair transfer = vector.getTransferPair(allocator);
        transfer.transfer();
        columns.add((FieldVector) transfer.getTo());
      }
      columns.addAll(outputs);
      VectorSchemaRoot table = new VectorSchemaRoot(columns);
      table.setRowCount(rows);
      return new Result(table, reads, planned, nullKeys, nullTimes);
    } catch (RuntimeException | Error e) {
      outputs.forEach(FieldVector::close);
      throw e;
    }
  }
}
