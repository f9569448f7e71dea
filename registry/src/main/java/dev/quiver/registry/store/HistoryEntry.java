package dev.quiver.registry.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * What the version did, a line each as {@code quiver registry history} and the console list it:
   * {@code rollback to version N} first for a rollback, then {@link #changes}.
   */
  public List<String> describedChanges() {
    if (restoredVersion == null) {
      return changes;
    }
    List<String> lines = new ArrayList<>();
    lines.add("rollback to version " + restoredVersion);
    lines.addAll(changes);
    return lines;
  }

  /**
   * {@code {"version", "committed_at", "user", "git_commit", "changes", "restored_version"}}, the
   * instant in ISO-8601, nulls kept.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("version", version);
    map.put("committed_at", committedAt.toString());
    map.put("user", user);
    map.put("git_commit", gitCommit);
    map.put("changes", changes);
    map.put("restored_version", restoredVersion);
    return map;
  }

  /**
   * An entry from {@link #toMap}'s shape ({@code git_commit} and {@code restored_version} may be
   * null or absent).
   *
   * @throws RuntimeException (a {@link ClassCastException}, {@link NullPointerException} or {@link
   *     java.time.format.DateTimeParseException}) when a key is missing or of another type
   */
  public static HistoryEntry fromMap(Map<?, ?> map) {
    List<String> changes = new ArrayList<>();
    for (Object change : (List<?>) map.get("changes")) {
      changes.add(String.valueOf(change));
    }
    Object commit = map.get("git_commit");
    Object restored = map.get("restored_version");
    return new HistoryEntry(
        ((Number) map.get("version")).longValue(),
        Instant.parse((String) map.get("committed_at")),
        (String) map.get("user"),
        commit == null ? null : commit.toString(),
        changes,
        restored == null ? null : ((Number) restored).longValue());
  }
}
