package dev.quiver.registry.model;

import java.util.Objects;

/**
 * Where a definition node was read: a file relative to the repo root (or another origin such as the
 * registry) and a 1-based line.
 */
public record SourceLocation(String file, int line) {

  public SourceLocation {
    Objects.requireNonNull(file, "file");
  }

  /** A location for a whole file, before any line is known. */
  public static SourceLocation ofFile(String file) {
    return new SourceLocation(file, 0);
  }

  @Override
  public String toString() {
    return line > 0 ? file + ":" + line : file;
  }
}
