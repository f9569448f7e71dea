package dev.quiver.registry.ondemand;

import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.NullableType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.CelByteString;
import dev.cel.common.values.NullValue;
import dev.quiver.EpochNanos;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * How Quiver's values enter CEL and come back (DESIGN.md, "On-demand features"): int32 and int64 as
 * CEL int, float32 and float64 as CEL double (a float32 widened by Java's exact widening, never
 * through text), strings, bytes, bools, timestamps as CEL timestamps, lists element by element; a
 * null as CEL {@code null}. Results are narrowed to the declared type: a double to float32 by
 * rounding to nearest, an int that does not fit int32 to null, a timestamp outside 1677-2262 to
 * null.
 */
final class CelValues {

  private CelValues() {}

  /** The type a variable of {@code type} is declared with: nullable scalars, lists as they are. */
  static CelType variableType(ValueType type) {
    CelType element = scalarType(type.element());
    return type.list() ? ListType.create(element) : NullableType.create(element);
  }

  /** The type an expression declared as {@code type} must have. */
  static CelType resultType(ValueType type) {
    CelType element = scalarType(type.element());
    return type.list() ? ListType.create(element) : element;
  }

  private static CelType scalarType(ScalarType type) {
    return switch (type) {
      case BOOL -> SimpleType.BOOL;
      case INT32, INT64 -> SimpleType.INT;
      case FLOAT32, FLOAT64 -> SimpleType.DOUBLE;
      case STRING -> SimpleType.STRING;
      case BYTES -> SimpleType.BYTES;
      case TIMESTAMP -> SimpleType.TIMESTAMP;
    };
  }

  /** A value as the SDK and training sets hold it (null, Integer, Float, byte[]...) as CEL's. */
  static Object toCel(Object value) {
    if (value == null) {
      return NullValue.NULL_VALUE;
    }
    if (value instanceof Integer i) {
      return (long) i;
    }
    if (value instanceof Float f) {
      return (double) f;
    }
    if (value instanceof byte[] bytes) {
      return CelByteString.of(bytes);
    }
    if (value instanceof List<?> list) {
      List<Object> elements = new ArrayList<>(list.size());
      for (Object element : list) {
        elements.add(toCel(element));
      }
      return elements;
    }
    // Long, Double, Boolean, String and Instant are CEL's own.
    return value;
  }

  /**
   * A CEL result as a value of {@code type}, or null when it is CEL's null or does not fit the
   * type.
   */
  static Object fromCel(Object result, ValueType type) {
    if (result == null || result instanceof NullValue) {
      return null;
    }
    if (!type.list()) {
      return scalarFromCel(result, type.element());
    }
    if (!(result instanceof List<?> list)) {
      return null;
    }
    List<Object> values = new ArrayList<>(list.size());
    for (Object element : list) {
      if (element == null || element instanceof NullValue) {
        values.add(null); // a null element stays, as lists of inputs hold them
        continue;
      }
      Object value = scalarFromCel(element, type.element());
      if (value == null) {
        return null;
      }
      values.add(value);
    }
    return values;
  }

  private static Object scalarFromCel(Object result, ScalarType type) {
    return switch (type) {
      case BOOL -> result instanceof Boolean b ? b : null;
      case INT64 -> result instanceof Long l ? l : null;
      case INT32 ->
          result instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE
              ? (Object) l.intValue()
              : null;
      case FLOAT64 -> result instanceof Double d ? d : null;
      case FLOAT32 -> result instanceof Double d ? (Object) d.floatValue() : null;
      case STRING -> result instanceof String s ? s : null;
      case BYTES ->
          result instanceof CelByteString b
              ? b.toByteArray()
              : result instanceof com.google.protobuf.ByteString b ? b.toByteArray() : null;
      case TIMESTAMP -> result instanceof Instant t && EpochNanos.holds(t) ? t : null;
    };
  }
}
