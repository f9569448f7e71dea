package dev.quiver.registry;

import dev.quiver.registry.diff.ChangeType;
import dev.quiver.registry.diff.ObjectChange;
import dev.quiver.registry.diff.RegistryDiff;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.store.CommitInfo;
import dev.quiver.registry.store.HistoryEntry;
import dev.quiver.registry.store.RegistrySnapshot;
import dev.quiver.registry.store.RegistryStore;
import java.util.ArrayList;
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

  /** The feature views the plan deletes. */
  public List<String> deletedViews() {
    return pending().stream()
        .filter(c -> c.type() == ChangeType.DELETE && c.kind() == ObjectKind.FEATURE_VIEW)
        .map(ObjectChange::name)
        .toList();
  }

  /**
   * The feature views the plan keeps but whose online tiles it makes void: a view that becomes or
   * stops being an aggregation view, whose aggregations, hop or entities change, or whose events
   * come from elsewhere (another source, or its source's path, timestamp field or mapping changes).
   * Old tiles would merge with new ones into wrong values, so they must be computed again.
   */
  public List<String> retiledViews() {
    List<String> views = new java.util.ArrayList<>();
    for (ObjectChange change : pending()) {
      if (change.type() != ChangeType.UPDATE || change.kind() != ObjectKind.FEATURE_VIEW) {
        continue;
      }
      FeatureView before = base.definitions().featureView(change.name()).orElseThrow();
      FeatureView after = desired.featureView(change.name()).orElseThrow();
      if ((before.isAggregation() || after.isAggregation())
          && (before.isAggregation() != after.isAggregation()
              || !before.aggregateFeatures().equals(after.aggregateFeatures())
              || !before.entities().equals(after.entities())
              || !sameEvents(before, after))) {
        views.add(change.name());
      }
    }
    // A view whose source changes where its events come from, while the view stays the same.
    for (ObjectChange change : pending()) {
      if (change.type() != ChangeType.UPDATE || change.kind() != ObjectKind.SOURCE) {
        continue;
      }
      for (FeatureView view : desired.featureViews()) {
        if (view.isAggregation()
            && readsSource(desired, view, change.name())
            && !views.contains(view.name())
            && base.definitions().featureView(view.name()).isPresent()) {
          FeatureView before = base.definitions().featureView(view.name()).get();
          if (before.isAggregation() && !sameEvents(before, view)) {
            views.add(view.name());
          }
        }
      }
    }
    return views;
  }

  /**
   * Whether two versions of a view read the same events: the same source, with the same path, event
   * timestamp and column mapping. Tiles computed from other events must not be merged.
   */
  private boolean sameEvents(FeatureView before, FeatureView after) {
    if (!before.source().equals(after.source())) {
      return false;
    }
    List<Object> was = events(base.definitions(), before);
    return !was.isEmpty() && was.equals(events(desired, after));
  }

  /** Whether a view's source is {@code source}, or has it as its batch source. */
  private static boolean readsSource(Definitions definitions, FeatureView view, String source) {
    return view.source().equals(source)
        || definitions.streamSourceOf(view).filter(s -> s.batchSource().equals(source)).isPresent();
  }

  /**
   * What decides a view's events: its source's path, event timestamp and column mapping; for a view
   * on a stream, its topic, event timestamp and mapping alone (its tiles hold the stream's events,
   * which a new folder or log setting of its batch source does not change, and ingestion would not
   * read them again); empty when the source is unknown.
   */
  private static List<Object> events(Definitions definitions, FeatureView view) {
    var stream = definitions.streamSourceOf(view);
    if (stream.isPresent()) {
      return List.of(
          "kafka",
          stream.get().topic(),
          stream.get().timestampField(),
          stream.get().fieldMapping());
    }
    List<Object> parts = new ArrayList<>();
    definitions
        .source(view.source())
        .ifPresent(s -> parts.addAll(List.of(s.path(), s.timestampField(), s.fieldMapping())));
    return parts;
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
