package dev.quiver.server.console;

import dev.quiver.registry.GitCommit;
import dev.quiver.registry.store.HistoryEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@code /ui/history}: every registry version, newest first, with when it was committed, by whom,
 * from which Git commit and what it changed; a hundred versions a page.
 */
final class HistoryPage {

  private HistoryPage() {}

  static String render(ConsoleState state, List<HistoryEntry> history, int pageNumber) {
    Page page = state.page("History", "/ui/history");
    page.heading("registry", "History");
    page.raw("<p class=\"sub\">")
        .text(history.size() + (history.size() == 1 ? " version" : " versions"))
        .raw(", newest first, as <code>quiver registry history</code> lists them.</p>");
    if (history.isEmpty()) {
      page.note("Nothing applied yet: run quiver apply in the repo.");
      return page.finish();
    }
    List<HistoryEntry> newestFirst = new ArrayList<>(history);
    Collections.reverse(newestFirst);
    Paging paging = Paging.of(newestFirst.size(), pageNumber);
    page.raw("<section class=\"panel\"><table><tr><th class=\"num\">version</th>")
        .raw("<th>committed</th><th>by</th><th>git commit</th><th>changes</th></tr>");
    for (HistoryEntry entry : paging.rows(newestFirst)) {
      page.raw("<tr data-version=\"")
          .text(Long.toString(entry.version()))
          .raw("\"><td class=\"num\"><b>")
          .text(Long.toString(entry.version()))
          .raw("</b></td><td>")
          .text(Page.instant(entry.committedAt()))
          .raw("</td><td>")
          .text(entry.user())
          .raw("</td><td><code>")
          .text(GitCommit.shortForm(entry.gitCommit()))
          .raw("</code></td><td>");
      changes(page, entry, Integer.MAX_VALUE);
      page.raw("</td></tr>");
    }
    page.raw("</table>");
    paging.links(
        page,
        "history",
        "/ui/history?page=",
        "",
        "\u2190 newer",
        "page " + paging.current() + " of " + paging.pages(),
        "older \u2192");
    page.raw("</section>");
    return page.finish();
  }

  /** A version's changes as a list, at most {@code limit} lines and a count of the rest. */
  static void changes(Page page, HistoryEntry entry, int limit) {
    List<String> lines = entry.describedChanges();
    if (lines.isEmpty()) {
      page.raw("<span class=\"note\">no changes</span>");
      return;
    }
    page.raw("<ul class=\"changes\">");
    for (String line : lines.subList(0, Math.min(lines.size(), limit))) {
      page.raw("<li>").text(line).raw("</li>");
    }
    if (lines.size() > limit) {
      page.raw("<li class=\"note\">and ")
          .text(Integer.toString(lines.size() - limit))
          .raw(" more</li>");
    }
    page.raw("</ul>");
  }
}
