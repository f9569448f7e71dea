package dev.quiver.offline;

import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.util.List;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * The Arrow type of every declared value type. Timestamps are read and compared as UTC nanoseconds;
 * a training set's timestamp columns then take back their source's unit and zone ({@link
 * TimestampColumns}).
 */
public final class ArrowTypes {

  public static final String UTC = "UTC";

  private ArrowTypes() {}

  public static ArrowType of(ScalarType type) {
    return switch (type) {
      case BOOL -> ArrowType.Bool.INSTANCE;
      case INT32 -> new ArrowType.Int(32, true);
      case INT64 -> new ArrowType.Int(64, true);
      case FLOAT32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case STRING -> ArrowType.Utf8.INSTANCE;
      case BYTES -> ArrowType.Binary.INSTANCE;
      case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.NANOSECOND, UTC);
    };
  }

  /** How many nanoseconds one unit of an Arrow timestamp is. */
  public static long nanosPerUnit(TimeUnit unit) {
    return switch (unit) {
      case SECOND -> 1_000_000_000L;
      case MILLISECOND -> 1_000_000L;
      case MICROSECOND -> 1_000L;
      case NANOSECOND -> 1L;
    };
  }

  /** A nullable field of the given type; lists hold nullable elements. */
  public static Field field(String name, ValueType type) {
    Field element = new Field(name, FieldType.nullable(of(type.element())), null);
    if (!type.list()) {
      return element;
    }
    return new Field(
        name,
        FieldType.nullable(ArrowType.List.INSTANCE),
        List.of(new Field("element", FieldType.nullable(of(type.element())), null)));
  }

  /**
   * The declared type an Arrow field holds, or null when it has no Quiver equivalent. Timestamps of
   * every unit and zone (or none) are {@code timestamp}.
   */
  public static ValueType valueType(Field field) {
    if (field.getType() instanceof ArrowType.List && field.getChildren().size() == 1) {
      ScalarType element = scalar(field.getChildren().get(0).getType());
      return element == null ? null : ValueType.listOf(element);
    }
    ScalarType scalar = scalar(field.getType());
    return scalar == null ? null : ValueType.scalar(scalar);
  }

  private static ScalarType scalar(ArrowType type) {
    if (type instanceof ArrowType.Bool) {
      return ScalarType.BOOL;
    }
    if (type instanceof ArrowType.Int i && i.getIsSigned()) {
      return i.getBitWidth() == 64
          ? ScalarType.INT64
          : i.getBitWidth() == 32 ? ScalarType.INT32 : null;
    }
    if (type instanceof ArrowType.FloatingPoint f) {
      return f.getPrecision() == FloatingPointPrecision.DOUBLE
          ? ScalarType.FLOAT64
          : f.getPrecision() == FloatingPointPrecision.SINGLE ? ScalarType.FLOAT32 : null;
    }
    if (type instanceof ArrowType.Utf8) {
      return ScalarType.STRING;
    }
    if (type instanceof ArrowType.Binary) {
      return ScalarType.BYTES;
    }
    if (type instanceof ArrowType.Timestamp) {
      return ScalarType.TIMESTAMP;
    }
    return null;
  }
}
