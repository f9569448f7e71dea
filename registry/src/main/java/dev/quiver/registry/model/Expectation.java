package dev.quiver.registry.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A feature's validation rules ({@code expect:}), checked on every write path (materialize, push,
 * ingest) and by {@code quiver validate}: {@code dev.quiver.registry.rules.RuleChecker} applies
 * them.
 *
 * @param notNull every value must be present
 * @param min the smallest value allowed (number features only), or null
 * @param max the largest value allowed (number features only), or null
 * @param in the only values allowed, as {@link #normalize} gives them for the feature's type; empty
 *     for no such rule
 * @param maxNullFraction the largest share of nulls a batch may have, in [0, 1], or null
 */
public record Expectation(
    boolean notNull, Double min, Double max, List<Object> in, Double maxNullFraction)
    implements java.io.Serializable {

  /** The rules, named as definitions and reports name them. */
  public enum Rule {
    NOT_NULL("not_null"),
    MIN("min"),
    MAX("max"),
    IN("in"),
    MAX_NULL_FRACTION("max_null_fraction");

    private final String yaml;

    Rule(String yaml) {
      this.yaml = yaml;
    }

    public String yaml() {
      return yaml;
    }
  }

  public Expectation {
    in = in == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(in));
    if (maxNullFraction != null && !(maxNullFraction >= 0 && maxNullFraction <= 1)) {
      throw new IllegalArgumentException("max_null_fraction must be in [0, 1]");
    }
    if (min != null && max != null && min > max) {
      throw new IllegalArgumentException("min must not be greater than max");
    }
  }

  /** Whether it sets no rule at all. */
  public boolean isEmpty() {
    return !notNull && min == null && max == null && in.isEmpty() && maxNullFraction == null;
  }

  /** The rules it sets, in {@link Rule} order. */
  public List<Rule> rules() {
    List<Rule> rules = new ArrayList<>();
    if (notNull) {
      rules.add(Rule.NOT_NULL);
    }
    if (min != null) {
      rules.add(Rule.MIN);
    }
    if (max != null) {
      rules.add(Rule.MAX);
    }
    if (!in.isEmpty()) {
      rules.add(Rule.IN);
    }
    if (maxNullFraction != null) {
      rules.add(Rule.MAX_NULL_FRACTION);
    }
    return rules;
  }

  /** Whether {@code min} and {@code max} apply to values of {@code type}: numbers only. */
  public static boolean bounds(ValueType type) {
    return !type.list()
        && switch (type.element()) {
          case INT32, INT64, FLOAT32, FLOAT64 -> true;
          default -> false;
        };
  }

  /** Whether {@code in} applies to values of {@code type}: scalars but bytes and timestamps. */
  public static boolean membership(ValueType type) {
    return !type.list()
        && switch (type.element()) {
          case BOOL, INT32, INT64, FLOAT32, FLOAT64, STRING -> true;
          case BYTES, TIMESTAMP -> false;
        };
  }

  /**
   * A value of a feature of {@code type} as {@code in} holds it, so that one compares with {@code
   * equals}: integers as Long, float32 as Float, float64 as Double, bool as Boolean, text as
   * String; null for a value of another kind.
   */
  public static Object normalize(ScalarType type, Object value) {
    return switch (type) {
      case INT32, INT64 ->
          value instanceof Long || value instanceof Integer || value instanceof Short
              ? ((Number) value).longValue()
              : null;
      case FLOAT32 -> value instanceof Number n ? n.floatValue() : null;
      case FLOAT64 -> value instanceof Number n ? n.doubleValue() : null;
      case BOOL -> value instanceof Boolean b ? b : null;
      case STRING -> value instanceof String s ? s : null;
      case BYTES, TIMESTAMP -> null;
    };
  }

  /** A value of {@code in} as written in a definition, read as {@code type}; empty if it is not. */
  public static Optional<Object> parse(ScalarType type, String text) {
    String t = text.strip();
    try {
      return switch (type) {
        case INT32 -> Optional.of((long) Integer.parseInt(t));
        case INT64 -> Optional.of(Long.parseLong(t));
        case FLOAT32 -> {
          float f = Float.parseFloat(t);
          yield Float.isFinite(f) ? Optional.of(f) : Optional.empty();
        }
        case FLOAT64 -> {
          double d = Double.parseDouble(t);
          yield Double.isFinite(d) ? Optional.of(d) : Optional.empty();
        }
        case BOOL ->
            t.equalsIgnoreCase("true")
                ? Optional.of(true)
                : t.equalsIgnoreCase("false") ? Optional.of(false) : Optional.empty();
        case STRING -> Optional.of(text);
        case BYTES, TIMESTAMP -> Optional.empty();
      };
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
