package dev.quiver.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.ConfigurationException;
import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;
import dev.quiver.offline.SourceDataException;
import dev.quiver.offline.resources.MemoryLimitException;
import dev.quiver.online.OnlineStoreException;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.NoSuchObjectException;
import dev.quiver.registry.rules.ValidationRejectedException;
import dev.quiver.registry.rules.ValidationReport;
import dev.quiver.registry.store.RegistryException;
import java.io.IOException;
import org.apache.arrow.flight.FlightRuntimeException;

/**
 * The server's problem details as the exceptions the embedded store throws, by the {@link
 * ErrorKind} the server labelled them with, so callers handle both stores alike.
 */
final class RemoteErrors {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RemoteErrors() {}

  /**
   * An HTTP answer of {@code server} with a status of 300 or more, as the exception it stands for.
   */
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
    if (kind.equals("no_route")) {
      return new NoSuchObjectException(detail);
    }
    if (kind.equals(ErrorKind.VALIDATION_REJECTED.label())) {
      return ValidationRejectedException.answered(detail, reports(body));
    }
    return of(
        ErrorKind.ofLabel(kind).orElse(ErrorKind.SERVER_FAILED),
        detail,
        "The feature server at " + server + " answered " + status + ": " + detail,
        null);
  }

  /** The validation reports of a refusal's problem details; empty when it has none. */
  private static java.util.List<ValidationReport> reports(String body) {
    java.util.List<ValidationReport> reports = new java.util.ArrayList<>();
    try {
      JsonNode validation = JSON.readTree(body).path("validation");
      for (JsonNode report : validation) {
        reports.add(ValidationReport.fromMap(JSON.convertValue(report, java.util.Map.class)));
      }
    } catch (IOException | IllegalArgumentException e) {
      // Only the message then.
    }
    return reports;
  }

  /** A Flight call's failure, by the kind the server put in its metadata (else its status). */
  static QuiverException of(FlightRuntimeException e, String server) {
    String detail = e.status().description();
    String label =
        e.status().metadata() == null
            ? null
            : e.status().metadata().get(ServerProtocol.FLIGHT_KIND);
    ErrorKind kind =
        label != null
            ? ErrorKind.ofLabel(label).orElse(ErrorKind.SERVER_FAILED)
            : switch (e.status().code()) {
              case NOT_FOUND -> ErrorKind.NOT_FOUND;
              case INVALID_ARGUMENT -> ErrorKind.INVALID_REQUEST;
              case UNAUTHENTICATED, UNAUTHORIZED -> ErrorKind.UNAUTHORIZED;
              default -> ErrorKind.SERVER_FAILED;
            };
    if (detail == null || detail.isEmpty()) {
      return new QuiverException("Arrow Flight failed: " + e.getMessage(), e);
    }
    return of(kind, detail, "The feature server at " + server + " failed: " + detail, e);
  }

  private static QuiverException of(
      ErrorKind kind, String detail, String serverFailed, Throwable cause) {
    return switch (kind) {
      case NOT_FOUND -> new NoSuchObjectException(detail);
      case INVALID_ENTITY -> new InvalidEntityException(detail);
      case BAD_REQUEST, INVALID_REQUEST, TOO_MANY_ROWS, INVALID_DEFINITION ->
          new InvalidRequestException(detail);
      case VALIDATION_REJECTED -> new ValidationRejectedException(detail);
      case ONLINE_STORE -> new OnlineStoreException(detail);
      case MEMORY_LIMIT -> new MemoryLimitException(detail);
      case UNAUTHORIZED ->
          new UnauthorizedException(
              detail + " (set QUIVER_READ_TOKEN and QUIVER_WRITE_TOKEN to the server's tokens)");
      case SOURCE_DATA -> new SourceDataException(serverFailed, cause);
      case REGISTRY -> new RegistryException(serverFailed, cause);
      case CONFIGURATION -> new ConfigurationException(serverFailed, cause);
      case CONFLICT, SERVER_FAILED -> new QuiverException(serverFailed, cause);
    };
  }
}
