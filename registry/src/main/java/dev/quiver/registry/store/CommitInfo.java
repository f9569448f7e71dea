package dev.quiver.registry.store;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * Who commits a registry version and why.
 *
 * @param gitCommit the repo's Git commit, or null when the repo is not a Git checkout
 * @param changes one line per changed object, as plans print them
 * @param restoredVersion the version a rollback restores, or null for an apply
 */
public record CommitInfo(
    String user, String gitCommit, List<String> changes, Long restoredVersion) {

  public CommitInfo {
    Objects.requireNonNull(user, "user");
    changes = List.copyOf(changes);
  }

  /** Committing what {@code quiver apply} planned. */
  public CommitInfo(String user, String gitCommit, List<String> changes) {
    this(user, gitCommit, changes, null);
  }

  /**
   * The history entry of committing as version {@code actualVersion + 1}, timed to the millisecond
   * (so both stores print identical history), when the registry is still at the version the commit
   * was planned against.
   *
   * @throws RegistryConflictException when it is not
   */
  HistoryEntry entryAfter(long expectedVersion, long actualVersion, Clock clock, String registry) {
    if (actualVersion != expectedVersion) {
      throw new RegistryConflictException(registry, expectedVersion, actualVersion);
    }
    return new HistoryEntry(
        actualVersion + 1,
        clock.instant().truncatedTo(ChronoUnit.MILLIS),
        user,
        gitCommit,
        changes,
        restoredVersion);
  }
}
