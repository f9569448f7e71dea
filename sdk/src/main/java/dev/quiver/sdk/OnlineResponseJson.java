package dev.quiver.sdk;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Feast's online response body: {@code {"metadata": {"feature_names": [...]}, "results":
 * [{"values", "statuses", "event_timestamps"}, ...]}}. Values are plain JSON (int64 as numbers,
 * bytes as base64, lists as arrays, timestamps as RFC 3339); times are RFC 3339 UTC.
 *
 * <p>Written straight to bytes with Jackson's streaming generator: building maps for an object
 * mapper, and {@code Instant.toString}, were a quarter of the feature server's allocation.
 */
public final class OnlineResponseJson {

  /**
   * Doubles through Jackson's Schubfach writer: {@code Double.toString}'s digit loop was a seventh
   * of the server's samples for 100 entities (it prints the shortest digits that read back exactly;
   * JDK 17's {@code Double.toString} sometimes prints one more).
   */
  private static final JsonFactory JSON =
      JsonFactory.builder().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER).build();

  private OnlineResponseJson() {}

  public static String write(OnlineResponse response) {
    return new String(bytes(response), StandardCharsets.UTF_8);
  }

  /**
   * The start of a body up to its first result, {@code {"metadata": {"feature_names": [...]},
   * "results": [}, by the names: a lookup's names are the same list for every request of one
   * selection, and writing 250 of them was a tenth of such a request's time.
   */
  private static final Map<List<String>, byte[]> HEADS = new ConcurrentHashMap<>();

  private static final SerializedString VALUES = new SerializedString("{\"values\":[");
  private static final SerializedString NEXT_VALUES = new SerializedString(",{\"values\":[");
  private static final SerializedString STATUSES = new SerializedString("],\"statuses\":[");
  private static final SerializedString TIMES = new SerializedString("],\"event_timestamps\":[");
  private static final SerializedString END = new SerializedString("]}");

  /** Each status as a JSON string, by ordinal. */
  private static final SerializedString[] STATUS_TEXT =
      java.util.Arrays.stream(FeatureStatus.values())
          .map(status -> new SerializedString("\"" + status.name() + "\""))
          .toArray(SerializedString[]::new);

  /** The last whole second formatted by {@link #rfc3339}: rows often share their event time. */
  private static volatile Formatted lastSecond = Formatted.of(0, "1970-01-01T00:00:00Z");

  /** The epoch: the time of every join key and of rows not found. */
  private static final Formatted EPOCH = Formatted.of(0, "1970-01-01T00:00:00Z");

  /** A time as text, and as a JSON string. */
  private record Formatted(long epochSecond, String text, SerializedString quoted) {
    static Formatted of(long epochSecond, String text) {
      return new Formatted(epochSecond, text, new SerializedString("\"" + text + "\""));
    }
  }

  /** {@link #rfc3339} as a JSON string (its characters need no escaping). */
  private static SerializedString quoted(Instant time) {
    if (time.getEpochSecond() == 0 && time.getNano() == 0) {
      return EPOCH.quoted();
    }
    String text = rfc3339(time);
    Formatted last = lastSecond;
    return last.text() == text ? last.quoted() : new SerializedString("\"" + text + "\"");
  }

  /** The body as UTF-8. */
  public static byte[] bytes(OnlineResponse response) {
    List<String> names = response.featureNames();
    byte[] head = HEADS.get(names);
    if (head == null) {
      head = head(names);
      if (HEADS.size() < 256) {
        HEADS.put(names, head);
      }
    }
    int rows = response.results().isEmpty() ? 0 : response.results().get(0).values().size();
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(head.length + 16 + names.size() * (48 + rows * 64));
    out.writeBytes(head);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      // The results are written as root values, separated by commas written here.
      json.setRootValueSeparator(null);
      // Each result's fixed parts go out as pre-encoded bytes: written through the generator's
      // field and context checks, they were over a third of a 250-feature lookup's samples.
      boolean first = true;
      for (OnlineResponse.Column column : response.results()) {
        json.writeRaw(first ? VALUES : NEXT_VALUES);
        first = false;
        boolean firstItem = true;
        for (Object value : column.values()) {
          if (!firstItem) {
            json.writeRaw(',');
          }
          firstItem = false;
          value(json, value);
        }
        json.writeRaw(STATUSES);
        firstItem = true;
        for (FeatureStatus status : column.statuses()) {
          if (!firstItem) {
            json.writeRaw(',');
          }
          firstItem = false;
          json.writeRaw(STATUS_TEXT[status.ordinal()]);
        }
        json.writeRaw(TIMES);
        firstItem = true;
        for (Instant time : column.eventTimestamps()) {
          if (!firstItem) {
            json.writeRaw(',');
          }
          firstItem = false;
          json.writeRaw(quoted(time));
        }
        json.writeRaw(END);
      }
      json.writeRaw("]}");
    } catch (IOException e) {
      // Written to memory: it cannot fail.
      throw new IllegalStateException("Cannot write the online response", e);
    }
    return out.toByteArray();
  }

  private static byte[] head(List<String> names) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + names.size() * 16);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeObjectFieldStart("metadata");
      json.writeArrayFieldStart("feature_names");
      for (String name : names) {
        json.writeString(name);
      }
      json.writeEndArray();
      json.writeEndObject();
      json.writeArrayFieldStart("results");
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write the online response", e);
    }
    // Without the closing "]}", for the results to follow.
    byte[] whole = out.toByteArray();
    return java.util.Arrays.copyOf(whole, whole.length - 2);
  }

  private static void value(JsonGenerator json, Object value) throws IOException {
    if (value == null) {
      json.writeNull();
    } else if (value instanceof Long v) {
      json.writeNumber(v);
    } else if (value instanceof Integer v) {
      json.writeNumber(v);
    } else if (value instanceof Double v) {
      json.writeNumber(v);
    } else if (value instanceof Float v) {
      json.writeNumber(v);
    } else if (value instanceof String v) {
      json.writeString(v);
    } else if (value instanceof Boolean v) {
      json.writeBoolean(v);
    } else if (value instanceof byte[] bytes) {
      json.writeString(Base64.getEncoder().encodeToString(bytes));
    } else if (value instanceof Instant instant) {
      json.writeString(rfc3339(instant));
    } else if (value instanceof List<?> list) {
      json.writeStartArray();
      for (Object item : list) {
        value(json, item);
      }
      json.writeEndArray();
    } else {
      throw new IllegalArgumentException(
          "Cannot write a " + value.getClass().getSimpleName() + " as an online value");
    }
  }

  /**
   * The same text as {@link Instant#toString} (RFC 3339 UTC, fractions only when present), with
   * whole-second times, the common case, formatted without a formatter.
   */
  static String rfc3339(Instant time) {
    if (time.getNano() != 0 || time.getEpochSecond() < 0) {
      return time.toString();
    }
    Formatted last = lastSecond;
    if (last.epochSecond() == time.getEpochSecond()) {
      return last.text();
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(time.getEpochSecond(), 0, ZoneOffset.UTC);
    if (t.getYear() > 9999) {
      return time.toString();
    }
    char[] text = new char[20];
    digits(text, 0, t.getYear(), 4);
    text[4] = '-';
    digits(text, 5, t.getMonthValue(), 2);
    text[7] = '-';
    digits(text, 8, t.getDayOfMonth(), 2);
    text[10] = 'T';
    digits(text, 11, t.getHour(), 2);
    text[13] = ':';
    digits(text, 14, t.getMinute(), 2);
    text[16] = ':';
    digits(text, 17, t.getSecond(), 2);
    text[19] = 'Z';
    String formatted = new String(text);
    lastSecond = Formatted.of(time.getEpochSecond(), formatted);
    return formatted;
  }

  private static void digits(char[] text, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      text[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
