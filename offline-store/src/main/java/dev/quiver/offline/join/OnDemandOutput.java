package dev.quiver.offline.join;

import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.ArrowValues;
import dev.quiver.offline.resources.WorkerPool;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.FeatureSelection.Computed;
import dev.quiver.registry.FeatureSelection.Requested;
import dev.quiver.registry.FeatureSelection.Selected;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.ondemand.OnDemandEvaluator;
import dev.quiver.registry.ondemand.Variable;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.TransferPair;

/**
 * The join's output stage for on-demand features: turns a chunk of the join of the stored features
 * to read ({@link FeatureSelection#stored()}, under {@linkplain #internalName internal names}) into
 * the requested table: the entity columns, then the requested features in request order, stored
 * ones moved over and computed ones evaluated by one {@link OnDemandEvaluator} for the whole join.
 * Input features that were not requested are left in the joined chunk, which its owner closes.
 *
 * <p>Request fields are entity columns of the same name, read as the field's type ({@link
 * ArrowValues}: the same type or one that widens to it exactly).
 */
final class OnDemandOutput {

  /** Rows one evaluation task takes at least: fewer are not worth a thread. */
  static final int MIN_TASK_ROWS = 8_192;

  private final FeatureSelection selection;
  private final OnDemandEvaluator evaluator;
  private final List<String> names;
  private final int threads;
  private final BufferAllocator allocator;

  /**
   * For each variable of the evaluator, its stored feature's index in {@code features()}, or -1.
   */
  private final int[] inputIndexes;

  /** {@link FeatureSelection#readIndexes()}: where each requested stored feature was joined. */
  private final int[] readIndexes;

  private OnDemandOutput(
      FeatureSelection selection,
      OnDemandEvaluator evaluator,
      List<String> names,
      int threads,
      BufferAllocator allocator) {
    this.selection = selection;
    this.evaluator = evaluator;
    this.names = names;
    this.threads = threads;
    this.allocator = allocator;
    this.inputIndexes = evaluator.inputIndexes(selection);
    this.readIndexes = selection.readIndexes();
  }

  /**
   * The output stage of a join of {@code selection}, which has on-demand features, for {@code
   * entities}: checks the output names and the request fields' columns before anything is read.
   *
   * @throws InvalidRequestException for clashing names, or a request field's column that is missing
   *     or of a type that cannot be read as the field's
   */
  static OnDemandOutput of(
      EntityTable entities,
      FeatureSelection selection,
      Definitions definitions,
      boolean fullFeatureNames,
      JoinOptions options,
      BufferAllocator allocator) {
    List<String> names = selection.outputNames(fullFeatureNames, entities.columnNames());
    OnDemandEvaluator evaluator = OnDemandEvaluator.forTraining(selection, definitions);
    List<Variable> missing =
        evaluator.requestFields().stream()
            .filter(field -> !entities.columnNames().contains(field.name()))
            .toList();
    if (missing.size() > 1) {
      // Every one at once, rather than one retrieval per missing column.
      List<String> described = new ArrayList<>();
      for (Variable field : missing) {
        described.add(
            "'" + field.name() + "' (of on-demand feature view '" + evaluator.viewOf(field) + "')");
      }
      throw new InvalidRequestException(
          "Cannot retrieve on-demand features: the entity rows have no columns for the request"
              + " fields "
              + String.join(", ", described));
    }
    for (Variable field : evaluator.requestFields()) {
      entities.checkRequestColumn(field.name(), field.type(), evaluator.viewOf(field));
    }
    return new OnDemandOutput(selection, evaluator, names, options.threads(), allocator);
  }

  /**
   * The name a stored feature's column has in the join before this stage: it cannot clash with an
   * entity column or another feature.
   */
  static String internalName(Selected selected) {
    return "\u0000" + selected.fullName();
  }

  /**
   * The requested table of a joined chunk: its entity columns (the first ones), then the requested
   * features. Moves the vectors it keeps out of {@code joined}; the caller still closes {@code
   * joined}, and closes the returned table.
   */
  VectorSchemaRoot finish(VectorSchemaRoot joined) {
    int rows = joined.getRowCount();
    List<FieldVector> vectors = joined.getFieldVectors();
    int entityColumns = vectors.size() - selection.features().size();
    List<Computed> computedFeatures = evaluator.features();
    FieldVector[] computed = new FieldVector[computedFeatures.size()];
    List<FieldVector> columns = new ArrayList<>();
    try {
      int c = 0;
      for (int r = 0; r < selection.requested().size(); r++) {
        if (selection.requested().get(r) instanceof Computed feature) {
          FieldVector vector =
              ArrowTypes.field(names.get(r), feature.feature().type()).createVector(allocator);
          computed[c++] = vector;
          vector.setInitialCapacity(rows);
          vector.allocateNew();
        }
      }
      evaluate(joined, entityColumns, rows, computed);
      for (FieldVector vector : computed) {
        vector.setValueCount(rows);
      }
      for (int e = 0; e < entityColumns; e++) {
        columns.add(moved(vectors.get(e), vectors.get(e).getField()));
      }
      c = 0;
      for (int r = 0; r < selection.requested().size(); r++) {
        Requested requested = selection.requested().get(r);
        if (requested instanceof Selected) {
          FieldVector vector = vectors.get(entityColumns + readIndexes[r]);
          Field field = vector.getField();
          columns.add(
              moved(vector, new Field(names.get(r), field.getFieldType(), field.getChildren())));
        } else {
          columns.add(computed[c]);
          computed[c++] = null;
        }
      }
    } catch (RuntimeException | Error e) {
      columns.forEach(FieldVector::close);
      for (FieldVector vector : computed) {
        if (vector != null) {
          vector.close();
        }
      }
      throw e;
    }
    VectorSchemaRoot table = new VectorSchemaRoot(columns);
    table.setRowCount(rows);
    return table;
  }

  private FieldVector moved(FieldVector vector, Field as) {
    TransferPair transfer = vector.getTransferPair(as, allocator);
    transfer.transfer();
    return (FieldVector) transfer.getTo();
  }

  /**
   * Whether values of this type are written straight into their vector from any thread: a fixed
   * width, in ranges of rows that share no byte of the validity (and bit) buffers.
   */
  private static boolean fixedWidth(ValueType type) {
    return !type.list()
        && type.element() != ScalarType.STRING
        && type.element() != ScalarType.BYTES;
  }

  /**
   * Evaluates every computed feature for every row into {@code computed} (allocated for {@code
   * rows}): over row ranges in parallel when there are enough rows, each range with its own
   * bindings. Fixed-width values go straight into their vectors (ranges start at multiples of 64
   * rows, so no two threads write one byte); text, bytes and lists are kept per row and written in
   * order afterwards, as their vectors grow.
   */
  private void evaluate(
      VectorSchemaRoot joined, int entityColumns, int rows, FieldVector[] computed) {
    List<Variable> variables = evaluator.variables();
    ArrowValues.Reader[] readers = new ArrowValues.Reader[variables.size()];
    for (int v = 0; v < variables.size(); v++) {
      FieldVector vector =
          inputIndexes[v] < 0
              ? joined.getVector(variables.get(v).name())
              : joined.getFieldVectors().get(entityColumns + inputIndexes[v]);
      readers[v] = ArrowValues.reader(vector, variables.get(v).type());
    }
    int features = evaluator.features().size();
    ValueType[] types = new ValueType[features];
    Object[][] later = new Object[features][];
    for (int f = 0; f < features; f++) {
      types[f] = evaluator.features().get(f).feature().type();
      later[f] = fixedWidth(types[f]) ? null : new Object[rows];
    }
    int tasks = (int) Math.min(Math.max(1, rows / MIN_TASK_ROWS), Math.max(1, (long) threads * 4));
    if (tasks <= 1 || threads <= 1) {
      evaluateRange(readers, computed, types, later, 0, rows);
    } else {
      int step = ((rows + tasks - 1) / tasks + 63) / 64 * 64;
      List<WorkerPool.Task> ranges = new ArrayList<>();
      for (int from = 0; from < rows; from += step) {
        int start = from;
        int end = Math.min(rows, from + step);
        ranges.add(() -> evaluateRange(readers, computed, types, later, start, end));
      }
      WorkerPool.shared().runAll(ranges, threads);
    }
    for (int f = 0; f < features; f++) {
      if (later[f] != null) {
        for (int row = 0; row < rows; row++) {
          ArrowValues.write(computed[f], types[f], row, later[f][row]);
        }
      }
    }
  }

  private void evaluateRange(
      ArrowValues.Reader[] readers,
      FieldVector[] computed,
      ValueType[] types,
      Object[][] later,
      int from,
      int to) {
    OnDemandEvaluator.Bindings bindings = evaluator.bindings();
    int features = computed.length;
    for (int row = from; row < to; row++) {
      for (int v = 0; v < readers.length; v++) {
        Object value;
        try {
          value = readers[v].read(row);
        } catch (ArrowValues.UnreadableValueException e) {
          Variable variable = evaluator.variables().get(v);
          throw new InvalidRequestException(
              "Cannot compute on-demand features: the entity column '"
                  + variable.name()
                  + "' cannot be read as the request field's type "
                  + variable.type()
                  + ": "
                  + e.getMessage(),
              e);
        }
        bindings.set(v, value);
      }
      for (int f = 0; f < features; f++) {
        Object value = evaluator.evaluate(f, bindings);
        if (later[f] == null) {
          ArrowValues.write(computed[f], types[f], row, value);
        } else {
          later[f][row] = value;
        }
      }
    }
  }
}
