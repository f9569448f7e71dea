package dev.quiver;

import java.time.Instant;

/**
 * Instants as Quiver stores and compares them: nanoseconds since the epoch, UTC, in a long (the
 * years 1677 to 2262).
 */
public final class EpochNanos {

  private static final long PER_SECOND = 1_000_000_000L;

  private EpochNanos() {}

  /**
   * @throws ArithmeticException when the instant lies outside what a long of nanoseconds holds
   */
  public static long of(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), PER_SECOND), instant.getNano());
  }

  public static Instant toInstant(long nanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, PER_SECOND), Math.floorMod(nanos, PER_SECOND));
  }
}
