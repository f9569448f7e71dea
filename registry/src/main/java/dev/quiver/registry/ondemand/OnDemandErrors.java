package dev.quiver.registry.ondemand;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many evaluations of each on-demand feature ended in a CEL error (and gave null) in this
 * process, by {@code view:feature}: the server exports them as a metric.
 */
public final class OnDemandErrors {

  private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

  private OnDemandErrors() {}

  static LongAdder counter(String reference) {
    return COUNTS.computeIfAbsent(reference, r -> new LongAdder());
  }

  /** How many evaluations of one feature ({@code view:feature}) ended in an error so far. */
  public static long count(String reference) {
    LongAdder count = COUNTS.get(reference);
    return count == null ? 0 : count.sum();
  }

  /** The counts so far, by feature reference, in name order. */
  public static Map<String, Long> counts() {
    Map<String, Long> counts = new TreeMap<>();
    COUNTS.forEach((reference, count) -> counts.put(reference, count.sum()));
    return counts;
  }
}
