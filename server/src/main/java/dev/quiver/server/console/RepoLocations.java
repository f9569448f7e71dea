package dev.quiver.server.console;

import dev.quiver.QuiverException;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.SourceLocation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Where each registered object is written in the repo the server serves ({@code file:line}), and
 * whether the repo still says what the registry holds: the registry keeps definitions, not their
 * files, so the repo on disk is read again, at most every {@link #MAX_AGE}, when a page asks.
 */
final class RepoLocations {

  private static final Duration MAX_AGE = Duration.ofSeconds(5);

  /** One object's place in the repo. */
  record Location(String fileLine, boolean sameAsRegistry) {}

  private record Loaded(long nanos, FeatureRepo repo, String problem) {}

  private final Path root;
  private volatile Loaded loaded;

  RepoLocations(Path root) {
    this.root = root;
  }

  /**
   * Where the object is written, or empty when the repo does not declare it (any more); {@code
   * problem} is set when the repo does not load.
   */
  Optional<Location> of(Definitions registered, ObjectKind kind, String name) {
    Loaded now = current();
    if (now.repo() == null) {
      return Optional.empty();
    }
    Optional<Written> written = written(now.repo().definitions(), kind, name);
    if (written.isEmpty()) {
      return Optional.empty();
    }
    boolean same =
        written(registered, kind, name)
            .map(r -> r.canonical().equals(written.get().canonical()))
            .orElse(false);
    SourceLocation location = written.get().location();
    return Optional.of(new Location(location == null ? "" : location.toString(), same));
  }

  /** Reads the repo now, so that the first page that asks finds it read. */
  void warmUp() {
    current();
  }

  /** Why the repo does not load now, or null when it does. */
  String problem() {
    return current().problem();
  }

  /** An object as written: where, and its canonical form (what a registry version compares). */
  private record Written(SourceLocation location, Map<String, Object> canonical) {}

  private static Optional<Written> written(Definitions d, ObjectKind kind, String name) {
    return switch (kind) {
      case ENTITY -> d.entity(name).map(e -> new Written(e.location(), CanonicalForm.of(e)));
      case SOURCE ->
          d.source(name)
              .map(s -> new Written(s.location(), CanonicalForm.of(s)))
              .or(
                  () ->
                      d.streamSource(name)
                          .map(s -> new Written(s.location(), CanonicalForm.of(s))));
      case FEATURE_VIEW ->
          d.featureView(name).map(v -> new Written(v.location(), CanonicalForm.of(v)));
      case ON_DEMAND_FEATURE_VIEW ->
          d.onDemandFeatureView(name).map(v -> new Written(v.location(), CanonicalForm.of(v)));
      case FEATURE_SERVICE ->
          d.featureService(name).map(s -> new Written(s.location(), CanonicalForm.of(s)));
    };
  }

  private Loaded current() {
    Loaded known = loaded;
    long now = System.nanoTime();
    if (known != null && now - known.nanos() < MAX_AGE.toNanos()) {
      return known;
    }
    Loaded fresh;
    try {
      fresh = new Loaded(now, FeatureRepo.load(root), null);
    } catch (QuiverException e) {
      fresh = new Loaded(now, null, e.getMessage());
    }
    loaded = fresh;
    return fresh;
  }
}
