package dev.quiver.offline.parquet;

import dev.quiver.offline.SourceDataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Resolves a source's {@code path} to its Parquet files: the file itself, a directory's {@code
 * *.parquet} files, or the files a glob matches. Names starting with {@code _} or {@code .}
 * (Spark's {@code _SUCCESS}, temporary files) are never data. The order is file-path order, which
 * is also the tie-break order of the point-in-time join.
 */
public final class SourceFiles {

  private SourceFiles() {}

  /**
   * @param repoRoot relative paths are taken from here
   * @return the files, sorted by path; empty when nothing matches yet
   * @throws SourceDataException when a folder to search cannot be listed
   */
  public static List<Path> resolve(Path repoRoot, String path) {
    if (isGlob(path)) {
      return glob(repoRoot, path);
    }
    Path resolved = repoRoot.resolve(path).normalize();
    if (Files.isDirectory(resolved)) {
      try (Stream<Path> files = Files.walk(resolved)) {
        return files
            .filter(Files::isRegularFile)
            .filter(f -> isData(resolved, f))
            .filter(f -> f.getFileName().toString().endsWith(".parquet"))
            .sorted()
            .toList();
      } catch (IOException | UncheckedIOException e) {
        throw cannotList(resolved, e);
      }
    }
    return Files.isRegularFile(resolved) ? List.of(resolved) : List.of();
  }

  /** Whether a source's {@code path} is a glob rather than a file or folder. */
  public static boolean isGlob(String path) {
    return path.contains("*") || path.contains("?") || path.contains("[") || path.contains("{");
  }

  private static List<Path> glob(Path repoRoot, String pattern) {
    Path absolute = repoRoot.resolve(pattern).normalize();
    // Walk from the deepest folder without glob characters.
    Path base = absolute.getRoot();
    for (Path part : absolute) {
      if (isGlob(part.toString())) {
        break;
      }
      base = base.resolve(part);
    }
    if (!Files.isDirectory(base)) {
      return List.of();
    }
    PathMatcher matcher =
        FileSystems.getDefault().getPathMatcher("glob:" + absolute.toString().replace("\\", "/"));
    Path walkRoot = base;
    List<Path> matches = new ArrayList<>();
    try (Stream<Path> files = Files.walk(walkRoot)) {
      files
          .filter(Files::isRegularFile)
          .filter(matcher::matches)
          .filter(f -> isData(walkRoot, f))
          .sorted()
          .forEach(matches::add);
    } catch (IOException | UncheckedIOException e) {
      throw cannotList(walkRoot, e);
    }
    return matches;
  }

  /** {@link Files#walk} reports a folder it cannot enter while walking as UncheckedIOException. */
  private static SourceDataException cannotList(Path folder, Exception e) {
    Throwable io = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e;
    return new SourceDataException(
        "Cannot list the source files in " + folder + ": " + io + " (check its permissions)", io);
  }

  /** Hidden and underscore-prefixed files and folders below {@code root} are not data. */
  private static boolean isData(Path root, Path file) {
    for (Path part : root.relativize(file)) {
      String name = part.toString();
      if (name.startsWith(".") || name.startsWith("_")) {
        return false;
      }
    }
    return true;
  }
}
