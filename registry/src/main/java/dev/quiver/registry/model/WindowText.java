package dev.quiver.registry.model;

import java.time.Duration;

/** Window names in feature names, and the default hop of a window. */
public final class WindowText {

  private static final Duration TWELVE_HOURS = Duration.ofHours(12);
  private static final Duration TEN_DAYS = Duration.ofDays(10);

  private WindowText() {}

  /** The window in the largest unit that states it exactly: 24h is 1d, 90m stays 90m. */
  public static String name(Duration window) {
    long seconds = window.getSeconds();
    if (seconds % 86_400 == 0) {
      return seconds / 86_400 + "d";
    }
    if (seconds % 3_600 == 0) {
      return seconds / 3_600 + "h";
    }
    if (seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }

  /** The hop a window slides by when its view sets none, as in Chronon. */
  public static Duration defaultHop(Duration window) {
    if (window.compareTo(TWELVE_HOURS) < 0) {
      return Duration.ofMinutes(5);
    }
    if (window.compareTo(TEN_DAYS) < 0) {
      return Duration.ofHours(1);
    }
    return Duration.ofDays(1);
  }

  /**
   * The greatest multiple of {@code hop} since the Unix epoch that is {@code <= nanos}: where a
   * window that ends at {@code nanos + window} starts; {@link Long#MIN_VALUE} when that multiple
   * lies before the earliest representable instant.
   */
  public static long floor(long nanos, long hop) {
    long quotient = Math.floorDiv(nanos, hop);
    // Within one hop of the earliest instant the multiple is not representable: saturate.
    return quotient < Long.MIN_VALUE / hop ? Long.MIN_VALUE : quotient * hop;
  }

  /**
   * Where the window of a row at {@code t} starts, {@code floor(t - window, hop)}; {@link
   * Long#MIN_VALUE} (every earlier event) when that lies before the earliest representable instant.
   */
  public static long windowStart(long t, long window, long hop) {
    long from = t - window;
    if (((t ^ window) & (t ^ from)) < 0) {
      return Long.MIN_VALUE;
    }
    return floor(from, hop);
  }
}
