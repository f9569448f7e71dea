package dev.quiver.server.console;

import java.util.List;

/**
 * One page of a list the console shows {@link #SIZE} rows at a time: which page (a number past the
 * last is the last, one below 1 the first), the rows on it, and the links to its neighbours.
 *
 * @param current the page shown, from 1
 * @param pages how many pages the rows fill, at least 1
 * @param total the rows in the list
 */
record Paging(int current, int pages, int total) {

  static final int SIZE = 100;

  /** Page {@code requested} of a list of {@code total} rows. */
  static Paging of(int total, int requested) {
    int pages = Math.max(1, (total + SIZE - 1) / SIZE);
    return new Paging(Math.max(1, Math.min(requested, pages)), pages, total);
  }

  /** The 0-based index of this page's first row. */
  int first() {
    return (current - 1) * SIZE;
  }

  /** The rows of {@code all} on this page. */
  <T> List<T> rows(List<T> all) {
    return all.subList(Math.min(all.size(), first()), Math.min(all.size(), first() + SIZE));
  }

  /**
   * Appends links to the previous and next pages ({@code href} + page number + {@code anchor}),
   * with {@code position} between them; nothing when one page holds every row.
   */
  void links(
      Page page, String name, String href, String anchor, String back, String position, String on) {
    if (pages == 1) {
      return;
    }
    page.raw("<div class=\"pager\" data-pager=\"").text(name).raw("\">");
    if (current > 1) {
      page.link(href + (current - 1) + anchor, back);
    }
    page.text(position);
    if (current < pages) {
      page.link(href + (current + 1) + anchor, on);
    }
    page.raw("</div>");
  }
}
