package dev.quiver.registry.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** One committed registry version: when, by whom, from which Git commit, and what changed. */
public record HistoryEntry(
    long version, Instant committedAt, String user, String gitCommit, List<String> changes) {

  public HistoryEntry {
    Objects.requireNonNull(committedAt, "committedAt");
    Objects.requireNonNull(user, "user");
    changes = List.copyOf(changes);
  }
}
