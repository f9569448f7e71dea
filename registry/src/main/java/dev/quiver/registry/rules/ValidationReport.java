package dev.quiver.registry.rules;

import dev.quiver.EpochNanos;
import dev.quiver.Excerpt;
import dev.quiver.registry.model.Expectation.Rule;
import dev.quiver.registry.model.ValidationMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a batch of a view's rows broke: per feature and rule, how many rows and a few examples. The
 * same report is printed by {@code quiver materialize} and {@code quiver validate}, logged by
 * ingestion and answered by {@code POST /push} ({@link #asMap}).
 *
 * @param mode the view's {@code validation}: what the write did with a batch that broke a rule
 * @param rows the rows checked
 */
public record ValidationReport(
    String view, ValidationMode mode, long rows, List<Failure> failures) {

  public ValidationReport {
    failures = List.copyOf(failures);
  }

  /** A report of a batch that broke nothing. */
  public static ValidationReport passed(String view, ValidationMode mode, long rows) {
    return new ValidationReport(view, mode, rows, List.of());
  }

  /**
   * One rule one feature broke.
   *
   * @param bound the rule's setting as written: {@code 0}, {@code [a, b]}, {@code true}
   * @param rows the rows that broke it; for {@code max_null_fraction}, the rows with a null
   * @param examples the earliest of those rows
   */
  public record Failure(
      String feature, Rule rule, String bound, long rows, List<Example> examples) {

    public Failure {
      examples = List.copyOf(examples);
    }

    /** {@code conv_rate: min 0: 2 rows, e.g. driver_id=1001 at 2026-...Z: -0.5}. */
    public String describe(long batchRows) {
      StringBuilder text =
          new StringBuilder(feature).append(": ").append(rule.yaml()).append(' ').append(bound);
      text.append(": ").append(rows).append(rows == 1 ? " row" : " rows");
      if (rule == Rule.MAX_NULL_FRACTION) {
        text.append(" of ")
            .append(batchRows)
            .append(" null (")
            .append(String.format(java.util.Locale.ROOT, "%.3f", (double) rows / batchRows))
            .append(')');
      }
      if (!examples.isEmpty()) {
        text.append(", e.g. ");
        for (int i = 0; i < examples.size(); i++) {
          text.append(i == 0 ? "" : "; ").append(examples.get(i).describe());
        }
      }
      return text.toString();
    }
  }

  /** A row that broke a rule: its join keys, event time and the feature's value. */
  public record Example(Map<String, Object> keys, long eventNanos, Object value) {

    public Instant eventTime() {
      return EpochNanos.toInstant(eventNanos);
    }

    /** {@code driver_id=1001 at 2026-03-02T05:00:00Z: -0.5}. */
    public String describe() {
      StringBuilder text = new StringBuilder();
      keys.forEach(
          (key, value) ->
              text.append(text.isEmpty() ? "" : ",").append(key).append('=').append(value));
      return text.append(" at ")
          .append(eventTime())
          .append(": ")
          .append(value == null ? "null" : Excerpt.of(plain(value)))
          .toString();
    }
  }

  /** Whether the batch broke no rule. */
  public boolean passed() {
    return failures.isEmpty();
  }

  /** Whether the batch broke a rule of a {@code validation: reject} view: nothing was written. */
  public boolean rejected() {
    return !passed() && mode == ValidationMode.REJECT;
  }

  /**
   * The report as lines of text: a headline, then a line per broken rule, indented.
   *
   * @param what the batch, e.g. {@code 2026-03-01T00:00:00Z to 2026-03-02T00:00:00Z}, or null
   */
  public List<String> lines(String what) {
    List<String> lines = new ArrayList<>();
    String headline =
        view
            + (what == null ? "" : " (" + what + ")")
            + ": "
            + rows
            + (rows == 1 ? " row" : " rows")
            + " checked, ";
    if (passed()) {
      lines.add(headline + "every rule holds.");
      return lines;
    }
    lines.add(
        headline
            + failures.size()
            + (failures.size() == 1 ? " rule" : " rules")
            + " broken (validation: "
            + mode.yaml()
            + ").");
    for (Failure failure : failures) {
      lines.add("  " + failure.describe(rows));
    }
    return lines;
  }

  /** One line: {@code 2 rules broken in 100 rows: conv_rate min 0 (2 rows), ...}. */
  public String summary() {
    StringBuilder text =
        new StringBuilder()
            .append(failures.size())
            .append(failures.size() == 1 ? " rule" : " rules")
            .append(" broken in ")
            .append(rows)
            .append(rows == 1 ? " row" : " rows")
            .append(": ");
    for (int i = 0; i < failures.size(); i++) {
      text.append(i == 0 ? "" : "; ").append(failures.get(i).describe(rows));
    }
    return text.toString();
  }

  /**
   * The report as plain data for JSON: {@code {"feature_view", "validation", "rows", "passed",
   * "failures": [{"feature", "rule", "bound", "rows", "examples": [{"keys", "event_timestamp",
   * "value"}]}]}}.
   */
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("feature_view", view);
    map.put("validation", mode.yaml());
    map.put("rows", rows);
    map.put("passed", passed());
    List<Object> broken = new ArrayList<>();
    for (Failure failure : failures) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("feature", failure.feature());
      f.put("rule", failure.rule().yaml());
      f.put("bound", failure.bound());
      f.put("rows", failure.rows());
      List<Object> examples = new ArrayList<>();
      for (Example example : failure.examples()) {
        Map<String, Object> e = new LinkedHashMap<>();
        Map<String, Object> keys = new LinkedHashMap<>();
        example.keys().forEach((k, v) -> keys.put(k, plain(v)));
        e.put("keys", keys);
        e.put("event_timestamp", example.eventTime().toString());
        e.put("value", plain(example.value()));
        examples.add(e);
      }
      f.put("examples", examples);
      broken.add(f);
    }
    map.put("failures", broken);
    return map;
  }

  /**
   * A report from its {@link #asMap} form (as a server answered it, read as plain JSON values):
   * values and keys stay as JSON gave them (numbers, text, booleans).
   *
   * @throws IllegalArgumentException when {@code map} is not such a form
   */
  public static ValidationReport fromMap(Map<?, ?> map) {
    try {
      List<Failure> failures = new ArrayList<>();
      for (Object item : (List<?>) map.get("failures")) {
        Map<?, ?> f = (Map<?, ?>) item;
        List<Example> examples = new ArrayList<>();
        for (Object e : (List<?>) f.get("examples")) {
          Map<?, ?> example = (Map<?, ?>) e;
          Map<String, Object> keys = new LinkedHashMap<>();
          ((Map<?, ?>) example.get("keys")).forEach((k, v) -> keys.put(k.toString(), v));
          examples.add(
              new Example(
                  keys,
                  EpochNanos.of(Instant.parse(example.get("event_timestamp").toString())),
                  example.get("value")));
        }
        String rule = f.get("rule").toString();
        failures.add(
            new Failure(
                f.get("feature").toString(),
                java.util.Arrays.stream(Rule.values())
                    .filter(r -> r.yaml().equals(rule))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown rule " + rule)),
                f.get("bound").toString(),
                ((Number) f.get("rows")).longValue(),
                examples));
      }
      return new ValidationReport(
          map.get("feature_view").toString(),
          ValidationMode.ofYaml(map.get("validation").toString()).orElseThrow(),
          ((Number) map.get("rows")).longValue(),
          failures);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Not a validation report: " + map, e);
    }
  }

  /** A value as JSON and text show it: instants as RFC 3339, bytes as base64. */
  private static Object plain(Object value) {
    if (value instanceof Instant || value instanceof java.time.temporal.TemporalAccessor) {
      return value.toString();
    }
    if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    return value;
  }
}
