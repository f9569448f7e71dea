package dev.quiver.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.Excerpt;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading Feast's JSON bodies, with a 400 that says what is wrong for anything unexpected. */
final class JsonBodies {

  /** Anything after the body's one JSON value is an error, not ignored. */
  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private JsonBodies() {}

  /** A response body as JSON text. */
  static String write(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a response body", e);
    }
  }

  /** The body as a JSON object. */
  static JsonNode object(String body) {
    if (body == null || body.isBlank()) {
      throw new BadRequestException("The request has no body; send a JSON object");
    }
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new BadRequestException(
          "The request body is not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new BadRequestException("The request body must be a JSON object");
    }
    return node;
  }

  static String requiredText(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw new BadRequestException("The request body needs \"" + field + "\"");
    }
    if (!value.isTextual()) {
      throw new BadRequestException("\"" + field + "\" must be a string");
    }
    return value.textValue();
  }

  static String optionalText(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new BadRequestException("\"" + field + "\" must be a string");
    }
    return value.textValue();
  }

  static boolean optionalBoolean(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return false;
    }
    if (!value.isBoolean()) {
      throw new BadRequestException("\"" + field + "\" must be true or false");
    }
    return value.booleanValue();
  }

  /**
   * What a request asks for: {@code "features"} (references) or a {@code "feature_service"}.
   *
   * @param service null when features are listed
   */
  record FeatureChoice(List<String> references, String service) {}

  /** The request's {@code "features"} or {@code "feature_service"}, exactly one of them. */
  static FeatureChoice featureChoice(JsonNode body) {
    List<String> references = textList(body, "features");
    String service = optionalText(body, "feature_service");
    if (references.isEmpty() == (service == null)) {
      throw new BadRequestException(
          "Ask for \"features\" (a list of \"view:feature\") or for a \"feature_service\", not"
              + " both");
    }
    return new FeatureChoice(references, service);
  }

  /** A list of strings, or empty when the field is absent. */
  static List<String> textList(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return List.of();
    }
    if (!value.isArray()) {
      throw new BadRequestException("\"" + field + "\" must be a list of strings");
    }
    List<String> items = new ArrayList<>();
    for (JsonNode item : value) {
      if (!item.isTextual()) {
        throw new BadRequestException("\"" + field + "\" must be a list of strings");
      }
      items.add(item.textValue());
    }
    return items;
  }

  static Instant instant(JsonNode body, String field) {
    return parseInstant(field, requiredText(body, field));
  }

  /**
   * An instant as the CLI takes one: ISO-8601 (without an offset, UTC), a date alone (its midnight,
   * UTC), or {@code now}; null when the field is absent or {@code now} (the server's clock then
   * decides).
   */
  static Instant optionalInstant(JsonNode body, String field) {
    String text = optionalText(body, field);
    if (text == null || text.strip().equalsIgnoreCase("now")) {
      return null;
    }
    if (text.strip().length() == 10) {
      try {
        return java.time.LocalDate.parse(text.strip())
            .atStartOfDay(java.time.ZoneOffset.UTC)
            .toInstant();
      } catch (DateTimeParseException e) {
        throw notAnInstant(field, text);
      }
    }
    return parseInstant(field, text);
  }

  private static Instant parseInstant(String field, String text) {
    try {
      return dev.quiver.offline.io.EntityFiles.parseInstant(text);
    } catch (DateTimeParseException e) {
      throw notAnInstant(field, text);
    }
  }

  private static BadRequestException notAnInstant(String field, String text) {
    return new BadRequestException(
        "\""
            + field
            + "\" is not an ISO-8601 instant (2026-03-01T00:00:00Z): '"
            + Excerpt.of(text)
            + "'");
  }

  /** A columnar object ({@code {"column": [v1, v2, ...], ...}}) as Java values. */
  static Map<String, List<Object>> columns(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.isObject()) {
      throw new BadRequestException(
          "\"" + field + "\" must be an object of columns, {\"name\": [values...], ...}");
    }
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> column = fields.next();
      if (!column.getValue().isArray()) {
        throw new BadRequestException(
            "\""
                + field
                + "\"."
                + Excerpt.of(column.getKey())
                + " must be a list of values, one per row");
      }
      List<Object> values = new ArrayList<>(column.getValue().size());
      for (JsonNode item : column.getValue()) {
        values.add(plain(item));
      }
      columns.put(column.getKey(), values);
    }
    return columns;
  }

  /** A JSON value as Java: integers as Long, other numbers as Double, arrays as lists. */
  static Object plain(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : (Object) node.doubleValue();
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isArray()) {
      List<Object> items = new ArrayList<>(node.size());
      node.forEach(item -> items.add(plain(item)));
      return items;
    }
    // An object where a value belongs: kept as its JSON text, refused by the type checks.
    return node.toString();
  }
}
