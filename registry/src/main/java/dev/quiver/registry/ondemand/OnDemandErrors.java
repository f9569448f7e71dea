package dev.quiver.registry.ondemand;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many evaluations of each on-demand feature ended in a CEL error (and gave null) in this
 * process, by {@code view:feature}: online lookups ({@link #counts()}, the server's metric) apart
 * from training sets ({@link #trainingCounts()}), so that a training set over rows with missing
 * inputs does not look like failing lookups.
 */
public final class OnDemandErrors {

  private static final Map<String, LongAdder> ONLINE = new ConcurrentHashMap<>();
  private static final Map<String, LongAdder> TRAINING = new ConcurrentHashMap<>();

  private OnDemandErrors() {}

  static LongAdder counter(String reference, boolean training) {
    return (training ? TRAINING : ONLINE).computeIfAbsent(reference, r -> new LongAdder());
  }

  /** How many online evaluations of one feature ({@code view:feature}) ended in an error. */
  public static long count(String reference) {
    LongAdder count = ONLINE.get(reference);
    return count == null ? 0 : count.sum();
  }

  /** How many training-set evaluations of one feature ended in an error. */
  public static long trainingCount(String reference) {
    LongAdder count = TRAINING.get(reference);
    return count == null ? 0 : count.sum();
  }

  /** The online counts so far, by feature reference, in name order. */
  public static Map<String, Long> counts() {
    return snapshot(ONLINE);
  }

  /** The training-set counts so far, by feature reference, in name order. */
  public static Map<String, Long> trainingCounts() {
    return snapshot(TRAINING);
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> counters) {
    Map<String, Long> counts = new TreeMap<>();
    counters.forEach((reference, count) -> counts.put(reference, count.sum()));
    return counts;
  }
}
