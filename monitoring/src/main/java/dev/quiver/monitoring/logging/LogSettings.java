package dev.quiver.monitoring.logging;

import java.time.Duration;
import java.util.Objects;

/**
 * How feature logs are written.
 *
 * @param queueCapacity the answered requests that may wait for the log's thread; a request that
 *     finds the queue full is not logged, and its rows are counted as dropped
 * @param queueRows the served rows that may wait for the log's thread, all requests together (a
 *     request may hold thousands of rows, so the request capacity alone does not bound the memory);
 *     a request that would go over it is not logged, and its rows are counted as dropped
 * @param rollBytes a file is finished once its rows take this many bytes in memory (Arrow buffers,
 *     before Parquet's encoding and compression, which make the file smaller)
 * @param rollInterval a file is finished once it is this old, so a quiet service's rows still reach
 *     a file
 * @param seed the seed of the sampling of rows (each row is drawn on its own with the service's
 *     sample rate)
 */
public record LogSettings(
    int queueCapacity, long queueRows, long rollBytes, Duration rollInterval, long seed) {

  public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
  public static final long DEFAULT_QUEUE_ROWS = 1_000_000;
  public static final long DEFAULT_ROLL_BYTES = 64L << 20;
  public static final Duration DEFAULT_ROLL_INTERVAL = Duration.ofMinutes(5);

  public LogSettings {
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queue capacity must be at least 1, got " + queueCapacity);
    }
    if (queueRows < 1) {
      throw new IllegalArgumentException("queue rows must be at least 1, got " + queueRows);
    }
    if (rollBytes < 1) {
      throw new IllegalArgumentException("roll bytes must be at least 1, got " + rollBytes);
    }
    Objects.requireNonNull(rollInterval, "rollInterval");
    if (rollInterval.isNegative() || rollInterval.isZero()) {
      throw new IllegalArgumentException("roll interval must be over 0, got " + rollInterval);
    }
  }

  /** The defaults, with a seed drawn for this process. */
  public static LogSettings defaults() {
    return new LogSettings(
        DEFAULT_QUEUE_CAPACITY,
        DEFAULT_QUEUE_ROWS,
        DEFAULT_ROLL_BYTES,
        DEFAULT_ROLL_INTERVAL,
        new java.security.SecureRandom().nextLong());
  }

  public LogSettings withQueueCapacity(int capacity) {
    return new LogSettings(capacity, queueRows, rollBytes, rollInterval, seed);
  }

  public LogSettings withQueueRows(long rows) {
    return new LogSettings(queueCapacity, rows, rollBytes, rollInterval, seed);
  }

  public LogSettings withRollBytes(long bytes) {
    return new LogSettings(queueCapacity, queueRows, bytes, rollInterval, seed);
  }

  public LogSettings withRollInterval(Duration interval) {
    return new LogSettings(queueCapacity, queueRows, rollBytes, interval, seed);
  }

  public LogSettings withSeed(long value) {
    return new LogSettings(queueCapacity, queueRows, rollBytes, rollInterval, value);
  }
}
