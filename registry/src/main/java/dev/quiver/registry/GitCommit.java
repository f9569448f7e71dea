package dev.quiver.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The Git commit a repo is checked out at, for the registry's history. */
public final class GitCommit {

  private GitCommit() {}

  /**
   * A commit as people read it: the first 12 hex digits, {@code -dirty} kept; {@code -} for none.
   */
  public static String shortForm(String commit) {
    if (commit == null) {
      return "-";
    }
    boolean dirty = commit.endsWith("-dirty");
    String hash = dirty ? commit.substring(0, commit.length() - 6) : commit;
    return hash.substring(0, Math.min(12, hash.length())) + (dirty ? "-dirty" : "");
  }

  /**
   * The {@code HEAD} commit of the checkout holding {@code repo}, with {@code -dirty} appended when
   * tracked files under {@code repo} differ from it (untracked files, such as the registry file or
   * generated data, do not count); empty outside a Git checkout or without Git.
   */
  public static Optional<String> of(Path repo) {
    Optional<String> head = run(repo, List.of("git", "rev-parse", "--verify", "-q", "HEAD"));
    if (head.isEmpty() || head.get().isEmpty()) {
      return Optional.empty();
    }
    Optional<String> status =
        run(repo, List.of("git", "status", "--porcelain", "--untracked-files=no", "--", "."));
    boolean dirty = status.isPresent() && !status.get().isEmpty();
    return Optional.of(dirty ? head.get() + "-dirty" : head.get());
  }

  private static Optional<String> run(Path dir, List<String> command) {
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.empty();
      }
      if (process.exitValue() != 0) {
        return Optional.empty();
      }
      return Optional.of(new String(output, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}
