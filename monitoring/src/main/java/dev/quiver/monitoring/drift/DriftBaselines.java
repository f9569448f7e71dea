package dev.quiver.monitoring.drift;

import dev.quiver.offline.manifest.DatasetManifest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the training set that serving data is compared with: a manifest named directly, the
 * manifest of a training set named directly, or the newest manifest with statistics under a folder
 * of training sets.
 */
public final class DriftBaselines {

  /** How deep a folder of training sets is searched for manifests. */
  private static final int DEPTH = 3;

  private DriftBaselines() {}

  /** The manifest of {@code path}: itself when it is one, else the training set's beside it. */
  public static Path manifestOf(Path path) {
    return path.getFileName().toString().endsWith(DatasetManifest.SUFFIX)
        ? path
        : DatasetManifest.pathFor(path);
  }

  /**
   * The baseline {@code path} names now: for a folder, the manifest with statistics created last
   * (so a training set built later becomes the baseline), else {@link #manifestOf}.
   *
   * @return empty when a folder holds no manifest with statistics yet
   */
  public static Optional<Path> newest(Path path) {
    if (!Files.isDirectory(path)) {
      return Optional.of(manifestOf(path));
    }
    try (Stream<Path> files = Files.walk(path, DEPTH)) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(DatasetManifest.SUFFIX))
          .filter(Files::isRegularFile)
          .flatMap(f -> readable(f).stream())
          .filter(m -> !m.manifest().statistics().isEmpty())
          .max(
              Comparator.comparing((Found m) -> m.manifest().createdAt())
                  .thenComparing(m -> m.file().toString()))
          .map(Found::file);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the training sets in " + path, e);
    }
  }

  private record Found(Path file, DatasetManifest manifest) {}

  /** A manifest that reads; one being written or damaged is passed over. */
  private static Optional<Found> readable(Path file) {
    try {
      return Optional.of(new Found(file, DatasetManifest.read(file)));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
