package dev.quiver.server.console;

import dev.quiver.monitoring.drift.DriftHtml;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * One console page as it is written: the frame every page shares (head, style sheet, the bar with
 * the project and its sections) around a body the page appends, with every text escaped on the way
 * in. Pages are plain HTML and SVG, rendered on the server in one pass: no script, no build.
 */
final class Page {

  /** The sections of the bar at the top, by path. */
  private static final String[][] SECTIONS = {
    {"/ui", "Overview"},
    {"/ui/lineage", "Lineage"},
    {"/ui/freshness", "Freshness"},
    {"/ui/monitoring", "Monitoring"},
    {"/ui/history", "History"},
  };

  private final StringBuilder html = new StringBuilder(16 * 1024);

  private Page() {}

  /**
   * A page titled {@code title}, in the section at {@code section} (highlighted in the bar), of a
   * project at a registry version.
   */
  static Page start(String title, String section, String project, long registryVersion) {
    Page page = new Page();
    page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .raw("<title>")
        .text(title)
        .raw(" &middot; ")
        .text(project)
        .raw(" &middot; Quiver</title>\n")
        // The style sheet and the icon are inline: a page is one request, and nothing 404s.
        .raw("<link rel=\"icon\" href=\"data:,\">\n<style>\n")
        .raw(ConsoleStyle.CSS)
        .raw("</style>\n</head>\n<body>\n<header class=\"topbar\"><a class=\"brand\" href=\"/ui\">")
        .raw("<span class=\"logo\">&#x27B6;</span> Quiver</a><span class=\"project\">")
        .text(project)
        .raw("</span><nav>");
    for (String[] link : SECTIONS) {
      page.raw("<a href=\"")
          .raw(link[0])
          .raw("\"")
          .raw(link[0].equals(section) ? " class=\"current\"" : "")
          .raw(">")
          .raw(link[1])
          .raw("</a>");
    }
    page.raw("</nav><span class=\"version\">registry v")
        .raw(Long.toString(registryVersion))
        .raw("</span></header>\n<main>\n");
    return page;
  }

  /** A page outside any project's frame (the sign-in). */
  static Page bare(String title) {
    Page page = new Page();
    page.raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .raw("<title>")
        .text(title)
        .raw(" &middot; Quiver</title>\n<link rel=\"icon\" href=\"data:,\">\n<style>\n")
        .raw(ConsoleStyle.CSS)
        .raw("</style>\n</head>\n<body>\n<main class=\"narrow\">\n");
    return page;
  }

  /** Appends markup as it is: only for text this code wrote. */
  Page raw(String markup) {
    html.append(markup);
    return this;
  }

  /** Appends text, escaped. */
  Page text(String text) {
    html.append(escape(text));
    return this;
  }

  /** Appends a link to {@code href} (written by this code) with {@code text} (escaped). */
  Page link(String href, String text) {
    return raw("<a href=\"").raw(escape(href)).raw("\">").text(text).raw("</a>");
  }

  /** Appends a link, as {@link #link}, in code type. */
  Page codeLink(String href, String text) {
    return raw("<a class=\"code\" href=\"").raw(escape(href)).raw("\">").text(text).raw("</a>");
  }

  /** Appends an {@code <h1>} with a kind label before it. */
  Page heading(String kind, String title) {
    return raw("<div class=\"heading\"><span class=\"kind\">")
        .text(kind)
        .raw("</span><h1>")
        .text(title)
        .raw("</h1></div>\n");
  }

  /** Appends a paragraph of muted text. */
  Page note(String text) {
    return raw("<p class=\"note\">").text(text).raw("</p>\n");
  }

  /** The finished page. */
  String finish() {
    html.append("</main>\n<footer>Quiver console &middot; read-only</footer>\n</body>\n</html>\n");
    return html.toString();
  }

  /** {@code text} safe in HTML text and in double-quoted attributes. */
  static String escape(String text) {
    return DriftHtml.escape(text);
  }

  /** A path segment: a name in a URL, percent-encoded. */
  static String segment(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** An age as a person reads it: {@code 45 s}, {@code 12 min}, {@code 3.5 h}, {@code 2.1 d}. */
  static String age(Duration age) {
    double seconds = age.toMillis() / 1000.0;
    if (seconds < 0) {
      return "in the future";
    }
    if (seconds < 120) {
      return String.format(Locale.ROOT, "%.0f s", seconds);
    }
    if (seconds < 7200) {
      return String.format(Locale.ROOT, "%.0f min", seconds / 60);
    }
    if (seconds < 172_800) {
      return String.format(Locale.ROOT, "%.1f h", seconds / 3600);
    }
    return String.format(Locale.ROOT, "%.1f d", seconds / 86_400);
  }

  /** An instant to the second, as ISO-8601 UTC. */
  static String instant(Instant at) {
    return at == null ? "never" : at.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
