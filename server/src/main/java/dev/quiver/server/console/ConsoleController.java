package dev.quiver.server.console;

import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.store.RegistrySnapshot;
import dev.quiver.server.ConsoleAccess;
import dev.quiver.server.DriftMonitor;
import dev.quiver.server.FeatureService;
import dev.quiver.server.IngestionService;
import dev.quiver.server.ServerSettings;
import dev.quiver.server.StreamIngestion;
import io.micronaut.context.annotation.Context;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.inject.Named;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web console at {@code /ui}: read-only pages of the project the server serves, rendered here
 * as HTML and SVG from the same calls the HTTP API makes (the registry snapshot, {@link
 * FeatureService#freshness}, the materialization log, the drift monitor's last computation, the
 * saved consistency reports, the registry history). Behind the read token when one is set ({@link
 * ConsoleAccess}).
 */
@Controller("/ui")
@Context
@Hidden
@ExecuteOn(TaskExecutors.BLOCKING)
public class ConsoleController {

  /** No script runs and nothing loads from elsewhere: styles are inline, icons data URLs. */
  private static final String POLICY =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self';"
          + " frame-ancestors 'none'; base-uri 'none'";

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleController.class);

  private static final String NOT_FOUND_PAGE = "quiver.console.not-found";

  private final FeatureService features;
  private final IngestionService ingestion;
  private final DriftMonitor drift;
  private final ConsoleAccess access;
  private final ObjectPages objects;

  ConsoleController(
      FeatureService features,
      IngestionService ingestion,
      DriftMonitor drift,
      ConsoleAccess access,
      ServerSettings settings,
      @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
    this.features = features;
    this.ingestion = ingestion;
    this.drift = drift;
    this.access = access;
    this.objects = new ObjectPages(new RepoLocations(settings.repo()));
    // Reading the repo the first time loads the definition loader's classes (a few hundred ms):
    // done as the server starts, not on the first page asked for.
    blocking.execute(
        () -> {
          try {
            objects.warmUp();
          } catch (RuntimeException e) {
            LOG.warn("Cannot read the repo for the console's pages yet: {}", e.getMessage());
          }
        });
  }

  @Get
  public HttpResponse<String> overview(
      @Nullable @QueryValue String q,
      @Nullable @QueryValue String vpage,
      @Nullable @QueryValue String spage) {
    ConsoleState state = state();
    return html(
        OverviewPage.render(
            state, features.store().registryHistory(), q, pageOf(vpage), pageOf(spage)));
  }

  @Get("/entities/{name}")
  public HttpResponse<String> entity(HttpRequest<?> request, @PathVariable String name) {
    return object(request, ObjectKind.ENTITY, name);
  }

  @Get("/sources/{name}")
  public HttpResponse<String> source(HttpRequest<?> request, @PathVariable String name) {
    return object(request, ObjectKind.SOURCE, name);
  }

  @Get("/views/{name}")
  public HttpResponse<String> view(HttpRequest<?> request, @PathVariable String name) {
    return object(request, ObjectKind.FEATURE_VIEW, name);
  }

  @Get("/on-demand-views/{name}")
  public HttpResponse<String> onDemandView(HttpRequest<?> request, @PathVariable String name) {
    return object(request, ObjectKind.ON_DEMAND_FEATURE_VIEW, name);
  }

  @Get("/services/{name}")
  public HttpResponse<String> service(HttpRequest<?> request, @PathVariable String name) {
    return object(request, ObjectKind.FEATURE_SERVICE, name);
  }

  @Get("/lineage")
  public HttpResponse<String> lineage(
      @Nullable @QueryValue String focus, @Nullable @QueryValue String q) {
    return html(LineagePage.render(state(), blankToNull(focus), q));
  }

  @Get("/freshness")
  public HttpResponse<String> freshness(@Nullable @QueryValue String page) {
    return html(FreshnessPage.render(state(), pageOf(page)));
  }

  @Get("/monitoring")
  public HttpResponse<String> monitoring() {
    return html(MonitoringPage.render(state(), drift.latest(), features.consistencyReports()));
  }

  @Get("/history")
  public HttpResponse<String> history(@Nullable @QueryValue String page) {
    return html(HistoryPage.render(state(), features.store().registryHistory(), pageOf(page)));
  }

  @Get("/login")
  public HttpResponse<String> signInPage(@Nullable @QueryValue String next) {
    if (access.open()) {
      return HttpResponse.seeOther(URI.create(safeNext(next)));
    }
    return html(SignInPage.render(safeNext(next), null));
  }

  @Post(uri = "/login", consumes = MediaType.APPLICATION_FORM_URLENCODED)
  public HttpResponse<String> signIn(HttpRequest<?> request, @Body Map<String, String> form) {
    String next = safeNext(form.get("next"));
    if (!ConsoleAccess.sameOrigin(request)) {
      return page(
          HttpStatus.FORBIDDEN,
          SignInPage.render(next, "Sign in from this server's own sign-in page."));
    }
    Optional<Cookie> cookie = access.signIn(form.get("token"), request.isSecure());
    if (cookie.isEmpty()) {
      return page(
          HttpStatus.UNAUTHORIZED,
          SignInPage.render(next, "That is not this server's read token."));
    }
    MutableHttpResponse<String> response = HttpResponse.seeOther(URI.create(next));
    return response.cookie(cookie.get());
  }

  private HttpResponse<String> object(HttpRequest<?> request, ObjectKind kind, String name) {
    ConsoleState state = state();
    Optional<String> found = objects.render(state, kind, name);
    if (found.isPresent()) {
      return html(found.get());
    }
    // The server's handler of 404s answers with this page (it would replace the body).
    String missing = NotFoundPage.render(state, kind.displayName(), name);
    request.setAttribute(NOT_FOUND_PAGE, missing);
    return page(HttpStatus.NOT_FOUND, missing);
  }

  /**
   * The console's page for a 404 of {@code request}: the page a console route made, else one for a
   * path no console route has; empty outside the console.
   */
  public static Optional<HttpResponse<String>> notFound(HttpRequest<?> request) {
    Optional<String> made = request.getAttribute(NOT_FOUND_PAGE, String.class);
    if (made.isPresent()) {
      return Optional.of(page(HttpStatus.NOT_FOUND, made.get()));
    }
    String path = request.getPath();
    if (!path.equals("/ui") && !path.startsWith("/ui/")) {
      return Optional.empty();
    }
    return Optional.of(page(HttpStatus.NOT_FOUND, NotFoundPage.noPage(path)));
  }

  /** The state every page starts from, read once. */
  private ConsoleState state() {
    RegistrySnapshot snapshot = features.store().registry();
    Instant now = features.clock().instant();
    Optional<StreamIngestion> running = ingestion.ingestion();
    return ConsoleState.of(
        snapshot,
        now,
        features.freshness(now, ingestion.newestEventByView()),
        features.store().materializationStates(),
        running.map(StreamIngestion::metrics));
  }

  private static HttpResponse<String> html(String body) {
    return page(HttpStatus.OK, body);
  }

  private static MutableHttpResponse<String> page(HttpStatus status, String body) {
    return HttpResponse.<String>status(status)
        .body(body)
        .contentType("text/html; charset=utf-8")
        .header("Content-Security-Policy", POLICY)
        .header("X-Content-Type-Options", "nosniff")
        .header("Cache-Control", "no-store");
  }

  /** A page number from the query: 1 when absent, not a number, or below 1. */
  private static int pageOf(String page) {
    if (page == null) {
      return 1;
    }
    try {
      return Math.max(1, Integer.parseInt(page.strip()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text;
  }

  /** Where to go after signing in: a console page, never another site. */
  private static String safeNext(String next) {
    if (next == null
        || !(next.equals("/ui") || next.startsWith("/ui/") || next.startsWith("/ui?"))
        || next.startsWith("/ui/login")) {
      return "/ui";
    }
    try {
      URI target = URI.create(next);
      return target.getHost() == null && target.getScheme() == null ? next : "/ui";
    } catch (IllegalArgumentException e) {
      return "/ui";
    }
  }
}
