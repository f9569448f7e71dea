package dev.quiver.registry;

import dev.quiver.registry.diff.ChangeType;
import dev.quiver.registry.diff.ObjectChange;
import dev.quiver.registry.diff.RegistryDiff;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.store.CommitInfo;
import dev.quiver.registry.store.HistoryEntry;
import dev.quiver.registry.store.RegistrySnapshot;
import dev.quiver.registry.store.RegistryStore;
import java.util.List;

/**
 * What applying a repo would change, planned against one registry version. Applying commits the
 * repo's definitions as they are: objects the repo no longer declares are deleted, as {@code feast
 * apply} does.
 *
 * @param base the registry version the plan was made against
 * @param changes every object of either side, unchanged ones included
 */
public record RegistryPlan(RegistrySnapshot base, Definitions desired, List<ObjectChange> changes) {

  public RegistryPlan {
    changes = List.copyOf(changes);
  }

  public static RegistryPlan of(RegistrySnapshot base, Definitions desired) {
    return new RegistryPlan(base, desired, RegistryDiff.between(base.definitions(), desired));
  }

  /** The creates, updates and deletes, without unchanged objects. */
  public List<ObjectChange> pending() {
    return changes.stream().filter(c -> c.type() != ChangeType.UNCHANGED).toList();
  }

  public boolean hasChanges() {
    return !pending().isEmpty();
  }

  public long count(ChangeType type) {
    return changes.stream().filter(c -> c.type() == type).count();
  }

  /**
   * Commits the desired definitions as the next version, if the registry is still at the plan's
   * base version.
   *
   * @param gitCommit the repo's commit, or null outside Git
   * @throws IllegalStateException when there is nothing to change
   * @throws dev.quiver.registry.store.RegistryConflictException when someone committed in between
   */
  public HistoryEntry apply(RegistryStore store, String user, String gitCommit) {
    return commit(store, new CommitInfo(user, gitCommit, summary()));
  }

  /**
   * Commits the desired definitions, which are those of the earlier version {@code restored}, as
   * the next version, whose history entry names {@code restored}; with the same check as {@link
   * #apply}.
   *
   * @param gitCommit the Git commit the restored version was applied from, or null
   */
  public HistoryEntry restore(RegistryStore store, String user, String gitCommit, long restored) {
    return commit(store, new CommitInfo(user, gitCommit, summary(), restored));
  }

  private List<String> summary() {
    return pending().stream().map(ObjectChange::summary).toList();
  }

  private HistoryEntry commit(RegistryStore store, CommitInfo info) {
    if (!hasChanges()) {
      throw new IllegalStateException("Cannot apply a plan without changes");
    }
    return store.commit(base.version(), desired, info);
  }
}
