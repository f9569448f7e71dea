package dev.quiver.registry.store;

import java.util.List;
import java.util.Objects;

/**
 * Who commits a registry version and why.
 *
 * @param gitCommit the repo's Git commit, or null when the repo is not a Git checkout
 * @param changes one line per changed object, as plans print them
 */
public record CommitInfo(String user, String gitCommit, List<String> changes) {

  public CommitInfo {
    Objects.requireNonNull(user, "user");
    changes = List.copyOf(changes);
  }
}
