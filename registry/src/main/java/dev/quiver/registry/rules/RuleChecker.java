package dev.quiver.registry.rules;

import dev.quiver.registry.model.Expectation;
import dev.quiver.registry.model.Expectation.Rule;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ScalarType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks rows of a feature view against its features' {@code expect} rules: the one implementation
 * behind materialization, push, ingestion and {@code quiver validate}. It lives in the registry,
 * beside the definitions it reads, because that is the lowest module every write path (the
 * materializer, streaming, the SDK, the server, the Spark engine) depends on.
 *
 * <p>A {@link Tally} counts one batch: {@link Tally#add} per row, {@link Tally#merge} to join
 * tallies of threads; {@link Tally#report} says what broke. Row rules ({@code not_null}, {@code
 * min}, {@code max}, {@code in}) count each row that breaks them; {@code min}, {@code max} and
 * {@code in} skip nulls (only {@code not_null} and {@code max_null_fraction} speak of nulls), and a
 * NaN breaks {@code min} and {@code max}. {@code max_null_fraction} compares the batch's share of
 * nulls with its bound. Each rule keeps {@link #EXAMPLES} example rows, the earliest by event time
 * (then join keys), so a report does not depend on the order threads merged in.
 */
public final class RuleChecker {

  /** Example rows a report keeps per feature and rule. */
  public static final int EXAMPLES = 3;

  /** One row as the checker reads it; the join keys are asked for only when it breaks a rule. */
  public interface Row {
    /** A feature's value (Java values of its type, as the write path holds them), or null. */
    Object value(String feature);

    /** The row's join keys, by name. */
    Map<String, Object> keys();

    long eventNanos();
  }

  private final FeatureView view;
  private final List<Feature> checked;

  private RuleChecker(FeatureView view) {
    this.view = view;
    this.checked = view.features().stream().filter(f -> f.expect() != null).toList();
  }

  /** The checker of a view's rules; {@link #hasRules} is false when no feature has any. */
  public static RuleChecker of(FeatureView view) {
    return new RuleChecker(view);
  }

  public FeatureView view() {
    return view;
  }

  public boolean hasRules() {
    return !checked.isEmpty();
  }

  /** A new, empty tally of one batch. */
  public Tally tally() {
    return new Tally();
  }

  /** Checks a whole batch at once. */
  public ValidationReport check(Iterable<? extends Row> rows) {
    Tally tally = tally();
    for (Row row : rows) {
      tally.add(row);
    }
    return tally.report();
  }

  /** The counts of one batch; not thread-safe (a tally per thread, then {@link #merge}). */
  public final class Tally {
    private long rows;
    private final long[] nulls = new long[checked.size()];
    private final Map<String, Counted> counted = new LinkedHashMap<>();

    private Tally() {
      for (Feature feature : checked) {
        for (Rule rule : feature.expect().rules()) {
          counted.put(feature.name() + "/" + rule.yaml(), new Counted());
        }
      }
    }

    public void add(Row row) {
      rows++;
      for (int f = 0; f < checked.size(); f++) {
        Feature feature = checked.get(f);
        Expectation expect = feature.expect();
        Object value = row.value(feature.name());
        if (value == null) {
          nulls[f]++;
          if (expect.notNull()) {
            count(feature, Rule.NOT_NULL, row, null);
          }
          if (expect.maxNullFraction() != null) {
            count(feature, Rule.MAX_NULL_FRACTION, row, null);
          }
          continue;
        }
        if (expect.min() != null || expect.max() != null) {
          ScalarType type = feature.type().element();
          if (expect.min() != null && !(compare(type, value, expect.min()) >= 0)) {
            count(feature, Rule.MIN, row, value);
          }
          if (expect.max() != null && !(compare(type, value, expect.max()) <= 0)) {
            count(feature, Rule.MAX, row, value);
          }
        }
        if (!expect.in().isEmpty()
            && !expect.in().contains(Expectation.normalize(feature.type().element(), value))) {
          count(feature, Rule.IN, row, value);
        }
      }
    }

    private void count(Feature feature, Rule rule, Row row, Object value) {
      counted.get(feature.name() + "/" + rule.yaml()).add(row, value);
    }

    /** Adds another tally of the same checker (another thread's part of the batch). */
    public void merge(Tally other) {
      rows += other.rows;
      for (int f = 0; f < nulls.length; f++) {
        nulls[f] += other.nulls[f];
      }
      other.counted.forEach((key, count) -> counted.get(key).merge(count));
    }

    public long rows() {
      return rows;
    }

    /** What broke the rules in the rows added so far. */
    public ValidationReport report() {
      List<ValidationReport.Failure> failures = new ArrayList<>();
      for (int f = 0; f < checked.size(); f++) {
        Feature feature = checked.get(f);
        for (Rule rule : feature.expect().rules()) {
          Counted count = counted.get(feature.name() + "/" + rule.yaml());
          boolean broken =
              rule == Rule.MAX_NULL_FRACTION
                  ? rows > 0 && (double) nulls[f] / rows > feature.expect().maxNullFraction()
                  : count.rows > 0;
          if (broken) {
            failures.add(
                new ValidationReport.Failure(
                    feature.name(),
                    rule,
                    bound(feature.expect(), rule),
                    count.rows,
                    count.examples));
          }
        }
      }
      return new ValidationReport(view.name(), view.validationMode(), rows, failures);
    }
  }

  /**
   * A value against a {@code min}/{@code max} bound, in the feature's own type as {@code in}
   * compares: a float32 as a float against the bound rounded to float (so a pushed {@code 0.7f}
   * meets {@code min: 0.7}); an integer exactly as a long when the bound is whole (an int64 beyond
   * 2^53 does not lose its last digits to a double); else as doubles. Returns the sign of {@code
   * value - bound}, or {@link Double#NaN} for a NaN or a value that is no number, which breaks both
   * bounds (the callers test {@code !(c >= 0)} and {@code !(c <= 0)}).
   */
  static double compare(ScalarType type, Object value, double bound) {
    if (!(value instanceof Number n)) {
      return Double.NaN;
    }
    if (type == ScalarType.FLOAT32) {
      float v = n.floatValue();
      float b = (float) bound;
      return Float.isNaN(v) ? Double.NaN : v == b ? 0 : v < b ? -1 : 1;
    }
    if ((type == ScalarType.INT32 || type == ScalarType.INT64)
        && !(n instanceof Double || n instanceof Float)
        && bound == Math.rint(bound)
        && bound >= -0x1p63
        && bound < 0x1p63) {
      return Long.compare(n.longValue(), (long) bound);
    }
    double v = n.doubleValue();
    return Double.isNaN(v) ? Double.NaN : v == bound ? 0 : v < bound ? -1 : 1;
  }

  /** The rule's bound as definitions write it: {@code 0}, {@code [a, b]}, {@code true}. */
  static String bound(Expectation expect, Rule rule) {
    return switch (rule) {
      case NOT_NULL -> "true";
      case MIN -> number(expect.min());
      case MAX -> number(expect.max());
      case IN -> expect.in().toString();
      case MAX_NULL_FRACTION -> number(expect.maxNullFraction());
    };
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value)
        : Double.toString(value);
  }

  private static final Comparator<ValidationReport.Example> EARLIEST =
      Comparator.comparing(ValidationReport.Example::eventTime)
          .thenComparing(e -> e.keys().toString())
          .thenComparing(e -> String.valueOf(e.value()));

  /** One rule's count and earliest examples. */
  private static final class Counted {
    long rows;
    final List<ValidationReport.Example> examples = new ArrayList<>(EXAMPLES + 1);

    void add(Row row, Object value) {
      rows++;
      if (examples.size() == EXAMPLES
          && row.eventNanos() >= examples.get(EXAMPLES - 1).eventNanos()) {
        // Not earlier than the latest example kept: a tie on time goes by keys, asked only here.
        if (row.eventNanos() > examples.get(EXAMPLES - 1).eventNanos()) {
          return;
        }
      }
      offer(
          new ValidationReport.Example(
              new java.util.TreeMap<>(row.keys()), row.eventNanos(), value));
    }

    void offer(ValidationReport.Example example) {
      examples.add(example);
      examples.sort(EARLIEST);
      if (examples.size() > EXAMPLES) {
        examples.remove(EXAMPLES);
      }
    }

    void merge(Counted other) {
      rows += other.rows;
      other.examples.forEach(this::offer);
    }
  }
}
