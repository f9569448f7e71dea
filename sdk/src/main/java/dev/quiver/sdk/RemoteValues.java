package dev.quiver.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Values between Java and the server's JSON: requests in plain JSON, answers typed back by the
 * registered types, so a remote store returns what the embedded one does (Float for float32,
 * Integer for int32, Instant for timestamps, byte[] for bytes).
 */
final class RemoteValues {

  private RemoteValues() {}

  /**
   * A Java value as plain JSON: bytes as base64, instants as RFC 3339, a float32 as the double it
   * widens to exactly (as text, 0.1f would reach the server as 0.1 and differ from what the
   * embedded store computes with).
   */
  static Object toJson(Object value) {
    if (value instanceof Float f) {
      return (double) f;
    }
    if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (value instanceof Instant instant) {
      return instant.toString();
    }
    if (value instanceof List<?> list) {
      List<Object> items = new ArrayList<>(list.size());
      list.forEach(item -> items.add(toJson(item)));
      return items;
    }
    return value;
  }

  /** A JSON value as the Java value of {@code type}. */
  static Object fromJson(JsonNode node, ValueType type) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (type.list()) {
      List<Object> items = new ArrayList<>(node.size());
      for (JsonNode item : node) {
        items.add(scalar(item, type.element()));
      }
      return items;
    }
    return scalar(node, type.element());
  }

  private static Object scalar(JsonNode node, ScalarType type) {
    if (node == null || node.isNull()) {
      return null;
    }
    return switch (type) {
      case INT64 -> node.longValue();
      case INT32 -> node.intValue();
      // NaN and infinities arrive as JSON strings ("NaN", "Infinity", "-Infinity").
      case FLOAT64 -> node.isTextual() ? Double.parseDouble(node.textValue()) : node.doubleValue();
      case FLOAT32 -> node.isTextual() ? Float.parseFloat(node.textValue()) : node.floatValue();
      case BOOL -> node.booleanValue();
      case STRING -> node.textValue();
      case BYTES -> Base64.getDecoder().decode(node.textValue());
      case TIMESTAMP -> Instant.parse(node.textValue());
    };
  }
}
