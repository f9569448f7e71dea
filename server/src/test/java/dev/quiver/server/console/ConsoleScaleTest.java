package dev.quiver.server.console;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry of a thousand feature views stays usable in the console: lists come a hundred rows a
 * page with links to the next, a search narrows them by name, and the lineage graph, too large to
 * read whole, is drawn around the object asked for.
 */
class ConsoleScaleTest {

  private static final int VIEWS = 1_000;

  @TempDir Path dir;

  @Test
  void aThousandViewsArePagedSearchedAndDrawnAroundOne() throws Exception {
    Path repo = dir.resolve("repo");
    ExampleRepo.copyDefinitionsTo(repo);
    ExampleData.generate(
        repo, new ExampleData.Options(42, 20, 20, 1, Instant.now().truncatedTo(ChronoUnit.HOURS)));
    StringBuilder yaml = new StringBuilder("feature_views:\n");
    for (int i = 0; i < VIEWS; i++) {
      yaml.append(
          String.format(
              Locale.ROOT,
              "  - name: many_%04d\n    entities: [driver]\n    source: driver_stats_source\n"
                  + "    features:\n      - {name: conv_rate, type: float32}\n",
              i));
    }
    Files.writeString(repo.resolve("many.yaml"), yaml);
    // Text from the repo is shown as text, never as markup.
    Path stats = repo.resolve("driver_stats.yaml");
    Files.writeString(
        stats,
        Files.readString(stats)
            .replace(
                "description: How a driver performed in the last hour",
                "description: \"<script>alert('x')</script> & \\\"quoted\\\"\""));
    CliRun applied = quiver("apply", "--repo", repo.toString());
    assertThat(applied.exitCode()).as(applied.err()).isZero();
    int allViews = VIEWS + 5;

    try (QuiverServer server =
        QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0))) {
      String first = get(server, "/ui");
      assertThat(count(first, "<tr data-row=\"view\">")).isEqualTo(100);
      assertThat(first).contains("1\u2013100 of 1,005").contains("vpage=2#views");
      String last = get(server, "/ui?vpage=11");
      assertThat(count(last, "<tr data-row=\"view\">")).isEqualTo(allViews - 1_000);
      assertThat(last).contains("1,001\u20131,005 of 1,005").doesNotContain("next \u2192");
      // Past the last page: the last page; not a page number: the first.
      assertThat(count(get(server, "/ui?vpage=99"), "<tr data-row=\"view\">")).isEqualTo(5);
      assertThat(get(server, "/ui?vpage=abc&spage=-3")).contains("1\u2013100 of 1,005");

      String found = get(server, "/ui?q=MANY_0999");
      assertThat(count(found, "<tr data-row=\"view\">")).isEqualTo(1);
      assertThat(found).contains("/ui/views/many_0999");

      String view = get(server, "/ui/views/driver_hourly_stats");
      assertThat(view)
          .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;")
          .doesNotContain("<script>");

      String lineage = get(server, "/ui/lineage");
      assertThat(lineage).doesNotContain("<svg id=\"lineage\"").contains("more than a graph shows");
      String around = get(server, "/ui/lineage?focus=view:many_0042");
      assertThat(count(around, "<g class=\"node ")).isEqualTo(2);
      assertThat(around).contains("data-id=\"source:driver_stats_source\"");

      String freshness = get(server, "/ui/freshness?page=3");
      assertThat(count(freshness, "<tr data-row=\"freshness\">")).isEqualTo(100);
      assertThat(freshness).contains("page 3 of 11");
    }
  }

  private static String get(QuiverServer server, String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body();
  }

  private static int count(String text, String needle) {
    Matcher matcher = Pattern.compile(Pattern.quote(needle)).matcher(text);
    int found = 0;
    while (matcher.find()) {
      found++;
    }
    return found;
  }
}
