package dev.quiver.registry.store;

import dev.quiver.registry.model.Definitions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The file registry's one JSON document, read whole and replaced whole: the definitions and history
 * that {@link FileRegistryStore} keeps, and the materialization logs that {@link
 * FileMaterializationLog} keeps beside them.
 *
 * <p>An update holds an exclusive lock on a {@code .lock} file beside the registry (and a lock per
 * file inside this JVM, since file locks are per process), re-reads the document under the lock,
 * writes the new one to a temporary file, forces it to disk and renames it over the old one.
 * Readers therefore see the old document or the new one, never a torn one, even after a crash.
 *
 * <p>A writer killed between creating its temporary file and renaming it leaves the file behind.
 * Temporary files are only ever written under the lock, so one that exists while an update holds
 * the lock belongs to no running writer: each update removes such leftovers first.
 */
final class RegistryFile {

  static final int FORMAT = 1;
  private static final Map<Path, ReentrantLock> LOCKS_IN_THIS_JVM = new ConcurrentHashMap<>();

  private final Path file;
  private final String project;

  RegistryFile(Path file, String project) {
    this.file = file.toAbsolutePath().normalize();
    this.project = project;
  }

  String project() {
    return project;
  }

  /** The document to write, and what the update returns. */
  record Update<T>(Map<String, Object> document, T result) {}

  /**
   * The current document; null when there is no registry file yet.
   *
   * @throws RegistryException when it cannot be read, is not this Quiver's format, or belongs to
   *     another project
   */
  Map<String, Object> read() {
    String json;
    try {
      json = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new RegistryException("Cannot read the " + description() + ": " + e.getMessage(), e);
    }
    Map<String, Object> document = RegistryJson.readObject(json, file.toString());
    Object format = document.get("format");
    if (!(format instanceof Number n) || n.intValue() != FORMAT) {
      throw new RegistryException(
          "Cannot read the "
              + description()
              + ": unsupported format "
              + format
              + " (this Quiver reads format "
              + FORMAT
              + ")");
    }
    Object owner = document.get("project");
    if (!project.equals(owner)) {
      throw new RegistryException(
          "Cannot use the "
              + description()
              + ": it belongs to project '"
              + owner
              + "', but this repo is project '"
              + project
              + "'");
    }
    return document;
  }

  /** A copy of the current document to change, or a new one at version 0 when there is none. */
  Map<String, Object> copyOrEmpty(Map<String, Object> current) {
    if (current != null) {
      return new LinkedHashMap<>(current);
    }
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("format", FORMAT);
    document.put("project", project);
    document.put("version", 0);
    document.put("definitions", RegistryJson.definitionsData(Definitions.EMPTY));
    document.put("history", List.of());
    return document;
  }

  /**
   * Reads the current document under the locks (null when there is none), and writes what {@code
   * change} makes of it, atomically.
   *
   * @throws RegistryException when the document cannot be written; it is left as it was
   */
  <T> T update(Function<Map<String, Object>, Update<T>> change) {
    ReentrantLock jvmLock = LOCKS_IN_THIS_JVM.computeIfAbsent(file, f -> new ReentrantLock());
    jvmLock.lock();
    try {
      Files.createDirectories(file.getParent());
      Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
      try (FileChannel lockChannel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockChannel.lock()) {
        removeLeftoverTemporaryFiles();
        Update<T> update = change.apply(read());
        writeAtomically(RegistryJson.write(update.document()));
        return update.result();
      }
    } catch (IOException e) {
      throw new RegistryException("Cannot write the " + description() + ": " + e.getMessage(), e);
    } finally {
      jvmLock.unlock();
    }
  }

  private void writeAtomically(String content) throws IOException {
    Path temp = Files.createTempFile(file.getParent(), temporaryPrefix(), ".tmp");
    try {
      keepPermissions(temp);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system cannot rename atomically", e);
      }
      forceDirectory(file.getParent());
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private String temporaryPrefix() {
    return file.getFileName() + ".";
  }

  /** Only called under the lock (see the class comment); a file another process removes is fine. */
  private void removeLeftoverTemporaryFiles() throws IOException {
    Pattern leftover = Pattern.compile(Pattern.quote(temporaryPrefix()) + "[0-9]+\\.tmp");
    try (DirectoryStream<Path> temporary =
        Files.newDirectoryStream(file.getParent(), temporaryPrefix() + "*.tmp")) {
      for (Path path : temporary) {
        if (leftover.matcher(path.getFileName().toString()).matches()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  /**
   * Temporary files are created owner-only; the registry keeps the permissions it had (or gets
   * rw-r--r--), so teammates and services running as other users can still read it.
   */
  private void keepPermissions(Path temp) throws IOException {
    if (!temp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      return;
    }
    Set<PosixFilePermission> permissions =
        Files.exists(file)
            ? Files.getPosixFilePermissions(file)
            : PosixFilePermissions.fromString("rw-r--r--");
    Files.setPosixFilePermissions(temp, permissions);
  }

  /** Makes the rename itself durable; some platforms cannot open folders, which is harmless. */
  private static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Not every platform can sync a folder; the rename is still atomic there.
    }
  }

  Path path() {
    return file;
  }

  String description() {
    return "file registry " + file;
  }
}
