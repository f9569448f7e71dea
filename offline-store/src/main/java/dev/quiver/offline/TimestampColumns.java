package dev.quiver.offline;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;

/**
 * Timestamps keep the unit and zone flag they came with. Quiver reads every timestamp as UTC
 * nanoseconds to compare them; a column handed back (an entity column, a feature) is then stored
 * again as its source stored it: a {@code TIMESTAMP(MICROS, isAdjustedToUTC=false)} column comes
 * out as Arrow {@code Timestamp(MICROSECOND, null)} and is written as the same Parquet type. A
 * zone-less timestamp is read as UTC, and its values are the same instants written back.
 */
public final class TimestampColumns {

  /** Quiver's own timestamp type: UTC nanoseconds. */
  public static final ArrowType.Timestamp UTC_NANOS =
      new ArrowType.Timestamp(TimeUnit.NANOSECOND, ArrowTypes.UTC);

  private TimestampColumns() {}

  /**
   * The Arrow type a Parquet timestamp column holds: its unit, and UTC when it is adjusted to UTC
   * (no zone otherwise). Legacy INT96 values are nanoseconds, taken as UTC.
   */
  public static ArrowType.Timestamp of(PrimitiveType leaf) {
    if (leaf.getLogicalTypeAnnotation()
        instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation timestamp) {
      TimeUnit unit =
          switch (timestamp.getUnit()) {
            case MILLIS -> TimeUnit.MILLISECOND;
            case MICROS -> TimeUnit.MICROSECOND;
            case NANOS -> TimeUnit.NANOSECOND;
          };
      return new ArrowType.Timestamp(unit, timestamp.isAdjustedToUTC() ? ArrowTypes.UTC : null);
    }
    return UTC_NANOS;
  }

  /** The type two files' columns can both be stored as: theirs when they agree, else Quiver's. */
  public static ArrowType.Timestamp common(ArrowType.Timestamp a, ArrowType.Timestamp b) {
    return a.equals(b) ? a : UTC_NANOS;
  }

  /**
   * A column of UTC nanoseconds (a timestamp or a list of them) as {@code stored}, its values
   * divided down to that unit, which is exact for values read from a column of that unit. Moves the
   * buffers (within the vector's allocator): {@code vector} is closed (and its values changed); the
   * caller owns the result.
   */
  public static FieldVector restore(FieldVector vector, ArrowType.Timestamp stored) {
    Field field = vector.getField();
    if (stored.equals(UTC_NANOS) || !holdsTimestamps(field)) {
      return vector;
    }
    long factor = ArrowTypes.nanosPerUnit(stored.getUnit());
    TimeStampVector values =
        (TimeStampVector)
            (field.getType() instanceof ArrowType.Timestamp
                ? vector
                : vector.getChildrenFromFields().get(0));
    ArrowBuf data = values.getDataBuffer();
    for (int i = 0; i < values.getValueCount(); i++) {
      long index = (long) i * TimeStampVector.TYPE_WIDTH;
      data.setLong(index, Math.floorDiv(data.getLong(index), factor));
    }
    Schema target = new Schema(List.of(retyped(field, stored)));
    int rows = vector.getValueCount();
    try (VectorSchemaRoot from = new VectorSchemaRoot(List.of(vector))) {
      from.setRowCount(rows);
      try (ArrowRecordBatch batch = new VectorUnloader(from).getRecordBatch()) {
        return load(target, batch, vector.getAllocator());
      }
    }
  }

  private static FieldVector load(
      Schema target, ArrowRecordBatch batch, BufferAllocator allocator) {
    VectorSchemaRoot to = VectorSchemaRoot.create(target, allocator);
    try {
      new VectorLoader(to).load(batch);
    } catch (RuntimeException e) {
      to.close();
      throw e;
    }
    return to.getFieldVectors().get(0);
  }

  private static boolean holdsTimestamps(Field field) {
    return field.getType() instanceof ArrowType.Timestamp
        || field.getChildren().size() == 1
            && field.getChildren().get(0).getType() instanceof ArrowType.Timestamp;
  }

  private static Field retyped(Field field, ArrowType.Timestamp stored) {
    if (field.getType() instanceof ArrowType.Timestamp) {
      return new Field(field.getName(), new FieldType(true, stored, null), null);
    }
    List<Field> children = new ArrayList<>();
    for (Field child : field.getChildren()) {
      children.add(retyped(child, stored));
    }
    return new Field(field.getName(), field.getFieldType(), children);
  }

  /**
   * A timestamp column as UTC nanoseconds, Quiver's type for comparing and keying: Arrow stores
   * instants from the epoch in UTC whatever the zone, and a zone-less one is taken as UTC. The
   * caller owns the new vector.
   *
   * @throws ArithmeticException for an instant outside what nanoseconds in a long hold
   */
  public static TimeStampNanoTZVector utcNanos(TimeStampVector vector) {
    ArrowType.Timestamp type = (ArrowType.Timestamp) vector.getField().getType();
    long factor = ArrowTypes.nanosPerUnit(type.getUnit());
    int rows = vector.getValueCount();
    TimeStampNanoTZVector nanos =
        new TimeStampNanoTZVector(
            vector.getField().getName(), vector.getAllocator(), ArrowTypes.UTC);
    try {
      nanos.allocateNew(rows);
      for (int row = 0; row < rows; row++) {
        if (!vector.isNull(row)) {
          nanos.set(row, Math.multiplyExact(vector.get(row), factor));
        }
      }
      nanos.setValueCount(rows);
      return nanos;
    } catch (RuntimeException e) {
      nanos.close();
      throw e;
    }
  }
}
