package dev.quiver.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.Excerpt;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/** Error responses as RFC 9457 problem details ({@code application/problem+json}). */
final class Problems {

  static final MediaType PROBLEM_JSON = MediaType.of("application/problem+json");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The longest detail sent: messages quote what the client sent as an {@link Excerpt}, and this
   * bounds any message that quotes it whole.
   */
  static final int MAX_DETAIL = 2_000;

  private Problems() {}

  /**
   * @param kind a short, stable name of the error, also the label of the error counter
   */
  static MutableHttpResponse<String> of(HttpStatus status, String kind, String detail) {
    return of(status, kind, detail, Map.of());
  }

  /**
   * @param extra members added to the problem details, such as a validation report
   */
  static MutableHttpResponse<String> of(
      HttpStatus status, String kind, String detail, Map<String, Object> extra) {
    return HttpResponse.<String>status(status)
        .contentType(PROBLEM_JSON)
        .body(body(status, kind, detail, extra));
  }

  /** The problem details alone, as JSON text: for an error inside a streamed answer. */
  static String body(HttpStatus status, String kind, String detail) {
    return body(status, kind, detail, Map.of());
  }

  static String body(HttpStatus status, String kind, String detail, Map<String, Object> extra) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", status.getReason());
    body.put("status", status.getCode());
    body.put("kind", kind);
    body.put("detail", Excerpt.of(detail, MAX_DETAIL));
    body.putAll(extra);
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write problem details as JSON", e);
    }
  }
}
