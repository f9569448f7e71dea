package dev.quiver.offline.io;

import dev.quiver.EpochNanos;
import dev.quiver.registry.model.ScalarType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The type of one CSV column, inferred from all its values like DuckDB's CSV sniffer, with the
 * differences noted here: {@code true}/{@code false} (any case) is bool, whole numbers that fit are
 * int64, numbers with a decimal point or an exponent (among whole numbers) are float64, ISO-8601
 * date-times that nanoseconds since the epoch hold (the years 1677 to 2262) are timestamps, and
 * anything else, or a column without any value, is string. A cell that is empty or blank is null
 * and says nothing. So that no value changes on the way in, a column is string rather than a number
 * when any value has a leading zero ({@code 007}, {@code -01.5}; {@code 0} and {@code 0.5} are
 * numbers), is a whole number too large for int64, is not finite as a double ({@code 1e999}; the
 * words {@code NaN} and {@code Infinity} are not numbers either), or when a column that would be
 * float64 holds a whole number beyond 2^53, which a double cannot hold exactly.
 */
final class CsvTypeInference {

  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final Pattern LEADING_ZERO = Pattern.compile("[+-]?0\\d.*");
  private static final long EXACT_IN_DOUBLE = 1L << 53;

  private boolean seen;
  private boolean bool = true;
  private boolean integer = true;
  private boolean decimal = true;
  private boolean timestamp = true;
  private boolean wholeBeyondDouble;

  /** Whether a cell holds no value: empty or blank. */
  static boolean isNull(String value) {
    return value.isBlank();
  }

  /** Takes one cell's text into account. */
  void accept(String value) {
    if (isNull(value)) {
      return;
    }
    seen = true;
    String text = value.strip();
    bool = bool && isBool(text);
    boolean number = (integer || decimal) && !LEADING_ZERO.matcher(text).matches();
    Long whole = number ? wholeNumber(text) : null;
    integer = integer && whole != null;
    decimal = decimal && number && (whole != null || isDecimal(text));
    if (whole != null && (whole > EXACT_IN_DOUBLE || whole < -EXACT_IN_DOUBLE)) {
      wholeBeyondDouble = true;
    }
    timestamp = timestamp && isTimestamp(text);
  }

  /** The narrowest type every value seen so far parses as without changing. */
  ScalarType type() {
    if (!seen) {
      return ScalarType.STRING;
    }
    if (bool) {
      return ScalarType.BOOL;
    }
    if (integer) {
      return ScalarType.INT64;
    }
    if (decimal) {
      return wholeBeyondDouble ? ScalarType.STRING : ScalarType.FLOAT64;
    }
    return timestamp ? ScalarType.TIMESTAMP : ScalarType.STRING;
  }

  private static boolean isBool(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    return lower.equals("true") || lower.equals("false");
  }

  /** The whole number {@code text} is, or null when it is none or too large for int64. */
  private static Long wholeNumber(String text) {
    if (!INTEGER.matcher(text).matches()) {
      return null;
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException tooLarge) {
      return null;
    }
  }

  private static boolean isDecimal(String text) {
    // Not Double.parseDouble alone: it also takes "NaN", "0x1p3" and "1.5f".
    return (text.indexOf('.') >= 0 || text.indexOf('e') >= 0 || text.indexOf('E') >= 0)
        && DECIMAL.matcher(text).matches()
        && Double.isFinite(Double.parseDouble(text));
  }

  private static boolean isTimestamp(String text) {
    // A date-time starts yyyy-mm-dd and has a time; cheaper to rule out than to fail parsing.
    if (text.length() < 16 || text.charAt(4) != '-' || text.charAt(7) != '-') {
      return false;
    }
    try {
      Instant instant = EntityFiles.parseInstant(text);
      return EpochNanos.holds(instant);
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
