package dev.quiver.offline.parquet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;

/**
 * Timestamps as Quiver compares them: nanoseconds since the epoch, UTC, in a long (years 1677 to
 * 2262). Values stored without a time zone are taken as UTC.
 */
public final class Timestamps {

  private static final long JULIAN_DAY_OF_EPOCH = 2_440_588;
  private static final long NANOS_PER_DAY = 86_400_000_000_000L;

  private Timestamps() {}

  /** How many nanoseconds one stored unit is. */
  public static long nanosPerUnit(LogicalTypeAnnotation.TimeUnit unit) {
    return switch (unit) {
      case MILLIS -> 1_000_000L;
      case MICROS -> 1_000L;
      case NANOS -> 1L;
    };
  }

  /**
   * Converts a stored value to nanoseconds.
   *
   * @throws ArithmeticException when the instant lies outside what nanoseconds in a long can hold
   */
  public static long toNanos(long value, long nanosPerUnit) {
    return Math.multiplyExact(value, nanosPerUnit);
  }

  /** Decodes a legacy INT96 timestamp: nanoseconds of the day, then the Julian day. */
  public static long int96ToNanos(Binary value) {
    ByteBuffer bytes = value.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    long nanosOfDay = bytes.getLong();
    long julianDay = bytes.getInt() & 0xFFFF_FFFFL;
    return Math.addExact(
        Math.multiplyExact(julianDay - JULIAN_DAY_OF_EPOCH, NANOS_PER_DAY), nanosOfDay);
  }

  /** Encodes nanoseconds as a legacy INT96 timestamp (for tests and fixtures). */
  public static Binary nanosToInt96(long nanos) {
    long day = Math.floorDiv(nanos, NANOS_PER_DAY);
    long nanosOfDay = Math.floorMod(nanos, NANOS_PER_DAY);
    ByteBuffer bytes = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
    bytes.putLong(nanosOfDay).putInt((int) (day + JULIAN_DAY_OF_EPOCH));
    return Binary.fromConstantByteArray(bytes.array());
  }
}
