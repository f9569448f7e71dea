package dev.quiver.server;

import dev.quiver.ErrorKind;
import dev.quiver.Excerpt;
import dev.quiver.QuiverException;
import dev.quiver.registry.rules.ValidationRejectedException;
import dev.quiver.registry.rules.ValidationReport;
import dev.quiver.server.console.ConsoleController;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.exceptions.ContentLengthExceededException;
import io.micronaut.http.server.exceptions.NotAcceptableException;
import io.micronaut.http.server.exceptions.NotAllowedException;
import io.micronaut.http.server.exceptions.NotFoundException;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.swagger.v3.oas.annotations.Hidden;
import java.net.URISyntaxException;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error as problem details with the status DESIGN.md gives it, from the failure's {@link
 * ErrorKind}: malformed or misshapen body and too many entity rows 400, unknown feature, view or
 * service 404, a registry conflict 409, missing join key or wrong value type 422, body over the
 * limit 413, online store unreachable or memory exhausted 503, a failure of the server's own data
 * 500 with its message. What a hostile or broken client sends is a 4xx too, never logged: a path
 * that is not a URI or a body that is not in its Content-Encoding 400, an answer type the server
 * cannot give 406, a request line too long 414, an unknown charset 415, headers too large 431.
 * Nothing else is shown to clients: an unexpected failure is logged and answered with a bare 500.
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
    if (e instanceof ValidationRejectedException rejected && !rejected.reports().isEmpty()) {
      // The reports, whole, beside the detail: which feature broke which rule, and example rows.
      metrics.error(kind.label());
      return Problems.of(
          HttpStatus.valueOf(kind.httpStatus()),
          kind.label(),
          e.getMessage(),
          Map.of("validation", rejected.reports().stream().map(ValidationReport::asMap).toList()));
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

  /**
   * A request Netty could not decode (a request line or headers over its limits, a malformed
   * header) is answered before any route: Micronaut picks 413 or 400 and looks for a route of that
   * status, whose call fails with Netty's failure; {@link #unexpected} gets that, so both end in
   * {@link #undecodable}.
   */
  @Error(global = true, status = HttpStatus.REQUEST_ENTITY_TOO_LARGE)
  public HttpResponse<String> tooLarge(HttpRequest<?> request) {
    return decoderFailure(request)
        .map(this::undecodable)
        .orElseGet(
            () ->
                problem(
                    HttpStatus.REQUEST_ENTITY_TOO_LARGE,
                    "body_too_large",
                    "The request is larger than this server takes"));
  }

  @Error(global = true, status = HttpStatus.BAD_REQUEST)
  public HttpResponse<String> badRequest(HttpRequest<?> request) {
    return decoderFailure(request)
        .map(this::undecodable)
        .orElseGet(
            () -> problem(HttpStatus.BAD_REQUEST, "bad_request", "The request is not valid"));
  }

  /** Why Netty could not decode the request, when it could not. */
  private static Optional<Throwable> decoderFailure(HttpRequest<?> request) {
    return request instanceof NettyHttpRequest<?> netty
            && netty.getNativeRequest().decoderResult().isFailure()
        ? Optional.of(netty.getNativeRequest().decoderResult().cause())
        : Optional.empty();
  }

  private HttpResponse<String> undecodable(Throwable cause) {
    if (cause instanceof TooLongHttpLineException) {
      return problem(
          HttpStatus.REQUEST_URI_TOO_LONG,
          "uri_too_long",
          "The request line is longer than this server takes"
              + " (micronaut.server.netty.max-initial-line-length)");
    }
    if (cause instanceof TooLongHttpHeaderException) {
      return problem(
          HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
          "header_too_large",
          "The request headers are larger than this server takes"
              + " (micronaut.server.netty.max-header-size)");
    }
    return problem(
        HttpStatus.BAD_REQUEST,
        "bad_request",
        "The request is not valid HTTP: " + Excerpt.of(cause.getMessage()));
  }

  @Error(global = true)
  public HttpResponse<String> notAUri(HttpRequest<?> request, URISyntaxException e) {
    return problem(
        HttpStatus.BAD_REQUEST,
        "bad_request",
        "The request's path is not a valid URI ("
            + e.getReason()
            + " at index "
            + e.getIndex()
            + "): "
            + Excerpt.of(e.getInput()));
  }

  @Error(global = true)
  public HttpResponse<String> notDecompressed(HttpRequest<?> request, DecompressionException e) {
    return problem(
        HttpStatus.BAD_REQUEST,
        "bad_request",
        "The request body is not in the format its Content-Encoding names ("
            + Excerpt.of(request.getHeaders().get(HttpHeaders.CONTENT_ENCODING))
            + "): "
            + Excerpt.of(e.getMessage()));
  }

  @Error(global = true)
  public HttpResponse<String> unknownCharset(
      HttpRequest<?> request, UnsupportedCharsetException e) {
    return unsupportedCharset(e.getCharsetName());
  }

  @Error(global = true)
  public HttpResponse<String> illegalCharset(
      HttpRequest<?> request, IllegalCharsetNameException e) {
    return unsupportedCharset(e.getCharsetName());
  }

  private HttpResponse<String> unsupportedCharset(String charset) {
    return problem(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        RequestFilters.UNSUPPORTED_MEDIA_TYPE,
        "The request's charset '"
            + Excerpt.of(charset)
            + "' is not one this server reads; send UTF-8 (Content-Type: application/json;"
            + " charset=utf-8)");
  }

  @Error(global = true)
  public HttpResponse<String> notAcceptable(HttpRequest<?> request, NotAcceptableException e) {
    return problem(
        HttpStatus.NOT_ACCEPTABLE,
        "not_acceptable",
        "This endpoint answers in "
            + answerTypes(e.getProduceableContentTypes())
            + ", which the request's Accept header ('"
            + Excerpt.of(request.getHeaders().get(HttpHeaders.ACCEPT))
            + "') does not take");
  }

  /** The types an endpoint answers in, as its route declares them: not all answer JSON. */
  private static String answerTypes(Collection<String> types) {
    if (types.isEmpty()) {
      return "no type";
    }
    return types.stream().map(type -> "'" + type + "'").collect(Collectors.joining(" or "));
  }

  @Error(global = true)
  public HttpResponse<String> notAllowed(HttpRequest<?> request, NotAllowedException e) {
    return problem(
        HttpStatus.METHOD_NOT_ALLOWED,
        "method_not_allowed",
        Excerpt.of(request.getMethodName())
            + " is not allowed on "
            + Excerpt.of(request.getPath()));
  }

  @Error(global = true, status = HttpStatus.NOT_FOUND)
  public HttpResponse<String> noRoute(HttpRequest<?> request) {
    Optional<HttpResponse<String>> console = ConsoleController.notFound(request);
    if (console.isPresent()) {
      return console.get();
    }
    return problem(
        HttpStatus.NOT_FOUND, "no_route", "No endpoint at " + Excerpt.of(request.getPath()));
  }

  @Error(global = true)
  public HttpResponse<String> notFound(HttpRequest<?> request, NotFoundException e) {
    return noRoute(request);
  }

  @Error(global = true)
  public HttpResponse<String> unexpected(HttpRequest<?> request, Throwable e) {
    Optional<Throwable> undecodable = decoderFailure(request);
    if (undecodable.isPresent()) {
      return undecodable(undecodable.get());
    }
    LOG.error("{} {} failed", request.getMethodName(), request.getPath(), e);
    return problem(
        HttpStatus.INTERNAL_SERVER_ERROR,
        "internal",
        "The server failed to answer; its log has the details");
  }
}
