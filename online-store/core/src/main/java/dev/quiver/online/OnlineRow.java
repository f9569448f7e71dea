package dev.quiver.online;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The latest values of one view for one entity key, as materialized: its event time and created
 * time (nanoseconds; {@link #NO_CREATED} when absent) and the feature values by name.
 *
 * @param values feature name to value (null for a null value): Boolean, Integer, Long, Float,
 *     Double, String, byte[], Instant, or a List of those
 */
public record OnlineRow(long eventTs, long createdTs, Map<String, Object> values) {

  /**
   * How far after it was received (pushed) or produced (streamed) an event may be dated: a clock
   * that runs ahead cannot pin a value. Later events are refused (a push) or dead letters (a
   * stream).
   */
  public static final Duration MAX_FUTURE = Duration.ofMinutes(5);

  /** A row without a created timestamp; it loses every tie. */
  public static final long NO_CREATED = Long.MIN_VALUE;

  public OnlineRow {
    Objects.requireNonNull(values, "values");
  }

  /** Whether this row replaces {@code other} by the newer-wins rule: later (event, created). */
  public boolean isNewerThan(long otherEventTs, long otherCreatedTs) {
    return eventTs > otherEventTs || eventTs == otherEventTs && createdTs > otherCreatedTs;
  }
}
