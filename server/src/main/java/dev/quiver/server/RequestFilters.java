package dev.quiver.server;

import dev.quiver.ErrorKind;
import dev.quiver.Excerpt;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.server.HttpServerConfiguration;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * What every request passes through: latency metrics per endpoint, and the bearer tokens: the write
 * endpoints require {@code quiver.server.write-token} (or {@code QUIVER_WRITE_TOKEN}) when it is
 * set, and when it is not, {@code application/json} addressed to a loopback name or the server's
 * host ({@link WriteHosts}); online lookups and the registry {@code quiver.server.read-token} (or
 * {@code QUIVER_READ_TOKEN}, or the write token) when that is set.
 */
@ServerFilter("/**")
public class RequestFilters implements Ordered {

  private static final String STARTED = "quiver.started";
  static final String UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type";
  static final String FORBIDDEN_HOST = "forbidden_host";
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
          "/freshness",
          "/health",
          "/health/ready",
          "/metrics",
          "/openapi.yml");

  /** The console's pages; its sign-in page is open to all. */
  private static final String CONSOLE = "/ui";

  private static final String CONSOLE_SIGN_IN = "/ui/login";

  private final ServerMetrics metrics;
  private final BearerTokens tokens;
  private final WriteHosts writeHosts;
  private final ConsoleAccess console;

  RequestFilters(
      ServerMetrics metrics,
      ServerSettings settings,
      HttpServerConfiguration http,
      ConsoleAccess console) {
    this.metrics = metrics;
    this.tokens = new BearerTokens(settings);
    this.writeHosts = new WriteHosts(http.getHost());
    this.console = console;
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
    requireAscii(request.getUri().toString());
    String path = normalize(request.getPath());
    String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
    if (isConsole(path)) {
      return path.equals(CONSOLE_SIGN_IN) || console.allows(request, header)
          ? null
          : signInFirst(request);
    }
    // Writes need the write token; everything else but a few public paths is a read.
    boolean write = WRITES.contains(path);
    boolean allowed =
        write ? tokens.allowsWrite(header) : PUBLIC.contains(path) || tokens.allowsRead(header);
    if (allowed) {
      return write && tokens.writesOpen() ? unlessOpenWrite(request) : null;
    }
    metrics.error(ErrorKind.UNAUTHORIZED.label());
    MutableHttpResponse<String> refused =
        Problems.of(
            HttpStatus.UNAUTHORIZED,
            ErrorKind.UNAUTHORIZED.label(),
            BearerTokens.bearer(header) == null
                ? "This endpoint needs the server's token: send 'Authorization: Bearer <token>'"
                : "The bearer token is not this server's token for " + Excerpt.of(path));
    refused.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    return refused;
  }

  private static boolean isConsole(String path) {
    return path.equals(CONSOLE) || path.startsWith(CONSOLE + "/");
  }

  /**
   * A console page asked for without the token: the browser goes to the sign-in page, which comes
   * back here once it has the token.
   */
  private HttpResponse<?> signInFirst(HttpRequest<?> request) {
    metrics.error(ErrorKind.UNAUTHORIZED.label());
    String target = request.getUri().getRawPath();
    String query = request.getUri().getRawQuery();
    String next = query == null ? target : target + "?" + query;
    return HttpResponse.seeOther(
        URI.create(CONSOLE_SIGN_IN + "?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8)));
  }

  /**
   * A request target is ASCII (RFC 9112): anything else is percent-encoded. A raw byte beyond it
   * would otherwise be read as a Latin-1 character and reach a route as a name.
   */
  private static void requireAscii(String target) {
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      if (c <= ' ' || c >= 0x7f) {
        throw new BadRequestException(
            "The request's path has a byte that is not printable ASCII at index "
                + i
                + ": percent-encode it (a path is ASCII, RFC 9112)");
      }
    }
  }

  /** A write with no token to guard it: addressed to this server, as JSON. */
  @Nullable
  private HttpResponse<?> unlessOpenWrite(HttpRequest<?> request) {
    String host = request.getHeaders().get(HttpHeaders.HOST);
    if (writeHosts.allows(host)) {
      return unlessJson(request);
    }
    metrics.error(FORBIDDEN_HOST);
    return Problems.of(
        HttpStatus.FORBIDDEN,
        FORBIDDEN_HOST,
        "Cannot write: with no write token set, writes must be addressed to this machine by"
            + " loopback (localhost, 127.0.0.1, [::1]) or by the host the server listens on, not to"
            + " '"
            + Excerpt.of(host)
            + "' (a page whose name was made to point here); set a write token to write by"
            + " other names");
  }

  /**
   * A write with no token to guard it must say it is JSON: a web page can send {@code text/plain}
   * or a form to any origin without asking first (no CORS preflight), but not {@code
   * application/json}. So a page a user visits cannot write to a server on their machine.
   */
  @Nullable
  private HttpResponse<?> unlessJson(HttpRequest<?> request) {
    String contentType = request.getHeaders().get(HttpHeaders.CONTENT_TYPE);
    String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].strip();
    if (mediaType.equalsIgnoreCase(MediaType.APPLICATION_JSON)) {
      return null;
    }
    metrics.error(UNSUPPORTED_MEDIA_TYPE);
    return Problems.of(
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
        UNSUPPORTED_MEDIA_TYPE,
        "Cannot write: with no write token set, writes must come as 'Content-Type:"
            + " application/json' (got "
            + (contentType == null ? "none" : "'" + Excerpt.of(contentType) + "'")
            + ")");
  }

  @ResponseFilter
  public void after(HttpRequest<?> request, MutableHttpResponse<?> response) {
    recordLatency(request, response.code());
  }

  private void recordLatency(HttpRequest<?> request, int status) {
    // The attribute as it was set: asking for it as a Long went through a conversion service.
    Optional<Object> started = request.getAttribute(STARTED);
    if (started.isPresent() && started.get() instanceof Long nanos) {
      metrics.request(endpoint(normalize(request.getPath())), status, System.nanoTime() - nanos);
    }
  }

  /**
   * The path as routes match it: repeated and trailing slashes dropped ({@code /push/} reaches the
   * {@code /push} handler, so it must meet the same check).
   */
  static String normalize(String path) {
    // Most paths have neither: the regex below was a twentieth of a lookup's allocation.
    if (!path.contains("//") && (path.length() <= 1 || !path.endsWith("/"))) {
      return path;
    }
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
    if (isConsole(path)) {
      return CONSOLE;
    }
    return path.startsWith("/api/v1/projects/") ? "/api/v1/projects" : "other";
  }
}
