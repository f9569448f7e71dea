package dev.quiver.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
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
    return optionalInstant(field, optionalText(body, field));
  }

  /** {@link #optionalInstant(JsonNode, String)} of the field's text (null when absent). */
  static Instant optionalInstant(String field, String text) {
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

  /**
   * An online lookup's body: {@code features} (empty when absent) or {@code feature_service}, the
   * entity columns, {@code full_feature_names} and {@code as_of} (null when absent).
   */
  record OnlineBody(
      List<String> features,
      String service,
      Map<String, List<Object>> entities,
      boolean fullFeatureNames,
      String asOf) {}

  /**
   * An online lookup's body, read in one pass of the parser, when it is a plainly well-formed one:
   * null for anything else (bad JSON, a field of the wrong type, a nested value, both or neither of
   * features and a service), which the tree reading then reports as it always has. Building the
   * tree was a tenth of a one-entity lookup's allocation.
   */
  static OnlineBody onlineBody(String body) {
    if (body == null) {
      return null;
    }
    try (JsonParser parser = JSON.getFactory().createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      List<String> features = List.of();
      String service = null;
      Map<String, List<Object>> entities = null;
      boolean full = false;
      String asOf = null;
      // A repeated field counts once, with its last value, as in the tree.
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "features" -> {
            if (value == JsonToken.VALUE_NULL) {
              features = List.of();
            } else if (value == JsonToken.START_ARRAY) {
              List<String> items = new ArrayList<>();
              JsonToken item;
              while ((item = parser.nextToken()) == JsonToken.VALUE_STRING) {
                items.add(parser.getText());
              }
              if (item != JsonToken.END_ARRAY) {
                return null;
              }
              features = items;
            } else {
              return null;
            }
          }
          case "feature_service" -> {
            if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL) {
              return null;
            }
            service = value == JsonToken.VALUE_NULL ? null : parser.getText();
          }
          case "entities" -> {
            entities = plainColumns(parser, value);
            if (entities == null) {
              return null;
            }
          }
          case "full_feature_names" -> {
            if (value != JsonToken.VALUE_TRUE
                && value != JsonToken.VALUE_FALSE
                && value != JsonToken.VALUE_NULL) {
              return null;
            }
            full = value == JsonToken.VALUE_TRUE;
          }
          case "as_of" -> {
            if (value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL) {
              return null;
            }
            asOf = value == JsonToken.VALUE_NULL ? null : parser.getText();
          }
          default -> parser.skipChildren();
        }
      }
      if (parser.currentToken() != JsonToken.END_OBJECT
          || parser.nextToken() != null
          || entities == null
          || features.isEmpty() == (service == null)) {
        return null;
      }
      return new OnlineBody(features, service, entities, full, asOf);
    } catch (java.io.IOException e) {
      return null;
    }
  }

  /**
   * The columns of {@code "entities"} when each is a list of plain values (numbers that fit a long
   * or a double, strings, booleans, nulls), else null.
   */
  private static Map<String, List<Object>> plainColumns(JsonParser parser, JsonToken start)
      throws java.io.IOException {
    if (start != JsonToken.START_OBJECT) {
      return null;
    }
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        return null;
      }
      List<Object> values = new ArrayList<>();
      JsonToken token;
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
        switch (token) {
          case VALUE_NUMBER_INT -> {
            JsonParser.NumberType type = parser.getNumberType();
            if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
              return null;
            }
            values.add(parser.getLongValue());
          }
          case VALUE_NUMBER_FLOAT -> {
            if (parser.getNumberType() != JsonParser.NumberType.DOUBLE) {
              return null;
            }
            values.add(parser.getDoubleValue());
          }
          case VALUE_STRING -> values.add(parser.getText());
          case VALUE_TRUE -> values.add(Boolean.TRUE);
          case VALUE_FALSE -> values.add(Boolean.FALSE);
          case VALUE_NULL -> values.add(null);
          default -> {
            return null;
          }
        }
      }
      columns.put(name, values);
    }
    return columns;
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
