package dev.quiver.server.console;

import dev.quiver.registry.model.TimeInterval;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * A view's materialized windows on a time axis, as SVG: one bar per window, from the earliest
 * window's start to now, with the newest event marked. A window open at its start (materialized
 * from the beginning of the data) starts at the axis' left end.
 */
final class Timeline {

  private static final int WIDTH = 760;
  private static final int HEIGHT = 64;
  private static final int LEFT = 12;
  private static final int RIGHT = 12;
  private static final int BAR_TOP = 10;
  private static final int BAR_HEIGHT = 18;
  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("MMM d HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);

  private Timeline() {}

  /** The SVG; {@code view} names it for tests and screen readers. */
  static String svg(String view, List<TimeInterval> intervals, Instant newestEvent, Instant now) {
    Instant first = now;
    for (TimeInterval interval : intervals) {
      Instant start = interval.start() != null ? interval.start() : interval.end();
      first = start.isBefore(first) ? start : first;
    }
    if (newestEvent != null && newestEvent.isBefore(first)) {
      first = newestEvent;
    }
    // A little room before the first window, and at least an hour of axis.
    Duration span = Duration.between(first, now);
    if (span.compareTo(Duration.ofHours(1)) < 0) {
      span = Duration.ofHours(1);
    }
    Instant from = now.minus(span.plus(span.dividedBy(20)));
    double scale = (WIDTH - LEFT - RIGHT) / (double) Duration.between(from, now).toMillis();
    StringBuilder svg = new StringBuilder(1024);
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg class=\"timeline\" data-view=\"%s\" viewBox=\"0 0 %d %d\" width=\"100%%\""
                + " role=\"img\" aria-label=\"materialized windows of %s\">",
            Page.escape(view),
            WIDTH,
            HEIGHT,
            Page.escape(view)));
    int axisY = BAR_TOP + BAR_HEIGHT + 6;
    svg.append(
        String.format(
            Locale.ROOT,
            "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\"/>",
            LEFT,
            WIDTH - RIGHT,
            axisY,
            axisY));
    for (int t = 0; t <= 4; t++) {
      Instant tick = from.plusMillis(Duration.between(from, now).toMillis() * t / 4);
      double x = LEFT + scale * Duration.between(from, tick).toMillis();
      svg.append(
          String.format(
              Locale.ROOT,
              "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\"/>"
                  + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>",
              x,
              x,
              axisY,
              axisY + 4,
              x,
              axisY + 17,
              t == 0 ? "start" : t == 4 ? "end" : "middle",
              t == 4 ? "now" : DAY.format(tick)));
    }
    for (TimeInterval interval : intervals) {
      Instant start = interval.start() != null ? interval.start() : from;
      double x1 = LEFT + scale * Math.max(0, Duration.between(from, start).toMillis());
      double x2 =
          LEFT
              + scale
                  * Math.min(Duration.between(from, now).toMillis(), millis(from, interval.end()));
      svg.append(
              String.format(
                  Locale.ROOT,
                  "<rect class=\"span\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"3\">",
                  x1,
                  BAR_TOP,
                  Math.max(2, x2 - x1),
                  BAR_HEIGHT))
          .append("<title>")
          .append(interval.start() == null ? "from the start" : Page.instant(interval.start()))
          .append(" to ")
          .append(Page.instant(interval.end()))
          .append("</title></rect>");
    }
    if (newestEvent != null) {
      double x = LEFT + scale * Math.max(0, millis(from, newestEvent));
      svg.append(
              String.format(
                  Locale.ROOT,
                  "<line class=\"now\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\">",
                  x,
                  x,
                  BAR_TOP - 6,
                  BAR_TOP + BAR_HEIGHT + 2))
          .append("<title>newest event ")
          .append(Page.instant(newestEvent))
          .append("</title></line>");
    }
    svg.append("</svg>");
    return svg.toString();
  }

  private static long millis(Instant from, Instant to) {
    return Duration.between(from, to).toMillis();
  }
}
