package dev.quiver.sdk;

import java.time.Instant;
import java.util.List;

/**
 * Online feature values in Feast's shape: the names (join keys first, then features) and, aligned
 * with them, one column per name across all entity rows.
 */
public record OnlineResponse(List<String> featureNames, List<Column> results) {

  /** The epoch, the event time Feast reports for join keys and rows not found. */
  public static final Instant NO_TIME = Instant.EPOCH;

  /** One name's values, statuses and event times, one entry per entity row. */
  public record Column(
      List<Object> values, List<FeatureStatus> statuses, List<Instant> eventTimestamps) {}

  public OnlineResponse {
    featureNames = List.copyOf(featureNames);
    results = List.copyOf(results);
  }

  /** The column of a name. */
  public Column column(String name) {
    int index = featureNames.indexOf(name);
    if (index < 0) {
      throw new IllegalArgumentException("no column '" + name + "' in " + featureNames);
    }
    return results.get(index);
  }
}
