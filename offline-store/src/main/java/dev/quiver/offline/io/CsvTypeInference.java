package dev.quiver.offline.io;

import dev.quiver.registry.model.ScalarType;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The type of one CSV column, inferred from all its values as DuckDB's CSV reader does: {@code
 * true}/{@code false} (any case) is bool, whole numbers that fit are int64, numbers with a decimal
 * point or an exponent (among whole numbers) are float64, ISO-8601 date-times are timestamps, and
 * anything else, or a column without any value, is string. Empty cells are nulls and say nothing. A
 * whole number too large for int64 makes the column string rather than a float64 that would lose
 * its digits.
 */
final class CsvTypeInference {

  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  private boolean seen;
  private boolean bool = true;
  private boolean integer = true;
  private boolean decimal = true;
  private boolean timestamp = true;

  /** Takes one cell's text into account. */
  void accept(String value) {
    if (value.isEmpty()) {
      return;
    }
    seen = true;
    String text = value.strip();
    bool = bool && isBool(text);
    boolean whole = (integer || decimal) && isInteger(text);
    integer = integer && whole;
    decimal = decimal && (whole || isDecimal(text));
    timestamp = timestamp && isTimestamp(text);
  }

  /** The narrowest type every value seen so far parses as. */
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
      return ScalarType.FLOAT64;
    }
    return timestamp ? ScalarType.TIMESTAMP : ScalarType.STRING;
  }

  private static boolean isBool(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    return lower.equals("true") || lower.equals("false");
  }

  private static boolean isInteger(String text) {
    if (!INTEGER.matcher(text).matches()) {
      return false;
    }
    try {
      Long.parseLong(text);
      return true;
    } catch (NumberFormatException tooLarge) {
      return false;
    }
  }

  private static boolean isDecimal(String text) {
    // Not Double.parseDouble alone: it also takes "NaN", "0x1p3" and "1.5f".
    return (text.indexOf('.') >= 0 || text.indexOf('e') >= 0 || text.indexOf('E') >= 0)
        && DECIMAL.matcher(text).matches();
  }

  private static boolean isTimestamp(String text) {
    // A date-time starts yyyy-mm-dd and has a time; cheaper to rule out than to fail parsing.
    if (text.length() < 16 || text.charAt(4) != '-' || text.charAt(7) != '-') {
      return false;
    }
    try {
      EntityFiles.parseInstant(text);
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
