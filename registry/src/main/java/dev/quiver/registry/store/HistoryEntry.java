package dev.quiver.registry.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One committed registry version: when, by whom, from which Git commit, and what changed.
 *
 * @param restoredVersion the version a rollback restored, or null for an apply
 */
public record HistoryEntry(
    long version,
    Instant committedAt,
    String user,
    String gitCommit,
    List<String> changes,
    Long restoredVersion) {

  public HistoryEntry {
    Objects.requireNonNull(committedAt, "committedAt");
    Objects.requireNonNull(user, "user");
    changes = List.copyOf(changes);
  }

  /** The entry of a version committed by {@code quiver apply}. */
  public HistoryEntry(
      long version, Instant committedAt, String user, String gitCommit, List<String> changes) {
    this(version, committedAt, user, gitCommit, changes, null);
  }
}
