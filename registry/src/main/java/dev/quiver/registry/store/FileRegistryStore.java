package dev.quiver.registry.store;

import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import dev.quiver.registry.model.TimeInterval;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The default registry: one JSON document holding the latest definitions and the history of every
 * version.
 *
 * <p>A commit holds an exclusive lock on a {@code .lock} file beside the registry (and a lock per
 * file inside this JVM, since file locks are per process), re-reads the version under the lock,
 * writes the new document to a temporary file, forces it to disk and renames it over the old one.
 * Readers therefore see the old document or the new one, never a torn one, even after a crash.
 */
public final class FileRegistryStore implements RegistryStore {

  static final int FORMAT = 1;
  private static final String MATERIALIZED = "materialized";
  private static final String NEWEST_EVENTS = "newest_materialized_events";
  private static final Map<Path, ReentrantLock> LOCKS_IN_THIS_JVM = new ConcurrentHashMap<>();

  private final Path file;
  private final String project;
  private final Clock clock;

  public FileRegistryStore(Path file, String project, Clock clock) {
    this.file = file.toAbsolutePath().normalize();
    this.project = project;
    this.clock = clock;
  }

  /** Opens {@code {type: file, path: ...}} registries. */
  public static final class Factory implements RegistryStoreFactory {
    @Override
    public String type() {
      return "file";
    }

    @Override
    public List<String> requiredOptions() {
      return List.of();
    }

    @Override
    public List<String> optionalOptions() {
      return List.of("path");
    }

    @Override
    public RegistryStore open(StoreConfig config, ProjectConfig project, Clock clock) {
      String path = config.option("path").orElse("data/registry.json");
      return new FileRegistryStore(project.resolve(path), project.project(), clock);
    }
  }

  @Override
  public RegistrySnapshot load() {
    Map<String, Object> document = readDocument();
    if (document == null) {
      return RegistrySnapshot.empty(project);
    }
    return new RegistrySnapshot(
        project,
        version(document),
        RegistryJson.definitions(document.get("definitions"), file.toString()));
  }

  @Override
  public long version() {
    Map<String, Object> document = readDocument();
    return document == null ? 0 : version(document);
  }

  @Override
  public List<HistoryEntry> history() {
    Map<String, Object> document = readDocument();
    return document == null ? List.of() : history(document);
  }

  @Override
  public HistoryEntry commit(long expectedVersion, Definitions definitions, CommitInfo info) {
    return update(
        current -> {
          long actual = current == null ? 0 : version(current);
          if (actual != expectedVersion) {
            throw new RegistryConflictException(description(), expectedVersion, actual);
          }
          HistoryEntry entry =
              new HistoryEntry(
                  actual + 1,
                  clock.instant().truncatedTo(ChronoUnit.MILLIS),
                  info.user(),
                  info.gitCommit(),
                  info.changes());
          List<Object> history = new ArrayList<>();
          if (current != null) {
            history(current).forEach(h -> history.add(RegistryJson.historyData(h)));
          }
          history.add(RegistryJson.historyData(entry));
          Map<String, Object> next = new LinkedHashMap<>();
          next.put("format", FORMAT);
          next.put("project", project);
          next.put("version", entry.version());
          next.put("definitions", RegistryJson.definitionsData(definitions));
          next.put("history", history);
          if (current != null) {
            // Run-time state kept beside the definitions survives a commit.
            current.forEach(next::putIfAbsent);
          }
          return new Update<>(next, entry);
        });
  }

  @Override
  public Map<String, List<TimeInterval>> materializedIntervals() {
    Map<String, Object> document = readDocument();
    return document == null ? Map.of() : RegistryJson.intervals(document.get(MATERIALIZED));
  }

  @Override
  public Map<String, Instant> newestMaterializedEvents() {
    Map<String, Object> document = readDocument();
    return document == null ? Map.of() : RegistryJson.instants(document.get(NEWEST_EVENTS));
  }

  @Override
  public void recordMaterialized(String view, TimeInterval interval, Instant newestEvent) {
    updateMaterialized(
        (intervals, newest) -> {
          List<TimeInterval> list = new ArrayList<>(intervals.getOrDefault(view, List.of()));
          list.add(interval);
          intervals.put(view, TimeInterval.merge(list));
          if (newestEvent != null) {
            newest.merge(view, newestEvent, (a, b) -> a.isAfter(b) ? a : b);
          }
        });
  }

  @Override
  public void forgetMaterialized(String view) {
    updateMaterialized(
        (intervals, newest) -> {
          intervals.remove(view);
          newest.remove(view);
        });
  }

  private void updateMaterialized(
      java.util.function.BiConsumer<Map<String, List<TimeInterval>>, Map<String, Instant>> change) {
    update(
        current -> {
          Map<String, Object> next =
              current == null ? emptyDocument() : new LinkedHashMap<>(current);
          Map<String, List<TimeInterval>> intervals =
              new java.util.TreeMap<>(RegistryJson.intervals(next.get(MATERIALIZED)));
          Map<String, Instant> newest =
              new java.util.TreeMap<>(RegistryJson.instants(next.get(NEWEST_EVENTS)));
          change.accept(intervals, newest);
          next.put(MATERIALIZED, RegistryJson.intervalsData(intervals));
          next.put(NEWEST_EVENTS, RegistryJson.instantsData(newest));
          return new Update<>(next, null);
        });
  }

  private Map<String, Object> emptyDocument() {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("format", FORMAT);
    document.put("project", project);
    document.put("version", 0);
    document.put("definitions", RegistryJson.definitionsData(Definitions.EMPTY));
    document.put("history", List.of());
    return document;
  }

  /** The document to write, and what the update returns. */
  private record Update<T>(Map<String, Object> document, T result) {}

  /**
   * Reads the current document under the locks, and writes what {@code change} makes of it,
   * atomically.
   */
  private <T> T update(java.util.function.Function<Map<String, Object>, Update<T>> change) {
    ReentrantLock jvmLock = LOCKS_IN_THIS_JVM.computeIfAbsent(file, f -> new ReentrantLock());
    jvmLock.lock();
    try {
      Files.createDirectories(file.getParent());
      Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
      try (FileChannel lockChannel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = lockChannel.lock()) {
        Update<T> update = change.apply(readDocument());
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
    Path temp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
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

  private Map<String, Object> readDocument() {
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

  private long version(Map<String, Object> document) {
    if (document.get("version") instanceof Number n) {
      return n.longValue();
    }
    throw new RegistryException("Cannot read the " + description() + ": it has no version");
  }

  private List<HistoryEntry> history(Map<String, Object> document) {
    List<HistoryEntry> entries = new ArrayList<>();
    if (document.get("history") instanceof List<?> list) {
      for (Object item : list) {
        if (!(item instanceof Map<?, ?> map)) {
          throw new RegistryException("Cannot read the " + description() + ": bad history entry");
        }
        entries.add(RegistryJson.historyEntry(map, file.toString()));
      }
    }
    return entries;
  }

  @Override
  public String description() {
    return "file registry " + file;
  }

  @Override
  public void close() {}
}
