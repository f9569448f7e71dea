package dev.quiver.offline.io;

import dev.quiver.OutputException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file written under a hidden temporary name beside its target, moved into place only by {@link
 * #commit}: readers never see a half-written output, and a failure leaves the old file.
 */
public final class PendingFile implements AutoCloseable {

  private final Path target;
  private final Path temp;
  private boolean committed;

  private PendingFile(Path target, Path temp) {
    this.target = target;
    this.temp = temp;
  }

  /**
   * A new temporary file beside {@code target}, creating its folder if needed.
   *
   * @throws OutputException when the folder or the file cannot be created
   */
  public static PendingFile beside(Path target) {
    Path absolute = target.toAbsolutePath();
    try {
      Files.createDirectories(absolute.getParent());
      Path temp =
          Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + ".", ".tmp");
      // Temporary files are owner-only; outputs are shared like any other file.
      if (temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
      }
      return new PendingFile(absolute, temp);
    } catch (IOException e) {
      throw new OutputException(
          "Cannot write "
              + absolute
              + ": a temporary file cannot be created beside it ("
              + e
              + "); is its folder writable?",
          e);
    }
  }

  /** Where to write. */
  public Path temp() {
    return temp;
  }

  public Path target() {
    return target;
  }

  /**
   * Moves the written file into place, replacing any file there.
   *
   * @throws OutputException when the file cannot be moved
   */
  public void commit() {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      committed = true;
      // Makes the rename itself durable; some platforms cannot open folders, which is harmless.
      try (FileChannel folder = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
        folder.force(true);
      } catch (IOException e) {
        // The rename is still atomic there.
      }
    } catch (IOException e) {
      throw new OutputException(
          "Cannot write " + target + ": the finished file cannot be moved into place (" + e + ")",
          e);
    }
  }

  /** Removes the temporary file unless it was committed. */
  @Override
  public void close() {
    if (!committed) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException e) {
        // Leaves a hidden temporary file; nothing was replaced.
      }
    }
  }
}
