package dev.quiver.server;

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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

/**
 * What every request passes through: latency metrics per endpoint, and the bearer token the write
 * endpoints require when {@code quiver.server.write-token} (or {@code QUIVER_WRITE_TOKEN}) is set.
 */
@ServerFilter("/**")
public class RequestFilters implements Ordered {

  private static final String STARTED = "quiver.started";
  private static final Set<String> WRITES =
      Set.of("/push", "/write-to-online-store", "/materialize", "/materialize-incremental");
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
  private final Optional<byte[]> token;

  RequestFilters(ServerMetrics metrics, ServerSettings settings) {
    this.metrics = metrics;
    this.token = settings.writeToken().map(t -> t.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int getOrder() {
    return HIGHEST_PRECEDENCE;
  }

  /** Starts the clock; refuses a write without the right token (401). */
  @RequestFilter
  @Nullable
  public HttpResponse<?> before(HttpRequest<?> request) {
    request.setAttribute(STARTED, System.nanoTime());
    if (token.isEmpty() || !WRITES.contains(request.getPath())) {
      return null;
    }
    String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    byte[] given =
        header != null && header.startsWith("Bearer ")
            ? header.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8)
            : null;
    // Compared in constant time, so timing does not reveal how much of a guess was right.
    if (given != null && MessageDigest.isEqual(given, token.get())) {
      return null;
    }
    metrics.error("unauthorized");
    MutableHttpResponse<String> refused =
        Problems.of(
            HttpStatus.UNAUTHORIZED,
            "unauthorized",
            given == null
                ? "This endpoint needs the server's write token: send 'Authorization: Bearer"
                    + " <token>'"
                : "The bearer token is not this server's write token");
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
      metrics.request(endpoint(request.getPath()), status, System.nanoTime() - started.get());
    }
  }

  /** The endpoint's name as a metric label: a few fixed values, never raw paths. */
  private static String endpoint(String path) {
    if (ENDPOINTS.contains(path)) {
      return path;
    }
    return path.startsWith("/api/v1/projects/") ? "/api/v1/projects" : "other";
  }
}
