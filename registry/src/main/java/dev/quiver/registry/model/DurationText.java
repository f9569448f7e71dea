package dev.quiver.registry.model;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as definition files write them: one or more {@code <number><unit>} parts with units
 * {@code s, m, h, d} ({@code 90m}, {@code 1d12h}), or a bare {@code 0}.
 */
public final class DurationText {

  /** The syntax of a duration other than 0, as a regular expression. */
  public static final String SYNTAX = "(?:\\d+[smhd])+";

  private static final Pattern WHOLE = Pattern.compile(SYNTAX);
  private static final Pattern PART = Pattern.compile("(\\d+)([smhd])");

  private DurationText() {}

  /** The parsed duration, or empty when the text is not a valid duration. */
  public static Optional<Duration> parse(String text) {
    String t = text.strip();
    if (t.equals("0")) {
      return Optional.of(Duration.ZERO);
    }
    if (!WHOLE.matcher(t).matches()) {
      return Optional.empty();
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(t);
    try {
      while (part.find()) {
        long amount = Long.parseLong(part.group(1));
        total =
            total.plus(
                switch (part.group(2)) {
                  case "s" -> Duration.ofSeconds(amount);
                  case "m" -> Duration.ofMinutes(amount);
                  case "h" -> Duration.ofHours(amount);
                  default -> Duration.ofDays(amount);
                });
      }
    } catch (ArithmeticException | NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.of(total);
  }

  /** The canonical text of a duration: largest units first, zero parts left out. */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0";
    }
    long seconds = duration.getSeconds();
    StringBuilder text = new StringBuilder();
    long days = seconds / 86_400;
    long hours = seconds % 86_400 / 3_600;
    long minutes = seconds % 3_600 / 60;
    long rest = seconds % 60;
    appendPart(text, days, 'd');
    appendPart(text, hours, 'h');
    appendPart(text, minutes, 'm');
    appendPart(text, rest, 's');
    return text.toString();
  }

  private static void appendPart(StringBuilder text, long amount, char unit) {
    if (amount > 0) {
      text.append(amount).append(unit);
    }
  }
}
