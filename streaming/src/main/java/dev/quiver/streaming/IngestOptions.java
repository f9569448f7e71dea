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
 */
public record IngestOptions(List<String> views, String group, int maxBatch, Duration retryBackoff) {

  public static final IngestOptions DEFAULTS =
      new IngestOptions(List.of(), null, 20_000, Duration.ofMillis(500));

  public IngestOptions {
    views = List.copyOf(views);
    if (maxBatch < 1) {
      throw new IllegalArgumentException("maxBatch must be at least 1");
    }
  }

  public IngestOptions withViews(List<String> names) {
    return new IngestOptions(names, group, maxBatch, retryBackoff);
  }

  public IngestOptions withGroup(String name) {
    return new IngestOptions(views, name, maxBatch, retryBackoff);
  }

  public IngestOptions withMaxBatch(int messages) {
    return new IngestOptions(views, group, messages, retryBackoff);
  }

  /** The consumer group of a project. */
  public String groupOf(String project) {
    return group != null ? group : "quiver." + project;
  }
}
