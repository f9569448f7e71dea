package dev.quiver.registry.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A closed interval of time, {@code [start, end]}; a null start reaches back to the beginning of
 * the data. Materialization records the intervals it has copied online.
 */
public record TimeInterval(Instant start, Instant end) {

  public TimeInterval {
    if (end == null) {
      throw new IllegalArgumentException("an interval needs an end");
    }
    if (start != null && start.isAfter(end)) {
      throw new IllegalArgumentException("an interval cannot start after it ends");
    }
  }

  /** The union of {@code intervals} as disjoint intervals in time order. */
  public static List<TimeInterval> merge(List<TimeInterval> intervals) {
    List<TimeInterval> sorted = new ArrayList<>(intervals);
    sorted.sort(
        Comparator.comparing((TimeInterval i) -> i.start() == null ? Instant.MIN : i.start()));
    List<TimeInterval> merged = new ArrayList<>();
    for (TimeInterval next : sorted) {
      if (!merged.isEmpty()) {
        TimeInterval last = merged.get(merged.size() - 1);
        if (next.start() == null || !next.start().isAfter(last.end())) {
          Instant end = next.end().isAfter(last.end()) ? next.end() : last.end();
          merged.set(merged.size() - 1, new TimeInterval(last.start(), end));
          continue;
        }
      }
      merged.add(next);
    }
    return merged;
  }
}
