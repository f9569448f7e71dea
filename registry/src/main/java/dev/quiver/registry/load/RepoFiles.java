package dev.quiver.registry.load;

import dev.quiver.registry.model.SourceLocation;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Finds a repo's definition files: every {@code *.yaml} and {@code *.yml} below the root except
 * {@code feature_store.yaml}, files in hidden folders, in any {@code target/} or {@code data/}
 * folder, and paths matched by {@code .quiverignore}.
 *
 * <p>{@code .quiverignore} holds one glob a line ({@code #} starts a comment). A pattern without a
 * slash matches a file or folder name at any depth; one with a slash matches the path from the
 * root; a trailing slash limits it to folders.
 */
public final class RepoFiles {

  static final String IGNORE_FILE = ".quiverignore";
  private static final Set<String> SKIPPED_FOLDERS = Set.of("target", "data");

  private RepoFiles() {}

  /**
   * The definition files, as paths relative to the root with '/' separators, sorted. A bad {@code
   * .quiverignore} line or an unreadable folder is reported as a problem.
   */
  static List<String> definitionFiles(Path root, Problems problems) {
    List<IgnoreRule> rules = readIgnoreRules(root, problems);
    List<String> files = new ArrayList<>();
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (dir.equals(root)) {
                return FileVisitResult.CONTINUE;
              }
              String name = dir.getFileName().toString();
              String relative = relative(root, dir);
              if (name.startsWith(".")
                  || SKIPPED_FOLDERS.contains(name)
                  || ignored(rules, relative, name, true)) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              problems.add(
                  SourceLocation.ofFile(relative(root, file)), "cannot read: " + e.getMessage());
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              String name = file.getFileName().toString();
              String relative = relative(root, file);
              boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
              if (yaml
                  && !relative.equals(ProjectConfigParser.FILE_NAME)
                  && !name.startsWith(".")
                  && !ignored(rules, relative, name, false)) {
                files.add(relative);
              }
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      problems.add(
          SourceLocation.ofFile(root.toString()),
          "cannot list the definition files: " + e.getMessage());
    }
    files.sort(null);
    return files;
  }

  private static String relative(Path root, Path path) {
    return root.relativize(path).toString().replace('\\', '/');
  }

  private record IgnoreRule(PathMatcher matcher, boolean anchored, boolean foldersOnly) {}

  private static List<IgnoreRule> readIgnoreRules(Path root, Problems problems) {
    Path file = root.resolve(IGNORE_FILE);
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    List<IgnoreRule> rules = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      problems.add(SourceLocation.ofFile(IGNORE_FILE), "cannot read: " + e.getMessage());
      return rules;
    }
    for (int number = 1; number <= lines.size(); number++) {
      String pattern = lines.get(number - 1).strip();
      if (pattern.isEmpty() || pattern.startsWith("#")) {
        continue;
      }
      boolean foldersOnly = pattern.endsWith("/");
      if (foldersOnly) {
        pattern = pattern.substring(0, pattern.length() - 1);
      }
      if (pattern.startsWith("/")) {
        pattern = pattern.substring(1);
      }
      boolean anchored = pattern.contains("/");
      try {
        rules.add(
            new IgnoreRule(
                FileSystems.getDefault().getPathMatcher("glob:" + pattern), anchored, foldersOnly));
      } catch (IllegalArgumentException e) {
        problems.add(
            new SourceLocation(IGNORE_FILE, number),
            "invalid pattern '"
                + lines.get(number - 1).strip()
                + "': "
                + firstLine(e.getMessage()));
      }
    }
    return rules;
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  private static boolean ignored(
      List<IgnoreRule> rules, String relative, String name, boolean folder) {
    for (IgnoreRule rule : rules) {
      if (rule.foldersOnly() && !folder) {
        continue;
      }
      Path candidate = Path.of(rule.anchored() ? relative : name);
      if (rule.matcher().matches(candidate)) {
        return true;
      }
    }
    return false;
  }
}
