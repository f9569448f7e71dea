package dev.quiver.streaming;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.EpochNanos;
import dev.quiver.Excerpt;
import dev.quiver.QuiverException;
import dev.quiver.online.OnlineRow;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KafkaSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a stream source's messages: one JSON object each, with the source's timestamp field and
 * every field its views read (through the source's {@code field_mapping}), each of its declared
 * type. A message that is not one is a {@link DeadLetter}, with its reason; the decision depends on
 * the message alone, so a replay decides the same.
 */
public final class EventDecoder {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final KafkaSource source;
  private final Map<String, ValueType> fields;
  private final Set<String> joinKeys;

  /** One decoding outcome: an event, or a dead letter's reason and detail. */
  public sealed interface Decoded {}

  public record Event(StreamEvent event) implements Decoded {}

  public record DeadLetter(DeadLetterReason reason, String detail) implements Decoded {}

  /**
   * @param views the views fed from {@code source}
   * @throws QuiverException when two views read one field with different types
   */
  public EventDecoder(KafkaSource source, List<FeatureView> views, Definitions definitions) {
    this.source = source;
    Map<String, ValueType> byName = new LinkedHashMap<>();
    Set<String> keys = new TreeSet<>();
    Map<String, String> declaredBy = new HashMap<>();
    for (FeatureView view : views) {
      for (Entity entity : definitions.entitiesOf(view)) {
        keys.add(entity.joinKey());
        declare(byName, declaredBy, entity.joinKey(), ValueType.scalar(entity.type()), view);
      }
      List<Feature> read = view.isAggregation() ? view.sourceColumns() : view.features();
      for (Feature feature : read) {
        declare(byName, declaredBy, feature.name(), feature.type(), view);
      }
    }
    this.fields = byName;
    this.joinKeys = keys;
  }

  private static void declare(
      Map<String, ValueType> byName,
      Map<String, String> declaredBy,
      String name,
      ValueType type,
      FeatureView view) {
    ValueType before = byName.putIfAbsent(name, type);
    if (before != null && !before.equals(type)) {
      throw new QuiverException(
          "Cannot ingest feature view '"
              + view.name()
              + "' with feature view '"
              + declaredBy.get(name)
              + "': they read field '"
              + name
              + "' as "
              + type
              + " and as "
              + before
              + "; ingest them separately (--views) or declare one type");
    }
    declaredBy.putIfAbsent(name, view.name());
  }

  /** The fields events carry, by definition name, with their types. */
  public Map<String, ValueType> fields() {
    return fields;
  }

  /**
   * Decodes one message.
   *
   * @param producedMillis the message's timestamp (when it was produced), or negative when unknown:
   *     events dated more than {@link OnlineRow#MAX_FUTURE} after it are dead letters
   */
  public Decoded decode(int partition, long offset, byte[] message, long producedMillis) {
    JsonNode root;
    try {
      root = message == null ? null : JSON.readTree(message);
    } catch (JsonProcessingException e) {
      return dead(DeadLetterReason.UNPARSEABLE, "not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return dead(DeadLetterReason.UNPARSEABLE, "not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      return dead(
          DeadLetterReason.UNPARSEABLE,
          "not a JSON object: "
              + (root == null
                  ? "an empty message"
                  : Excerpt.of(new String(message, StandardCharsets.UTF_8))));
    }
    String tsField = source.timestampField();
    JsonNode ts = root.get(tsField);
    if (ts == null) {
      return dead(DeadLetterReason.MISSING_FIELD, "no field '" + tsField + "' (timestamp_field)");
    }
    Long eventNanos = eventTime(ts);
    if (eventNanos == null) {
      return dead(
          DeadLetterReason.WRONG_TYPE,
          "field '"
              + tsField
              + "' is "
              + Excerpt.of(ts.toString())
              + ", not an RFC 3339 time or epoch milliseconds");
    }
    if (producedMillis >= 0
        && eventNanos > (producedMillis + OnlineRow.MAX_FUTURE.toMillis()) * 1_000_000L) {
      return dead(
          DeadLetterReason.FUTURE_EVENT,
          "dated "
              + EpochNanos.toInstant(eventNanos)
              + ", more than "
              + OnlineRow.MAX_FUTURE.toMinutes()
              + " minutes after it was produced ("
              + Instant.ofEpochMilli(producedMillis)
              + ")");
    }
    Map<String, Object> values = new HashMap<>(fields.size() * 2);
    for (Map.Entry<String, ValueType> field : fields.entrySet()) {
      String name = field.getKey();
      String jsonName = source.columnFor(name);
      JsonNode node = root.get(jsonName);
      if (node == null) {
        return dead(DeadLetterReason.MISSING_FIELD, "no field '" + jsonName + "'");
      }
      if (node.isNull()) {
        if (joinKeys.contains(name)) {
          return dead(DeadLetterReason.NULL_KEY, "join key '" + jsonName + "' is null");
        }
        values.put(name, null);
        continue;
      }
      Object value = value(field.getValue(), node);
      if (value == null) {
        return dead(
            DeadLetterReason.WRONG_TYPE,
            "field '"
                + jsonName
                + "' is "
                + Excerpt.of(node.toString())
                + ", not of type "
                + field.getValue());
      }
      values.put(name, value);
    }
    return new Event(new StreamEvent(partition, offset, eventNanos, values));
  }

  private static DeadLetter dead(DeadLetterReason reason, String detail) {
    return new DeadLetter(reason, detail);
  }

  /** RFC 3339 text or an integer of epoch milliseconds, as nanoseconds; null when neither. */
  static Long eventTime(JsonNode node) {
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      long millis = node.longValue();
      return Math.abs(millis) <= Long.MAX_VALUE / 1_000_000L ? millis * 1_000_000L : null;
    }
    if (node.isTextual()) {
      Instant instant = instant(node.textValue());
      return instant != null && EpochNanos.holds(instant) ? EpochNanos.of(instant) : null;
    }
    return null;
  }

  private static Instant instant(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A JSON value as a value of {@code type}, or null when it is not one. */
  private static Object value(ValueType type, JsonNode node) {
    if (!type.list()) {
      return scalar(type.element(), node);
    }
    if (!node.isArray()) {
      return null;
    }
    List<Object> items = new ArrayList<>(node.size());
    for (JsonNode item : node) {
      Object value = item.isNull() ? null : scalar(type.element(), item);
      if (!item.isNull() && value == null) {
        return null;
      }
      items.add(value);
    }
    return items;
  }

  private static Object scalar(ScalarType type, JsonNode node) {
    return switch (type) {
      case BOOL -> node.isBoolean() ? node.booleanValue() : null;
      case INT32 -> node.isIntegralNumber() && node.canConvertToInt() ? node.intValue() : null;
      case INT64 -> node.isIntegralNumber() && node.canConvertToLong() ? node.longValue() : null;
      case FLOAT64 -> {
        if (!node.isNumber()) {
          yield null;
        }
        double value = node.doubleValue();
        yield Double.isFinite(value) ? value : null;
      }
      case FLOAT32 -> {
        if (!node.isNumber()) {
          yield null;
        }
        double value = node.doubleValue();
        yield Double.isFinite(value) && Math.abs(value) <= Float.MAX_VALUE
            ? (Object) (float) value
            : null;
      }
      case STRING -> node.isTextual() ? node.textValue() : null;
      case BYTES -> {
        if (!node.isTextual()) {
          yield null;
        }
        try {
          yield Base64.getDecoder().decode(node.textValue());
        } catch (IllegalArgumentException e) {
          yield null;
        }
      }
      case TIMESTAMP -> {
        Long nanos = eventTime(node);
        yield nanos == null ? null : EpochNanos.toInstant(nanos);
      }
    };
  }
}
