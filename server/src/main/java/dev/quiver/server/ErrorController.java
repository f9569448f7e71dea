package dev.quiver.server;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.exceptions.ContentLengthExceededException;
import io.micronaut.http.server.exceptions.NotAllowedException;
import io.micronaut.http.server.exceptions.NotFoundException;
import io.swagger.v3.oas.annotations.Hidden;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error as problem details with the status DESIGN.md gives it, from the failure's {@link
 * ErrorKind}: malformed or misshapen body and too many entity rows 400, unknown feature, view or
 * service 404, a registry conflict 409, missing join key or wrong value type 422, body over the
 * limit 413, online store unreachable or memory exhausted 503, a failure of the server's own data
 * 500 with its message. Nothing else is shown to clients: an unexpected failure is logged and
 * answered with a bare 500.
 */
@Controller
@Hidden
public class ErrorController {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorController.class);

  private final ServerMetrics metrics;

  ErrorController(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  private HttpResponse<String> problem(HttpStatus status, String kind, String detail) {
    metrics.error(kind);
    return Problems.of(status, kind, detail);
  }

  /**
   * Every Quiver failure by its kind: the status and label the kind gives, and its message, which
   * says what to fix. A failure of the server's own data or state (a source that matches no file, a
   * project with nothing registered) is logged too: the operator has to act, not the caller.
   */
  @Error(global = true)
  public HttpResponse<String> quiver(HttpRequest<?> request, QuiverException e) {
    ErrorKind kind = e.kind();
    if (kind.fault() == ErrorKind.Fault.SERVER) {
      LOG.warn("{} {} failed: {}", request.getMethod(), request.getPath(), e.getMessage());
    }
    return problem(HttpStatus.valueOf(kind.httpStatus()), kind.label(), e.getMessage());
  }

  @Error(global = true)
  public HttpResponse<String> tooLarge(HttpRequest<?> request, ContentLengthExceededException e) {
    return problem(
        HttpStatus.REQUEST_ENTITY_TOO_LARGE,
        "body_too_large",
        "The request body is larger than this server takes (micronaut.server.max-request-size): "
            + e.getMessage());
  }

  @Error(global = true)
  public HttpResponse<String> notAllowed(HttpRequest<?> request, NotAllowedException e) {
    return problem(
        HttpStatus.METHOD_NOT_ALLOWED,
        "method_not_allowed",
        request.getMethodName() + " is not allowed on " + request.getPath());
  }

  @Error(global = true, status = HttpStatus.NOT_FOUND)
  public HttpResponse<String> noRoute(HttpRequest<?> request) {
    return problem(HttpStatus.NOT_FOUND, "no_route", "No endpoint at " + request.getPath());
  }

  @Error(global = true)
  public HttpResponse<String> notFound(HttpRequest<?> request, NotFoundException e) {
    return noRoute(request);
  }

  @Error(global = true)
  public HttpResponse<String> unexpected(HttpRequest<?> request, Throwable e) {
    LOG.error("{} {} failed", request.getMethodName(), request.getPath(), e);
    return problem(
        HttpStatus.INTERNAL_SERVER_ERROR,
        "internal",
        "The server failed to answer; its log has the details");
  }
}
