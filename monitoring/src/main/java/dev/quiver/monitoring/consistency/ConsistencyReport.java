package dev.quiver.monitoring.consistency;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  /**
   * The report as {@code quiver consistency --json} prints it, the shape: {@code service},
   * {@code rows}, then per feature {@code {"feature", "rows", "mismatches", "mismatch_rate",
   * "served_missing", "offline_missing", "smape"}}; {@code skipped_rows} and {@code notes} only
   * when files were skipped or there are notes. It leaves out {@link #files} and {@link #lag} (see
   * {@link #toSavedMap}).
   */
  public Map<String, Object> toMap() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("service", service);
    root.put("rows", rows);
    List<Map<String, Object>> list = new ArrayList<>();
    for (FeatureConsistency f : features) {
      Map<String, Object> feature = new LinkedHashMap<>();
      feature.put("feature", f.feature());
      feature.put("rows", f.rows());
      feature.put("mismatches", f.mismatches());
      feature.put("mismatch_rate", f.mismatchRate());
      feature.put("served_missing", f.servedMissing());
      feature.put("offline_missing", f.offlineMissing());
      feature.put("smape", f.smape());
      list.add(feature);
    }
    root.put("features", list);
    // Only when files were skipped: otherwise the shape is exactly the issue's.
    if (skippedRows > 0 || !notes.isEmpty()) {
      root.put("skipped_rows", skippedRows);
      root.put("notes", notes);
    }
    return root;
  }

  /**
   * {@link #toMap} followed by {@code "files"} (the log files read) and {@code "lag"} ({@code
   * [{"view", "lagged", "mismatches", "materialized_up_to"}]}, the instant null when never
   * materialized): everything {@link #fromMap} needs to give this report back equal. A saved report
   * holds this shape ({@link ConsistencyReports}).
   */
  public Map<String, Object> toSavedMap() {
    Map<String, Object> root = toMap();
    root.put("files", files);
    List<Map<String, Object>> lags = new ArrayList<>();
    for (Lag l : lag) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("view", l.view());
      item.put("lagged", l.lagged());
      item.put("mismatches", l.mismatches());
      item.put(
          "materialized_up_to",
          l.materializedUpTo() == null ? null : l.materializedUpTo().toString());
      lags.add(item);
    }
    root.put("lag", lags);
    return root;
  }

  /**
   * A report from {@link #toSavedMap}'s shape, or {@link #toMap}'s (then without files read, 0, and
   * without lag). {@code mismatch_rate} is not read: it follows from rows and mismatches.
   *
   * @throws IllegalArgumentException naming the first key missing or of the wrong type
   */
  public static ConsistencyReport fromMap(Map<String, Object> map) {
    List<FeatureConsistency> features = new ArrayList<>();
    for (Map<String, Object> f : maps(map, "features")) {
      Object smape = f.get("smape");
      if (smape != null && !(smape instanceof Number)) {
        throw new IllegalArgumentException("'smape' of a feature is not a number: " + smape);
      }
      features.add(
          new FeatureConsistency(
              text(f, "feature"),
              number(f, "rows").longValue(),
              number(f, "mismatches").longValue(),
              number(f, "served_missing").longValue(),
              number(f, "offline_missing").longValue(),
              smape == null ? null : ((Number) smape).doubleValue()));
    }
    List<Lag> lag = new ArrayList<>();
    if (map.get("lag") != null) {
      for (Map<String, Object> l : maps(map, "lag")) {
        Object upTo = l.get("materialized_up_to");
        lag.add(
            new Lag(
                text(l, "view"),
                number(l, "lagged").longValue(),
                number(l, "mismatches").longValue(),
                upTo == null ? null : instant(upTo)));
      }
    }
    List<String> notes = new ArrayList<>();
    if (map.get("notes") != null) {
      if (!(map.get("notes") instanceof List<?> list)) {
        throw new IllegalArgumentException("'notes' is not a list");
      }
      list.forEach(note -> notes.add(String.valueOf(note)));
    }
    return new ConsistencyReport(
        text(map, "service"),
        number(map, "rows").longValue(),
        features,
        lag,
        map.get("files") == null ? 0 : number(map, "files").intValue(),
        map.get("skipped_rows") == null ? 0 : number(map, "skipped_rows").longValue(),
        notes);
  }

  private static String text(Map<String, Object> map, String key) {
    if (!(map.get(key) instanceof String value)) {
      throw new IllegalArgumentException("'" + key + "' is missing or not a string");
    }
    return value;
  }

  private static Number number(Map<String, Object> map, String key) {
    if (!(map.get(key) instanceof Number value)) {
      throw new IllegalArgumentException("'" + key + "' is missing or not a number");
    }
    return value;
  }

  private static Instant instant(Object text) {
    try {
      return Instant.parse(String.valueOf(text));
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("'" + text + "' is not an ISO-8601 instant", e);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> maps(Map<String, Object> map, String key) {
    if (!(map.get(key) instanceof List<?> list)) {
      throw new IllegalArgumentException("'" + key + "' is missing or not a list");
    }
    List<Map<String, Object>> maps = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof Map<?, ?> m)) {
        throw new IllegalArgumentException("an item of '" + key + "' is not an object: " + item);
      }
      maps.add((Map<String, Object>) m);
    }
    return maps;
  }
}
