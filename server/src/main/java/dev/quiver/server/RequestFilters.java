package dev.quiver.server;

import dev.quiver.ErrorKind;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.Optional;
import java.util.Set;

/**
 * What every request passes through: latency metrics per endpoint, and the bearer tokens: the write
 * endpoints require {@code quiver.server.write-token} (or {@code QUIVER_WRITE_TOKEN}) when it is
 * set, online lookups and the registry {@code quiver.server.read-token} (or {@code
 * QUIVER_READ_TOKEN}, or the write token) when that is set.
 */
@ServerFilter("/**")
public class RequestFilters implements Ordered {

  private static final String STARTED = "quiver.started";
  private static final Set<String> WRITES =
      Set.of("/push", "/write-to-online-store", "/materialize", "/materialize-incremental");

  /** What needs no token: health, metrics and the API description. */
  private static final Set<String> PUBLIC =
      Set.of("/health", "/health/ready", "/metrics", "/openapi.yml");

  private static final Set<String> ENDPOINTS =
      Set.of(
          "/get-online-features",
          "/push",
          "/write-to-online-store",
          "/materialize",
          "/materialize-incremental",
          "/health",
          "/health/ready",
          "/metrics",
          "/openapi.yml");

  private final ServerMetrics metrics;
  private final BearerTokens tokens;

  RequestFilters(ServerMetrics metrics, ServerSettings settings) {
    this.metrics = metrics;
    this.tokens = new BearerTokens(settings);
  }

  @Override
  public int getOrder() {
    return HIGHEST_PRECEDENCE;
  }

  /**
   * Starts the clock; refuses a write without the write token, or a read without the read token
   * when one is set (401).
   */
  @RequestFilter
  @Nullable
  public HttpResponse<?> before(HttpRequest<?> request) {
    request.setAttribute(STARTED, System.nanoTime());
    String path = normalize(request.getPath());
    String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    // Writes need the write token; everything else but a few public paths is a read.
    boolean allowed =
        WRITES.contains(path)
            ? tokens.allowsWrite(header)
            : PUBLIC.contains(path) || tokens.allowsRead(header);
    if (allowed) {
      return null;
    }
    metrics.error(ErrorKind.UNAUTHORIZED.label());
    MutableHttpResponse<String> refused =
        Problems.of(
            HttpStatus.UNAUTHORIZED,
            ErrorKind.UNAUTHORIZED.label(),
            BearerTokens.bearer(header) == null
                ? "This endpoint needs the server's token: send 'Authorization: Bearer <token>'"
                : "The bearer token is not this server's token for " + path);
    refused.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    return refused;
  }

  @ResponseFilter
  public void after(HttpRequest<?> request, MutableHttpResponse<?> response) {
    recordLatency(request, response.code());
  }

  private void recordLatency(HttpRequest<?> request, int status) {
    Optional<Long> started = request.getAttribute(STARTED, Long.class);
    if (started.isPresent()) {
      metrics.request(
          endpoint(normalize(request.getPath())), status, System.nanoTime() - started.get());
    }
  }

  /**
   * The path as routes match it: repeated and trailing slashes dropped ({@code /push/} reaches the
   * {@code /push} handler, so it must meet the same check).
   */
  static String normalize(String path) {
    String collapsed = path.replaceAll("/{2,}", "/");
    while (collapsed.length() > 1 && collapsed.endsWith("/")) {
      collapsed = collapsed.substring(0, collapsed.length() - 1);
    }
    return collapsed;
  }

  /** The endpoint's name as a metric label: a few fixed values, never raw paths. */
  private static String endpoint(String path) {
    if (ENDPOINTS.contains(path)) {
      return path;
    }
    return path.startsWith("/api/v1/projects/") ? "/api/v1/projects" : "other";
  }
}
