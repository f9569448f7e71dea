package dev.quiver.streaming;

import java.time.Duration;
import java.util.List;

/**
 * How {@code quiver ingest} runs.
 *
 * @param views the views to keep fresh; empty for every view on a stream source
 * @param group the consumer group; null for {@code quiver.<project>}
 * @param maxBatch the most messages one poll takes (Kafka's {@code max.poll.records})
 * @param retryBackoff the first wait after a failure to reach the broker or the store; it doubles
 *     up to a minute
 * @param logRollRows the messages a partition's window gathers before its log file is written and
 *     its offsets committed; also the most log rows all windows together hold in memory
 * @param logRollInterval for a stream logged offline, the longest a partition's log file gathers
 *     events before it is written and the offsets committed (under the transaction timeout)
 * @param commitInterval for a stream not logged offline, the longest a partition's batches wait for
 *     their offsets and dead letters to be committed (online, each batch is written at once)
 */
public record IngestOptions(
    List<String> views,
    String group,
    int maxBatch,
    Duration retryBackoff,
    int logRollRows,
    Duration logRollInterval,
    Duration commitInterval) {

  public static final IngestOptions DEFAULTS =
      new IngestOptions(
          List.of(),
          null,
          20_000,
          Duration.ofMillis(500),
          200_000,
          Duration.ofSeconds(30),
          Duration.ofSeconds(1));

  public IngestOptions {
    views = List.copyOf(views);
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1");
    }
    if (logRollRows < 1) {
      throw new IllegalArgumentException("logRollRows must be at least 1");
    }
    // A window is one Kafka transaction, which brokers let last 15 minutes at most by default.
    for (Duration interval : List.of(logRollInterval, commitInterval)) {
      if (interval.isNegative() || interval.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException(
            "a window's interval must be between 0 and 10 minutes, not " + interval);
      }
    }
  }

  public IngestOptions withViews(List<String> names) {
    return new IngestOptions(
        names, group, maxBatch, retryBackoff, logRollRows, logRollInterval, commitInterval);
  }

  public IngestOptions withGroup(String name) {
    return new IngestOptions(
        views, name, maxBatch, retryBackoff, logRollRows, logRollInterval, commitInterval);
  }

  public IngestOptions withMaxBatch(int messages) {
    return new IngestOptions(
        views, group, messages, retryBackoff, logRollRows, logRollInterval, commitInterval);
  }

  /** The first wait after a failure; it doubles up to a minute. */
  public IngestOptions withRetryBackoff(Duration wait) {
    return new IngestOptions(
        views, group, maxBatch, wait, logRollRows, logRollInterval, commitInterval);
  }

  /** Log files of at most {@code rows} events, written at least every {@code interval}. */
  public IngestOptions withLogRoll(int rows, Duration interval) {
    return new IngestOptions(views, group, maxBatch, retryBackoff, rows, interval, commitInterval);
  }

  /** Offsets of streams not logged offline committed at least every {@code interval}. */
  public IngestOptions withCommitInterval(Duration interval) {
    return new IngestOptions(
        views, group, maxBatch, retryBackoff, logRollRows, logRollInterval, interval);
  }

  /** The consumer group of a project. */
  public String groupOf(String project) {
    return group != null ? group : "quiver." + project;
  }
}
