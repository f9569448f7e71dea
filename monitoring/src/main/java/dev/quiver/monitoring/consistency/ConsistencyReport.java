package dev.quiver.monitoring.consistency;

import java.time.Instant;
import java.util.List;

/**
 * What replaying a service's logged rows through the point-in-time join found.
 *
 * @param rows the logged rows replayed
 * @param features per feature of the service, in its order
 * @param lag per view whose mismatches are (some of them) explained by materialization lag
 * @param files the log files read
 * @param skippedRows logged rows not replayed: in files written before a change of the service's
 *     definitions that lack one of its join keys or request fields now (a feature a file lacks, or
 *     holds as another type, is left out of that file's comparison only)
 * @param notes what the report leaves out and why, one line each
 */
public record ConsistencyReport(
    String service,
    long rows,
    List<FeatureConsistency> features,
    List<Lag> lag,
    int files,
    long skippedRows,
    List<String> notes) {

  public ConsistencyReport {
    features = List.copyOf(features);
    lag = List.copyOf(lag);
    notes = List.copyOf(notes);
  }

  /**
   * One feature's comparison of the value served with the value the point-in-time join gives at the
   * request time.
   *
   * @param feature {@code view:feature}
   * @param rows logged rows that hold the feature
   * @param mismatches rows whose two values differ, either missing included (floats equal within
   *     1e-6 relative)
   * @param servedMissing rows served without a value (a status other than PRESENT, or null) whose
   *     offline value is not null
   * @param offlineMissing rows served with a value whose offline value is null
   * @param smape for numbers, the mean symmetric absolute percentage error (0 to 200) over the rows
   *     with both values; else, or without such rows, null
   */
  public record FeatureConsistency(
      String feature,
      long rows,
      long mismatches,
      long servedMissing,
      long offlineMissing,
      Double smape) {

    /** Mismatches over rows; 0 without rows. */
    public double mismatchRate() {
      return rows == 0 ? 0 : (double) mismatches / rows;
    }
  }

  /**
   * Mismatches of one feature view that materialization lag explains: served after the view's
   * newest materialized interval ended, with the value the join gives at that end (or, never
   * materialized, served as not found).
   *
   * @param lagged such mismatches, over the view's features
   * @param mismatches all mismatches of the view's features
   * @param materializedUpTo the end of the view's newest materialized interval; null when never
   */
  public record Lag(String view, long lagged, long mismatches, Instant materializedUpTo) {

    /** The line naming the cause. */
    public String describe() {
      return lagged
          + " of "
          + mismatches
          + " mismatches of view "
          + view
          + " are rows newer than its materialization at request time"
          + (materializedUpTo == null
              ? " (never materialized)"
              : " (materialized up to " + materializedUpTo + ")")
          + ": materialization lag";
    }
  }

  /** Whether any feature's mismatch rate is over {@code rate}. */
  public boolean anyRateAbove(double rate) {
    return features.stream().anyMatch(f -> f.mismatchRate() > rate);
  }
}
