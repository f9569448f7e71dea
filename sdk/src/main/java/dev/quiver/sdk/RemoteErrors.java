package dev.quiver.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.QuiverException;
import dev.quiver.online.OnlineStoreException;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.NoSuchObjectException;
import java.io.IOException;

/**
 * The server's problem details as the exceptions the embedded store throws, so callers handle both
 * stores alike.
 */
final class RemoteErrors {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RemoteErrors() {}

  static QuiverException of(int status, String body, String server) {
    String kind = "";
    String detail = body;
    try {
      JsonNode problem = JSON.readTree(body);
      if (problem != null && problem.isObject()) {
        kind = problem.path("kind").asText("");
        detail = problem.path("detail").asText(body);
      }
    } catch (IOException e) {
      // Not problem details: keep the body as the message.
    }
    return switch (kind) {
      case "not_found", "no_route" -> new NoSuchObjectException(detail);
      case "invalid_entity" -> new InvalidEntityException(detail);
      case "bad_request", "invalid_request", "too_many_rows" -> new InvalidRequestException(detail);
      case "online_store" -> new OnlineStoreException(detail);
      case "unauthorized" ->
          new QuiverException(
              detail + " (set QUIVER_READ_TOKEN and QUIVER_WRITE_TOKEN to the server's tokens)");
      default ->
          new QuiverException(
              "The feature server at " + server + " answered " + status + ": " + detail);
    };
  }
}
