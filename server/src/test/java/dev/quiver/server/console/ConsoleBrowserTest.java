package dev.quiver.server.console;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.cli.CliRun;
import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import dev.quiver.server.QuiverServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's Chromium through ChromeDriver), on the example repo after
 * everything the console shows has happened: applied, materialized, served with logging, a training
 * set built, a consistency check run, and drift measured by the server. Every page loads without a
 * console error; the lineage graph has exactly the example's nodes and edges; a view past its
 * freshness goal has a red badge; the read token keeps the console behind a sign-in. Screenshots of
 * the main pages land in {@code target/console-screenshots}.
 */
class ConsoleBrowserTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SERVICE = "driver_activity_v3";
  private static final String PROJECT = "driver_ranking";

  @TempDir static Path dir;

  private static Path repo;
  private static QuiverServer server;
  private static Browser browser;

  @BeforeAll
  static void prepare() throws Exception {
    repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    ExampleData.Options options = new ExampleData.Options(42, 100, 200, 3, end);
    ExampleRepo.copyDefinitionsTo(repo);
    ExampleData.generate(repo, options);
    // Hourly stats (up to two hours old) meet a goal of 3h; daily profiles miss one of a minute.
    edit("driver_stats.yaml", "    freshness: 2h ", "    freshness: 3h ");
    edit(
        "customer_profile.yaml",
        "  - name: customer_profile\n",
        "  - name: customer_profile\n    freshness: 1m\n");
    run("apply", "--repo", repo.toString());
    run(
        "materialize",
        end.minus(Duration.ofDays(7)).toString(),
        end.toString(),
        "--repo",
        repo.toString());
    Path entities = ExampleData.writeEntityRows(repo, options, 200);
    run(
        "historical",
        "--entities",
        entities.toString(),
        "--feature-service",
        SERVICE,
        "--output",
        repo.resolve("data/training_set.parquet").toString(),
        "--repo",
        repo.toString());
    // Lookups the server logs (flushed as it stops), then checked against training.
    List<String> rows = Files.readAllLines(entities).subList(1, 41);
    try (QuiverServer logging =
        QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0))) {
      post(logging.url() + "/get-online-features", lookup(rows));
    }
    run("consistency", "--service", SERVICE, "--repo", repo.toString());

    server =
        QuiverServer.start(
            repo,
            0,
            Map.of(
                "quiver.server.flight-port",
                0,
                "quiver.server.drift.baseline",
                "data/training_set.parquet"));
    // The drift monitor computes once as the server starts.
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> get(apiUrl("/drift")).contains("\"" + SERVICE + "\""));
    browser = Browser.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyPageLoadsWithoutConsoleErrors() {
    Map<String, String> pages =
        Map.ofEntries(
            Map.entry("overview", "/ui"),
            Map.entry("lineage", "/ui/lineage"),
            Map.entry("freshness", "/ui/freshness"),
            Map.entry("monitoring", "/ui/monitoring"),
            Map.entry("history", "/ui/history"),
            Map.entry("entity", "/ui/entities/driver"),
            Map.entry("parquet-source", "/ui/sources/driver_stats_source"),
            Map.entry("stream-source", "/ui/sources/trips_stream"),
            Map.entry("view", "/ui/views/driver_hourly_stats"),
            Map.entry("aggregation-view", "/ui/views/driver_trip_activity"),
            Map.entry("on-demand-view", "/ui/on-demand-views/booking_risk"),
            Map.entry("service", "/ui/services/driver_activity_v3"),
            Map.entry("lineage-focus", "/ui/lineage?focus=view:driver_trip_activity"));
    browser.consoleErrors();
    pages.forEach(
        (name, path) -> {
          browser.open(server.url() + path);
          assertThat(browser.consoleErrors()).as(path).isEmpty();
          assertThat(browser.driver().getTitle()).as(path).endsWith(PROJECT + " \u00b7 Quiver");
          assertThat(browser.driver().findElement(By.tagName("main")).getText())
              .as(path)
              .isNotBlank();
          assertThat(browser.screenshot(name)).isNotEmptyFile();
        });
  }

  @Test
  void overviewShowsTheLastApplyAndEveryViewAndService() {
    browser.open(server.url() + "/ui");
    assertThat(browser.driver().findElement(By.cssSelector("[data-last-version]")).getText())
        .isEqualTo("1");
    assertThat(browser.driver().findElement(By.cssSelector("[data-last-user]")).getText())
        .isNotBlank();
    assertThat(texts("tr[data-row=view] td:first-child"))
        .containsExactly(
            "booking_risk",
            "customer_profile",
            "driver_customer_stats",
            "driver_hourly_stats",
            "driver_trip_activity");
    assertThat(texts("tr[data-row=service] td:first-child"))
        .containsExactly("driver_activity_v1", "driver_activity_v2", "driver_activity_v3");
    // A click goes to the object's page, which says where it is written.
    browser.driver().findElement(By.linkText("driver_trip_activity")).click();
    WebElement location =
        new WebDriverWait(browser.driver(), Duration.ofSeconds(10))
            .until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("[data-location]")));
    assertThat(location.getText()).isEqualTo("driver_trips.yaml:26");
  }

  @Test
  void lineageGraphHasTheExamplesNodesAndEdges() {
    browser.open(server.url() + "/ui/lineage");
    Set<String> nodes =
        browser.driver().findElements(By.cssSelector("#lineage g.node")).stream()
            .map(n -> n.getAttribute("data-id"))
            .collect(Collectors.toSet());
    assertThat(nodes)
        .containsExactlyInAnyOrder(
            "source:trips_source",
            "source:driver_stats_source",
            "source:customer_profile_source",
            "source:driver_customer_source",
            "stream:trips_stream",
            "view:driver_trip_activity",
            "view:driver_hourly_stats",
            "view:customer_profile",
            "view:driver_customer_stats",
            "request:booking_risk",
            "odfv:booking_risk",
            "service:driver_activity_v1",
            "service:driver_activity_v2",
            "service:driver_activity_v3");
    Set<String> edges = new HashSet<>();
    for (WebElement edge : browser.driver().findElements(By.cssSelector("#lineage path.edge"))) {
      edges.add(edge.getAttribute("data-from") + " -> " + edge.getAttribute("data-to"));
    }
    String v1 = "service:driver_activity_v1";
    String v2 = "service:driver_activity_v2";
    String v3 = "service:driver_activity_v3";
    assertThat(edges)
        .containsExactlyInAnyOrder(
            "source:trips_source -> stream:trips_stream",
            "stream:trips_stream -> view:driver_trip_activity",
            "source:driver_stats_source -> view:driver_hourly_stats",
            "source:customer_profile_source -> view:customer_profile",
            "source:driver_customer_source -> view:driver_customer_stats",
            "view:driver_hourly_stats -> odfv:booking_risk",
            "view:driver_trip_activity -> odfv:booking_risk",
            "request:booking_risk -> odfv:booking_risk",
            "view:driver_hourly_stats -> " + v1,
            "view:customer_profile -> " + v1,
            "view:driver_customer_stats -> " + v1,
            "view:driver_hourly_stats -> " + v2,
            "view:driver_trip_activity -> " + v2,
            "view:customer_profile -> " + v2,
            "view:driver_customer_stats -> " + v2,
            "view:driver_hourly_stats -> " + v3,
            "view:driver_trip_activity -> " + v3,
            "odfv:booking_risk -> " + v3,
            "view:customer_profile -> " + v3,
            "view:driver_customer_stats -> " + v3);
    // The nodes carry the objects' names, drawn as text.
    WebElement stream =
        browser
            .driver()
            .findElement(By.cssSelector("#lineage g.node[data-id='stream:trips_stream']"));
    assertThat(stream.getText()).contains("trips_stream");
  }

  @Test
  void freshnessBadgeIsRedPastTheGoalAndGreenWithinIt() throws Exception {
    browser.open(server.url() + "/ui/freshness");
    WebElement stale = badge("customer_profile");
    assertThat(stale.getAttribute("data-freshness")).isEqualTo("stale");
    assertThat(stale.getText()).startsWith("stale:").contains("goal 1m");
    assertThat(stale.getCssValue("color")).isEqualTo("rgba(185, 28, 28, 1)");
    WebElement fresh = badge("driver_hourly_stats");
    assertThat(fresh.getAttribute("data-freshness")).isEqualTo("fresh");
    assertThat(fresh.getCssValue("color")).isEqualTo("rgba(21, 128, 61, 1)");
    // The same verdicts as GET /freshness.
    JsonNode api = readJson(get(server.url() + "/freshness")).get("views");
    for (JsonNode view : api) {
      if (view.get("view").asText().equals("customer_profile")) {
        assertThat(view.get("fresh").asBoolean()).isFalse();
      }
    }
  }

  @Test
  void monitoringShowsStatisticsDriftAndTheNewestConsistencyReport() {
    browser.open(server.url() + "/ui/monitoring");
    WebElement conv =
        browser.driver().findElement(By.cssSelector("section[data-feature='conv_rate']"));
    assertThat(conv.getText()).contains("mean").contains("stddev").contains("PSI");
    assertThat(conv.findElements(By.cssSelector("svg[data-side=baseline]"))).isNotEmpty();
    assertThat(conv.findElements(By.cssSelector("svg[data-side=current]"))).isNotEmpty();
    assertThat(
            browser
                .driver()
                .findElement(By.cssSelector("[data-consistency='" + SERVICE + "']"))
                .getText())
        .contains(SERVICE)
        .contains("40 logged rows");
  }

  @Test
  void theReadTokenKeepsTheConsoleBehindASignIn() throws Exception {
    // A repo of its own: the shared one's online store is held by the shared server.
    Path guardedRepo = dir.resolve("guarded");
    ExampleRepo.copyDefinitionsTo(guardedRepo);
    ExampleData.generate(
        guardedRepo,
        new ExampleData.Options(42, 20, 20, 1, Instant.now().truncatedTo(ChronoUnit.HOURS)));
    run("apply", "--repo", guardedRepo.toString());
    try (QuiverServer guarded =
            QuiverServer.start(
                guardedRepo,
                0,
                Map.of("quiver.server.flight-port", 0, "quiver.server.read-token", "s3cret"));
        Browser other = Browser.start()) {
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> refused =
          client.send(
              HttpRequest.newBuilder(URI.create(guarded.url() + "/ui/views/driver_hourly_stats"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(303);
      assertThat(refused.headers().firstValue("Location"))
          .hasValue("/ui/login?next=%2Fui%2Fviews%2Fdriver_hourly_stats");
      assertThat(refused.body()).doesNotContain("driver_hourly_stats");
      HttpResponse<String> bearer =
          client.send(
              HttpRequest.newBuilder(URI.create(guarded.url() + "/ui"))
                  .header("Authorization", "Bearer s3cret")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(bearer.statusCode()).isEqualTo(200);
      HttpResponse<String> forged =
          client.send(
              HttpRequest.newBuilder(URI.create(guarded.url() + "/ui"))
                  .header("Cookie", "quiver_console=1.0123456789abcdef")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(forged.statusCode()).isEqualTo(303);
      HttpResponse<String> crossSite =
          client.send(
              HttpRequest.newBuilder(URI.create(guarded.url() + "/ui/login"))
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .header("Origin", "http://evil.example")
                  .POST(HttpRequest.BodyPublishers.ofString("token=s3cret&next=%2Fui"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(crossSite.statusCode()).isEqualTo(403);
      assertThat(crossSite.headers().firstValue("Set-Cookie")).isEmpty();

      other.open(guarded.url() + "/ui/lineage");
      assertThat(other.driver().getCurrentUrl()).contains("/ui/login");
      assertThat(other.driver().getPageSource()).doesNotContain("trips_stream");
      other.driver().findElement(By.id("token")).sendKeys("wrong");
      other.driver().findElement(By.id("sign-in")).click();
      assertThat(other.driver().findElement(By.id("sign-in-error")).getText())
          .isEqualTo("That is not this server's read token.");
      other.driver().findElement(By.id("token")).sendKeys("s3cret");
      other.driver().findElement(By.id("sign-in")).click();
      // The sign-in answers with a redirect to the page first asked for.
      new WebDriverWait(other.driver(), Duration.ofSeconds(10))
          .until(ExpectedConditions.urlMatches("/ui/lineage$"));
      assertThat(other.driver().findElements(By.cssSelector("#lineage g.node"))).hasSize(14);
      other.screenshot("sign-in-then-lineage");
      // The cookie is the sign-in's, scoped to the console: the API still wants the token.
      assertThat(other.driver().manage().getCookieNamed("quiver_console").isHttpOnly()).isTrue();
    }
  }

  private static WebElement badge(String view) {
    return browser
        .driver()
        .findElement(By.cssSelector("tr[data-row=freshness] .badge[data-view='" + view + "']"));
  }

  private static List<String> texts(String css) {
    return browser.driver().findElements(By.cssSelector(css)).stream()
        .map(WebElement::getText)
        .toList();
  }

  private static String apiUrl(String path) {
    return server.url() + "/api/v1/projects/" + PROJECT + path;
  }

  private static String lookup(List<String> rows) throws Exception {
    List<Long> drivers = rows.stream().map(r -> Long.parseLong(r.split(",")[0])).toList();
    List<Long> customers = rows.stream().map(r -> Long.parseLong(r.split(",")[1])).toList();
    List<Double> quotes = rows.stream().map(r -> Double.parseDouble(r.split(",")[4])).toList();
    return JSON.writeValueAsString(
        Map.of(
            "feature_service",
            SERVICE,
            "entities",
            Map.of("driver_id", drivers, "customer_id", customers, "fare_quote", quotes)));
  }

  private static void edit(String file, String from, String to) throws Exception {
    Path path = repo.resolve(file);
    String text = Files.readString(path);
    assertThat(text).contains(from);
    Files.writeString(path, text.replace(from, to));
  }

  private static void run(String... args) {
    CliRun run = quiver(args);
    assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run.err()).isZero();
  }

  private static String get(String url) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url + " " + response.body()).isEqualTo(200);
    return response.body();
  }

  private static void post(String url, String body) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  private static JsonNode readJson(String body) {
    try {
      return JSON.readTree(body);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
