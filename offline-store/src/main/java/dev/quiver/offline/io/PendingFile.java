package dev.quiver.offline.io;

import dev.quiver.OutputException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
      forceFolder();
    } catch (IOException e) {
      throw cannotMove(e);
    }
  }

  /**
   * Moves the written file into place unless a file is already there, in which case the temporary
   * file is left for {@link #close} to remove. A hard link is the move: unlike a rename, which
   * replaces a target on POSIX systems whatever the options say, creating a link fails when the
   * name exists, so two writers of one name cannot both succeed.
   *
   * @return whether the file was moved into place
   * @throws OutputException when the file cannot be moved
   */
  public boolean commitIfAbsent() {
    try {
      try {
        Files.createLink(target, temp);
      } catch (FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException | FileSystemException e) {
        // No hard links here (some network and FAT file systems): check, then rename.
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          return false;
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        committed = true;
        forceFolder();
        return true;
      }
      committed = true;
      forceFolder();
      try {
        Files.delete(temp);
      } catch (IOException e) {
        // The file is in place; a hidden second name of it is left, which readers skip.
      }
      return true;
    } catch (IOException e) {
      throw cannotMove(e);
    }
  }

  private OutputException cannotMove(IOException e) {
    return new OutputException(
        "Cannot write " + target + ": the finished file cannot be moved into place (" + e + ")", e);
  }

  /** Makes the rename itself durable; some platforms cannot open folders, which is harmless. */
  private void forceFolder() {
    try (FileChannel folder = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
      folder.force(true);
    } catch (IOException e) {
      // The rename is still atomic there.
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
