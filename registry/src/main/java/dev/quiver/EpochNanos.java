package dev.quiver;

import java.time.Instant;

/**
 * Instants as Quiver stores and compares them: nanoseconds since the epoch, UTC, in a long (the
 * years 1677 to 2262).
 */
public final class EpochNanos {

  private static final long PER_SECOND = 1_000_000_000L;
  private static final Instant MIN = toInstant(Long.MIN_VALUE);
  private static final Instant MAX = toInstant(Long.MAX_VALUE);

  private EpochNanos() {}

  /**
   * @throws ArithmeticException when the instant lies outside what a long of nanoseconds holds
   */
  public static long of(Instant instant) {
    long seconds = instant.getEpochSecond();
    int nano = instant.getNano();
    if (seconds < 0 && nano > 0) {
      // The earliest instants: the whole seconds alone would pass Long.MIN_VALUE.
      return Math.addExact(Math.multiplyExact(seconds + 1, PER_SECOND), nano - PER_SECOND);
    }
    return Math.addExact(Math.multiplyExact(seconds, PER_SECOND), nano);
  }

  /** Whether {@link #of} can hold the instant. */
  public static boolean holds(Instant instant) {
    return !instant.isBefore(MIN) && !instant.isAfter(MAX);
  }

  public static Instant toInstant(long nanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, PER_SECOND), Math.floorMod(nanos, PER_SECOND));
  }
}
