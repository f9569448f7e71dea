package dev.quiver.sdk;

import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Request fields' values as their declared types. Besides what a join key of the type takes ({@link
 * OnlineReads#convert}), a float64 field takes any number (a float32 widened exactly), a float32
 * field any number rounded to the nearest float32, and a list field a list of its elements.
 */
final class RequestValues {

  private RequestValues() {}

  /** {@code value} as a value of {@code type}; null when it is null or not one. */
  static Object convert(ValueType type, Object value) {
    if (value == null) {
      return null;
    }
    if (!type.list()) {
      return scalar(type.element(), value);
    }
    if (!(value instanceof List<?> list)) {
      return null;
    }
    List<Object> converted = new ArrayList<>(list.size());
    for (Object element : list) {
      Object typed = scalar(type.element(), element);
      if (typed == null && element != null) {
        return null;
      }
      converted.add(typed);
    }
    return converted;
  }

  private static Object scalar(ScalarType type, Object value) {
    if (value == null) {
      return null;
    }
    return switch (type) {
      case FLOAT64 -> {
        Double d = number(value);
        yield d == null || isInteger(value) && Math.abs(d) > 0x1p53 ? null : d;
      }
      case FLOAT32 -> {
        Double d = number(value);
        yield d == null ? null : (Object) d.floatValue();
      }
      case INT64, INT32 ->
          value instanceof BigInteger big && big.bitLength() < 64
              ? OnlineReads.convert(type, big.longValue())
              : OnlineReads.convert(type, value);
      default -> OnlineReads.convert(type, value);
    };
  }

  /**
   * A number, or JSON's text for NaN and the infinities, as a double (a float32 widened exactly);
   * null for anything else.
   */
  private static Double number(Object value) {
    if (value instanceof Float f) {
      return (double) f;
    }
    if (isNumber(value)) {
      return ((Number) value).doubleValue();
    }
    if (value instanceof String text) {
      return switch (text) {
        case "NaN" -> Double.NaN;
        case "Infinity" -> Double.POSITIVE_INFINITY;
        case "-Infinity" -> Double.NEGATIVE_INFINITY;
        default -> null;
      };
    }
    return null;
  }

  private static boolean isInteger(Object value) {
    return value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof BigInteger;
  }

  private static boolean isNumber(Object value) {
    return value instanceof Double
        || value instanceof Float
        || value instanceof Long
        || value instanceof Integer
        || value instanceof Short
        || value instanceof BigDecimal
        || value instanceof BigInteger;
  }
}
