package dev.quiver.offline.parquet;

import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.parquet.column.ColumnReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Copies one row group's values of one Parquet column into an Arrow vector of the declared type,
 * converting as {@link ParquetField#canReadAs} allows (timestamps become UTC nanoseconds).
 */
public final class ColumnFiller {

  /** Writes the reader's current value into slot {@code index} of a vector. */
  private interface ValueCopier {
    void copy(ColumnReader reader, int index);
  }

  private final ParquetField field;
  private final ValueCopier copier;
  private final FieldVector elements;
  private final ListVector list;

  /**
   * @param vector an Arrow vector of {@code type} (a {@code ListVector} for list types)
   */
  public ColumnFiller(ParquetField field, ValueType type, FieldVector vector) {
    this.field = field;
    if (type.list()) {
      this.list = (ListVector) vector;
      this.elements = list.getDataVector();
    } else {
      this.list = null;
      this.elements = vector;
    }
    this.copier = copier(field, type.element(), elements);
  }

  /** Reads {@code rows} rows from {@code reader} into slots {@code 0..rows-1}. */
  public void fill(ColumnReader reader, int rows) {
    if (list == null) {
      fillFlat(reader, rows);
    } else {
      fillLists(reader, rows);
    }
  }

  private void fillFlat(ColumnReader reader, int rows) {
    int maxDefinition = field.column().getMaxDefinitionLevel();
    FieldVector vector = elements;
    vector.setInitialCapacity(rows);
    vector.allocateNew();
    for (int row = 0; row < rows; row++) {
      if (reader.getCurrentDefinitionLevel() == maxDefinition) {
        copier.copy(reader, row);
      } else {
        vector.setNull(row);
      }
      reader.consume();
    }
    vector.setValueCount(rows);
  }

  private void fillLists(ColumnReader reader, int rows) {
    int maxDefinition = field.column().getMaxDefinitionLevel();
    list.setInitialCapacity(rows);
    list.allocateNew();
    long remaining = reader.getTotalValueCount();
    int element = 0;
    for (int row = 0; row < rows; row++) {
      int definition = reader.getCurrentDefinitionLevel();
      if (definition < field.listDefined()) {
        list.setNull(row);
        reader.consume();
        remaining--;
        continue;
      }
      int start = list.startNewValue(row);
      element = start;
      if (definition < field.elementPresent()) {
        // An empty list is stored as one entry-less value.
        reader.consume();
        remaining--;
      } else {
        do {
          if (reader.getCurrentDefinitionLevel() == maxDefinition) {
            copier.copy(reader, element);
          } else {
            elements.setNull(element);
          }
          element++;
          reader.consume();
          remaining--;
        } while (remaining > 0 && reader.getCurrentRepetitionLevel() > 0);
      }
      list.endValue(row, element - start);
    }
    elements.setValueCount(element);
    list.setValueCount(rows);
  }

  private static ValueCopier copier(ParquetField field, ScalarType type, FieldVector vector) {
    PrimitiveTypeName physical = field.leaf().getPrimitiveTypeName();
    return switch (type) {
      case BOOL -> {
        BitVector v = (BitVector) vector;
        yield (r, i) -> v.setSafe(i, r.getBoolean() ? 1 : 0);
      }
      case INT32 -> {
        IntVector v = (IntVector) vector;
        yield (r, i) -> v.setSafe(i, r.getInteger());
      }
      case INT64 -> {
        BigIntVector v = (BigIntVector) vector;
        yield physical == PrimitiveTypeName.INT32
            ? (r, i) -> v.setSafe(i, r.getInteger())
            : (r, i) -> v.setSafe(i, r.getLong());
      }
      case FLOAT32 -> {
        Float4Vector v = (Float4Vector) vector;
        yield (r, i) -> v.setSafe(i, r.getFloat());
      }
      case FLOAT64 -> {
        Float8Vector v = (Float8Vector) vector;
        yield (r, i) -> v.setSafe(i, r.getDouble());
      }
      case STRING -> {
        VarCharVector v = (VarCharVector) vector;
        yield (r, i) -> setBinary(v, i, r.getBinary());
      }
      case BYTES -> {
        VarBinaryVector v = (VarBinaryVector) vector;
        yield (r, i) -> setBinary(v, i, r.getBinary());
      }
      case TIMESTAMP -> {
        TimeStampNanoTZVector v = (TimeStampNanoTZVector) vector;
        if (physical == PrimitiveTypeName.INT96) {
          yield (r, i) -> v.setSafe(i, Timestamps.int96ToNanos(r.getBinary()));
        }
        long factor =
            Timestamps.nanosPerUnit(
                ((LogicalTypeAnnotation.TimestampLogicalTypeAnnotation)
                        field.leaf().getLogicalTypeAnnotation())
                    .getUnit());
        yield factor == 1
            ? (r, i) -> v.setSafe(i, r.getLong())
            : (r, i) -> v.setSafe(i, Timestamps.toNanos(r.getLong(), factor));
      }
    };
  }

  private static void setBinary(
      org.apache.arrow.vector.BaseVariableWidthVector vector, int index, Binary value) {
    java.nio.ByteBuffer bytes = value.toByteBuffer();
    vector.setSafe(index, bytes, bytes.position(), bytes.remaining());
  }
}
