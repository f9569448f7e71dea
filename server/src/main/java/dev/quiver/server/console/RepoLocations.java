package dev.quiver.server.console;

import dev.quiver.QuiverException;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ObjectKind;
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
    Definitions repo = now.repo().definitions();
    Map<String, Object> written = CanonicalForm.objects(repo, kind).get(name);
    if (written == null) {
      return Optional.empty();
    }
    boolean same = written.equals(CanonicalForm.objects(registered, kind).get(name));
    return Optional.of(new Location(locationOf(repo, kind, name), same));
  }

  /** Reads the repo now, so that the first page that asks finds it read. */
  void warmUp() {
    current();
  }

  /** Why the repo does not load now, or null when it does. */
  String problem() {
    return current().problem();
  }

  private static String locationOf(Definitions repo, ObjectKind kind, String name) {
    Object location =
        switch (kind) {
          case ENTITY -> repo.entity(name).map(e -> e.location()).orElse(null);
          case SOURCE ->
              repo.source(name)
                  .map(s -> (Object) s.location())
                  .or(() -> repo.streamSource(name).map(s -> s.location()))
                  .orElse(null);
          case FEATURE_VIEW -> repo.featureView(name).map(v -> v.location()).orElse(null);
          case ON_DEMAND_FEATURE_VIEW ->
              repo.onDemandFeatureView(name).map(v -> v.location()).orElse(null);
          case FEATURE_SERVICE -> repo.featureService(name).map(s -> s.location()).orElse(null);
        };
    return location == null ? "" : location.toString();
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
