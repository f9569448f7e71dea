package dev.quiver.offline.parquet;

import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * One top-level column of a Parquet file as Quiver reads it: a primitive, or a list of primitives
 * in any of Parquet's list layouts (the standard three levels, the legacy two levels, or a bare
 * repeated field), with the definition levels that tell a null list, an empty list and a null
 * element apart.
 *
 * @param column the leaf column holding the values
 * @param list whether each row holds a list
 * @param listDefined definition level at and above which the list itself is not null
 * @param elementPresent definition level at and above which the list has an entry
 */
public record ParquetField(
    String name,
    PrimitiveType leaf,
    ColumnDescriptor column,
    boolean list,
    int listDefined,
    int elementPresent) {

  /** Finds a top-level field; empty when the file has no such column or it has another shape. */
  public static Optional<ParquetField> find(MessageType schema, String name) {
    if (!schema.containsField(name)) {
      return Optional.empty();
    }
    Type field = schema.getType(name);
    if (field.isPrimitive()) {
      PrimitiveType leaf = field.asPrimitiveType();
      ColumnDescriptor column = schema.getColumnDescription(new String[] {name});
      if (field.isRepetition(Type.Repetition.REPEATED)) {
        // A bare repeated field: no entry means an empty list, never a null one.
        return Optional.of(new ParquetField(name, leaf, column, true, 0, 1));
      }
      return Optional.of(new ParquetField(name, leaf, column, false, 0, 0));
    }
    GroupType group = field.asGroupType();
    if (!(group.getLogicalTypeAnnotation()
            instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation)
        || group.getFieldCount() != 1) {
      return Optional.empty();
    }
    Type repeated = group.getType(0);
    if (!repeated.isRepetition(Type.Repetition.REPEATED)) {
      return Optional.empty();
    }
    String[] path;
    PrimitiveType leaf;
    if (repeated.isPrimitive()) {
      path = new String[] {name, repeated.getName()};
      leaf = repeated.asPrimitiveType();
    } else {
      GroupType entry = repeated.asGroupType();
      if (entry.getFieldCount() != 1 || !entry.getType(0).isPrimitive()) {
        return Optional.empty();
      }
      path = new String[] {name, repeated.getName(), entry.getType(0).getName()};
      leaf = entry.getType(0).asPrimitiveType();
    }
    int listDefined = schema.getMaxDefinitionLevel(name);
    int elementPresent = schema.getMaxDefinitionLevel(name, repeated.getName());
    return Optional.of(
        new ParquetField(
            name, leaf, schema.getColumnDescription(path), true, listDefined, elementPresent));
  }

  /**
   * The Parquet type as a person reads it, for messages: {@code INT64 (TIMESTAMP(MICROS,true))}.
   */
  public String describe() {
    String element =
        leaf.getPrimitiveTypeName()
            + (leaf.getLogicalTypeAnnotation() == null
                ? ""
                : " (" + leaf.getLogicalTypeAnnotation() + ")");
    return list ? "list of " + element : element;
  }

  /**
   * Whether values of this column can be read as {@code declared}: the same type, or int32 into
   * int64 (which shows every value as it is stored). A float32 column is never read as float64:
   * widened, its values would come back with digits nobody wrote (0.11275855 as
   * 0.11275854706764221).
   */
  public boolean canReadAs(ValueType declared) {
    return declared.list() == list && canReadElementAs(declared.element());
  }

  public boolean canReadElementAs(ScalarType declared) {
    Optional<ScalarType> natural = naturalElementType();
    if (natural.isEmpty()) {
      return false;
    }
    ScalarType actual = natural.get();
    return actual == declared
        || actual == ScalarType.INT32 && declared == ScalarType.INT64
        || actual == ScalarType.STRING && declared == ScalarType.BYTES
        // Older writers store strings as plain BINARY without the STRING annotation.
        || actual == ScalarType.BYTES
            && declared == ScalarType.STRING
            && leaf.getPrimitiveTypeName() == PrimitiveTypeName.BINARY;
  }

  /** The declared type this column naturally holds; empty for types Quiver does not read. */
  public Optional<ValueType> naturalType() {
    return naturalElementType().map(t -> list ? ValueType.listOf(t) : ValueType.scalar(t));
  }

  private Optional<ScalarType> naturalElementType() {
    LogicalTypeAnnotation logical = leaf.getLogicalTypeAnnotation();
    PrimitiveTypeName physical = leaf.getPrimitiveTypeName();
    return switch (physical) {
      case BOOLEAN -> Optional.of(ScalarType.BOOL);
      case INT32 -> {
        if (logical == null) {
          yield Optional.of(ScalarType.INT32);
        }
        if (logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i
            && (i.isSigned() || i.getBitWidth() < 32)) {
          yield Optional.of(ScalarType.INT32);
        }
        yield Optional.empty();
      }
      case INT64 -> {
        if (logical == null) {
          yield Optional.of(ScalarType.INT64);
        }
        if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation) {
          yield Optional.of(ScalarType.TIMESTAMP);
        }
        if (logical instanceof LogicalTypeAnnotation.IntLogicalTypeAnnotation i && i.isSigned()) {
          yield Optional.of(ScalarType.INT64);
        }
        yield Optional.empty();
      }
      case INT96 -> Optional.of(ScalarType.TIMESTAMP);
      case FLOAT -> Optional.of(ScalarType.FLOAT32);
      case DOUBLE -> Optional.of(ScalarType.FLOAT64);
      case BINARY -> {
        if (logical instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
            || logical instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
            || logical instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation) {
          yield Optional.of(ScalarType.STRING);
        }
        yield logical == null ? Optional.of(ScalarType.BYTES) : Optional.empty();
      }
      case FIXED_LEN_BYTE_ARRAY ->
          logical == null ? Optional.of(ScalarType.BYTES) : Optional.empty();
    };
  }

  /** The columns to request when reading these fields. */
  public static MessageType projection(MessageType schema, List<ParquetField> fields) {
    return new MessageType(
        schema.getName(), fields.stream().map(f -> schema.getType(f.name())).toList());
  }
}
