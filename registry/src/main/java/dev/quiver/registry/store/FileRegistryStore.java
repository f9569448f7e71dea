package dev.quiver.registry.store;

import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The default registry: one JSON document holding the latest definitions, the history of every
 * version and, beside them, the materialization logs of the online stores. Commits and log records
 * replace the document atomically under a file lock ({@link RegistryFile}).
 */
public final class FileRegistryStore implements RegistryStore {

  private final RegistryFile file;
  private final Clock clock;
  private volatile VersionRead lastVersionRead;

  public FileRegistryStore(Path file, String project, Clock clock) {
    this.file = new RegistryFile(file, project);
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
    Map<String, Object> document = file.read();
    if (document == null) {
      return RegistrySnapshot.empty(file.project());
    }
    return new RegistrySnapshot(
        file.project(),
        version(document),
        RegistryJson.definitions(document.get("definitions"), file.path().toString()));
  }

  /**
   * The version, read again only when the file was replaced since the last call: every change
   * renames a new file into place, so an unchanged identity (inode), size and time means an
   * unchanged document. Polling (the server asks every 2 s) then costs a stat, not a parse of the
   * whole history.
   */
  @Override
  public long version() {
    Optional<BasicFileAttributes> before = attributes();
    VersionRead cached = lastVersionRead;
    if (before.isPresent() && cached != null && cached.sameFile(before.get())) {
      return cached.version();
    }
    Map<String, Object> document = file.read();
    long version = document == null ? 0 : version(document);
    VersionRead read = before.map(attributes -> new VersionRead(attributes, version)).orElse(null);
    Optional<BasicFileAttributes> after = attributes();
    // Kept only when the file did not change while it was read.
    lastVersionRead = read != null && after.isPresent() && read.sameFile(after.get()) ? read : null;
    return version;
  }

  private Optional<BasicFileAttributes> attributes() {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file.path(), BasicFileAttributes.class);
      return attributes.fileKey() == null ? Optional.empty() : Optional.of(attributes);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The version read from the file with these attributes. */
  private record VersionRead(Object fileKey, FileTime modified, long size, long version) {

    VersionRead(BasicFileAttributes attributes, long version) {
      this(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size(), version);
    }

    boolean sameFile(BasicFileAttributes attributes) {
      return fileKey.equals(attributes.fileKey())
          && modified.equals(attributes.lastModifiedTime())
          && size == attributes.size();
    }
  }

  @Override
  public List<HistoryEntry> history() {
    Map<String, Object> document = file.read();
    return document == null ? List.of() : history(document);
  }

  @Override
  public HistoryEntry commit(long expectedVersion, Definitions definitions, CommitInfo info) {
    return file.update(
        current -> {
          long actual = current == null ? 0 : version(current);
          HistoryEntry entry = info.entryAfter(expectedVersion, actual, clock, description());
          // Earlier entries are kept as stored, each with the definitions it committed; the
          // latest one of a registry an older Quiver wrote gets the definitions it committed,
          // which are the document's, so it can still be restored once superseded.
          List<Object> history = new ArrayList<>();
          for (Map<?, ?> stored : historyData(current)) {
            if (stored.get("version") instanceof Number n
                && n.longValue() == actual
                && stored.get("definitions") == null) {
              Map<Object, Object> completed = new LinkedHashMap<>(stored);
              completed.put("definitions", current.get("definitions"));
              history.add(completed);
            } else {
              history.add(stored);
            }
          }
          Map<String, Object> added = RegistryJson.historyData(entry);
          added.put("definitions", RegistryJson.definitionsData(definitions));
          history.add(added);
          Map<String, Object> next = new LinkedHashMap<>();
          next.put("format", RegistryFile.FORMAT);
          next.put("project", file.project());
          next.put("version", entry.version());
          next.put("definitions", RegistryJson.definitionsData(definitions));
          next.put("history", history);
          if (current != null) {
            // Run-time state kept beside the definitions (the materialization logs) survives a
            // commit, and so do keys a newer Quiver may have added.
            current.forEach(next::putIfAbsent);
          }
          return new RegistryFile.Update<>(next, entry);
        });
  }

  @Override
  public MaterializationLog materializationLog(String onlineStore) {
    return new FileMaterializationLog(file, onlineStore);
  }

  private long version(Map<String, Object> document) {
    if (document.get("version") instanceof Number n) {
      return n.longValue();
    }
    throw new RegistryException("Cannot read the " + description() + ": it has no version");
  }

  @Override
  public Optional<Definitions> definitionsAt(long version) {
    Map<String, Object> document = file.read();
    if (document == null) {
      return Optional.empty();
    }
    if (version(document) == version) {
      return Optional.of(
          RegistryJson.definitions(document.get("definitions"), file.path().toString()));
    }
    for (Map<?, ?> item : historyData(document)) {
      if (item.get("version") instanceof Number n && n.longValue() == version) {
        Object definitions = item.get("definitions");
        return definitions == null
            ? Optional.empty()
            : Optional.of(RegistryJson.definitions(definitions, file.path().toString()));
      }
    }
    return Optional.empty();
  }

  private List<HistoryEntry> history(Map<String, Object> document) {
    return historyData(document).stream()
        .map(map -> RegistryJson.historyEntry(map, file.path().toString()))
        .toList();
  }

  /** The history entries as stored; none for a registry nothing was committed to. */
  private List<Map<?, ?>> historyData(Map<String, Object> document) {
    List<Map<?, ?>> entries = new ArrayList<>();
    if (document != null && document.get("history") instanceof List<?> list) {
      for (Object item : list) {
        if (!(item instanceof Map<?, ?> map)) {
          throw new RegistryException("Cannot read the " + description() + ": bad history entry");
        }
        entries.add(map);
      }
    }
    return entries;
  }

  @Override
  public String description() {
    return file.description();
  }

  /** Holds nothing open: every call reads or replaces the file. */
  @Override
  public void close() {}
}
