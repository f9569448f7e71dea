package dev.quiver.offline.join;

import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.ArrowValues;
import dev.quiver.offline.TimestampColumns;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The entity rows of a historical request: every column as given, and the event timestamp of each
 * row in nanoseconds. The timestamp column is the one the request names, else {@code
 * event_timestamp}, else the only timestamp column.
 */
public final class EntityTable implements AutoCloseable {

  public static final String DEFAULT_TIMESTAMP_COLUMN = "event_timestamp";

  private final VectorSchemaRoot root;
  private final String timestampColumn;
  private final long[] timestamps;

  private EntityTable(VectorSchemaRoot root, String timestampColumn, long[] timestamps) {
    this.root = root;
    this.timestampColumn = timestampColumn;
    this.timestamps = timestamps;
  }

  /**
   * Takes ownership of {@code root}.
   *
   * @throws InvalidRequestException without a timestamp column, or with a null timestamp
   */
  public static EntityTable of(VectorSchemaRoot root) {
    return of(root, null);
  }

  /**
   * Takes ownership of {@code root}, reading each row's time from {@code timestampColumn} (null:
   * {@code event_timestamp}, else the only timestamp column).
   *
   * @throws InvalidRequestException when the column is missing or not a timestamp, or a row has a
   *     null timestamp
   */
  public static EntityTable of(VectorSchemaRoot root, String timestampColumn) {
    String column = timestampColumn == null ? timestampColumn(root) : named(root, timestampColumn);
    TimeStampVector vector = (TimeStampVector) root.getVector(column);
    ArrowType.Timestamp type = (ArrowType.Timestamp) vector.getField().getType();
    long factor = ArrowTypes.nanosPerUnit(type.getUnit());
    int rows = root.getRowCount();
    long[] timestamps = new long[rows];
    for (int row = 0; row < rows; row++) {
      if (vector.isNull(row)) {
        throw new InvalidRequestException(
            "Cannot retrieve features: entity row "
                + (row + 1)
                + " has no "
                + column
                + "; every entity row needs the time to look features up at");
      }
      timestamps[row] = Math.multiplyExact(vector.get(row), factor);
    }
    return new EntityTable(root, column, timestamps);
  }

  private static String named(VectorSchemaRoot root, String column) {
    FieldVector vector = root.getVector(column);
    if (vector == null) {
      List<String> names = root.getSchema().getFields().stream().map(Field::getName).toList();
      throw new InvalidRequestException(
          "Cannot retrieve features: the entity rows have no column '"
              + column
              + "' (the timestamp column asked for; they have "
              + String.join(", ", names)
              + ")");
    }
    if (!(vector.getField().getType() instanceof ArrowType.Timestamp)) {
      throw new InvalidRequestException(
          "Cannot retrieve features: the entity column '"
              + column
              + "' is "
              + vector.getField().getType()
              + ", not a timestamp");
    }
    return column;
  }

  private static String timestampColumn(VectorSchemaRoot root) {
    List<String> candidates = new ArrayList<>();
    for (Field field : root.getSchema().getFields()) {
      if (field.getType() instanceof ArrowType.Timestamp) {
        candidates.add(field.getName());
      }
    }
    if (candidates.contains(DEFAULT_TIMESTAMP_COLUMN)) {
      return DEFAULT_TIMESTAMP_COLUMN;
    }
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    if (root.getSchema().getFields().stream()
        .anyMatch(f -> f.getName().equals(DEFAULT_TIMESTAMP_COLUMN))) {
      throw new InvalidRequestException(
          "Cannot retrieve features: the entity column '"
              + DEFAULT_TIMESTAMP_COLUMN
              + "' is not a timestamp");
    }
    throw new InvalidRequestException(
        "Cannot retrieve features: the entity rows need an '"
            + DEFAULT_TIMESTAMP_COLUMN
            + "' column"
            + (candidates.isEmpty()
                ? " (they have no timestamp column)"
                : " (they have several timestamp columns: " + String.join(", ", candidates) + ")"));
  }

  public VectorSchemaRoot root() {
    return root;
  }

  public int rowCount() {
    return root.getRowCount();
  }

  public String timestampColumn() {
    return timestampColumn;
  }

  long[] timestamps() {
    return timestamps;
  }

  /** Rows {@code [from, from + length)} as a table of their own (sharing this one's buffers). */
  EntityTable slice(int from, int length) {
    return new EntityTable(
        root.slice(from, length),
        timestampColumn,
        java.util.Arrays.copyOfRange(timestamps, from, from + length));
  }

  public List<String> columnNames() {
    return root.getSchema().getFields().stream().map(Field::getName).toList();
  }

  /**
   * The column holding a join key, as the entity's declared type (int32 columns widen to int64).
   * The caller closes a returned vector only if it is not the table's own.
   *
   * @throws InvalidRequestException when the column is missing or of another type
   */
  FieldVector keyColumn(String joinKey, ScalarType declared, String forView) {
    FieldVector vector = root.getVector(joinKey);
    if (vector == null) {
      throw new InvalidRequestException(
          "Cannot retrieve features of feature view '"
              + forView
              + "': the entity rows have no column '"
              + joinKey
              + "'");
    }
    ValueType actual = ArrowTypes.valueType(vector.getField());
    if (declared == ScalarType.TIMESTAMP
        && vector instanceof TimeStampVector timestamps
        && !TimestampColumns.UTC_NANOS.equals(vector.getField().getType())) {
      // Keys compare as UTC nanoseconds, whatever unit and zone the column keeps.
      return TimestampColumns.utcNanos(timestamps);
    }
    if (Objects.equals(actual, ValueType.scalar(declared))) {
      return vector;
    }
    if (declared == ScalarType.INT64 && vector instanceof IntVector ints) {
      BigIntVector widened = new BigIntVector(joinKey, ints.getAllocator());
      widened.allocateNew(ints.getValueCount());
      for (int i = 0; i < ints.getValueCount(); i++) {
        if (!ints.isNull(i)) {
          widened.set(i, ints.get(i));
        }
      }
      widened.setValueCount(ints.getValueCount());
      return widened;
    }
    if (declared == ScalarType.INT32 && vector instanceof BigIntVector longs) {
      // pandas writes int64 by default; narrow when every value fits.
      IntVector narrowed = new IntVector(joinKey, longs.getAllocator());
      narrowed.allocateNew(longs.getValueCount());
      for (int i = 0; i < longs.getValueCount(); i++) {
        if (!longs.isNull(i)) {
          long value = longs.get(i);
          if (value != (int) value) {
            narrowed.close();
            throw new InvalidRequestException(
                "Cannot retrieve features of feature view '"
                    + forView
                    + "': entity row "
                    + (i + 1)
                    + " has "
                    + joinKey
                    + " = "
                    + value
                    + ", which does not fit the join key's type int32");
          }
          narrowed.set(i, (int) value);
        }
      }
      narrowed.setValueCount(longs.getValueCount());
      return narrowed;
    }
    throw new InvalidRequestException(
        "Cannot retrieve features of feature view '"
            + forView
            + "': the entity column '"
            + joinKey
            + "' is "
            + (actual == null ? vector.getField().getType().toString() : actual.toString())
            + ", but the join key is "
            + declared.yamlName());
  }

  /**
   * Checks that the column holding an on-demand view's request field can be read as the field's
   * type ({@link ArrowValues#readable}: the same type, or a wider one read exactly).
   *
   * @throws InvalidRequestException when the column is missing or of another type
   */
  void checkRequestColumn(String field, ValueType type, String forView) {
    FieldVector vector = root.getVector(field);
    if (vector == null) {
      throw new InvalidRequestException(
          "Cannot retrieve features of on-demand feature view '"
              + forView
              + "': the entity rows have no column '"
              + field
              + "', a request field of on-demand feature view '"
              + forView
              + "'");
    }
    if (!ArrowValues.readable(vector, type)) {
      ValueType actual = ArrowTypes.valueType(vector.getField());
      throw new InvalidRequestException(
          "Cannot retrieve features of on-demand feature view '"
              + forView
              + "': the entity column '"
              + field
              + "' is "
              + (actual == null ? vector.getField().getType().toString() : actual.toString())
              + ", but the request field is "
              + type
              + " (a column may be the field's type or one that widens to it exactly: int32 to"
              + " int64; int32, int64 or float32 to float64; int64 to int32 when the values fit;"
              + " or a number for a float32 field, rounded)");
    }
  }

  @Override
  public void close() {
    root.close();
  }
}
