package dev.quiver.monitoring.logging;

import dev.quiver.registry.model.Definitions;
import dev.quiver.sdk.OnlineResponse;
import java.time.Instant;
import java.util.Objects;

/**
 * One answered online request of a logged feature service, as the request path hands it over: no
 * copying, the log's own thread turns it into rows.
 *
 * @param definitions the registry version the request was answered with (which fixes the columns)
 * @param requestTime when the server answered
 * @param response the answer: the request's entity columns, then the service's features in order
 */
public record ServedRows(
    String service, Definitions definitions, Instant requestTime, OnlineResponse response) {

  public ServedRows {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(definitions, "definitions");
    Objects.requireNonNull(requestTime, "requestTime");
    Objects.requireNonNull(response, "response");
  }

  /** The entity rows answered. */
  public int rows() {
    return response.results().isEmpty() ? 0 : response.results().get(0).values().size();
  }
}
