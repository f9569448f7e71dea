package dev.quiver.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Feast's online response body: {@code {"metadata": {"feature_names": [...]}, "results":
 * [{"values", "statuses", "event_timestamps"}, ...]}}. Values are plain JSON (int64 as numbers,
 * bytes as base64, lists as arrays, timestamps as RFC 3339); times are RFC 3339 UTC.
 */
public final class OnlineResponseJson {

  private static final ObjectMapper JSON = new ObjectMapper();

  private OnlineResponseJson() {}

  public static String write(OnlineResponse response) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("metadata", Map.of("feature_names", response.featureNames()));
    List<Object> results = new ArrayList<>();
    for (OnlineResponse.Column column : response.results()) {
      Map<String, Object> result = new LinkedHashMap<>();
      List<Object> values = new ArrayList<>();
      column.values().forEach(v -> values.add(plain(v)));
      result.put("values", values);
      result.put("statuses", column.statuses().stream().map(Enum::name).toList());
      result.put(
          "event_timestamps", column.eventTimestamps().stream().map(Instant::toString).toList());
      results.add(result);
    }
    body.put("results", results);
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the online response", e);
    }
  }

  private static Object plain(Object value) {
    if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (value instanceof Instant instant) {
      return instant.toString();
    }
    if (value instanceof List<?> list) {
      List<Object> items = new ArrayList<>(list.size());
      list.forEach(item -> items.add(plain(item)));
      return items;
    }
    return value;
  }
}
