package dev.quiver.registry.load;

import dev.quiver.registry.model.EnvironmentText;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.SourceLocation;
import dev.quiver.registry.model.StoreConfig;
import dev.quiver.registry.plugin.StoreKind;
import dev.quiver.registry.plugin.StoreType;
import dev.quiver.registry.plugin.StoreTypes;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads {@code feature_store.yaml}: the project name and where its stores live. Each store's {@code
 * type} and keys are checked against the {@link StoreType} declarations on the class path, so the
 * artifact that provides a backend is the one place its options are declared.
 */
final class ProjectConfigParser {

  static final String FILE_NAME = "feature_store.yaml";

  static final List<String> TOP_KEYS =
      List.of("project", "registry", "online_store", "offline_store", "logging");

  private final Problems problems;
  private final Map<String, String> environment;

  ProjectConfigParser(Problems problems, Map<String, String> environment) {
    this.problems = problems;
    this.environment = environment;
  }

  Optional<ProjectConfig> parse(Node document, Path root) {
    Node node = substitute(document);
    if (!(node instanceof Node.Mapping mapping)) {
      problems.add(node.location(), FILE_NAME + " must be a mapping with at least 'project'");
      return Optional.empty();
    }
    MappingReader r = new MappingReader(mapping, FILE_NAME, problems);
    r.rejectUnknownKeys(TOP_KEYS);
    Optional<String> project = r.requiredName("project", "project name");
    Optional<StoreConfig> registry = registry(r, mapping);
    // The defaults are DESIGN.md's; they need no declaration on the class path until opened.
    Optional<StoreConfig> online =
        store(r, StoreKind.ONLINE_STORE, defaultStore("rocksdb", "path", "data/online", r));
    Optional<StoreConfig> offline =
        store(r, StoreKind.OFFLINE_STORE, new StoreConfig("file", Map.of(), r.location()));
    Optional<String> logPath = logPath(r);
    if (project.isEmpty()
        || registry.isEmpty()
        || online.isEmpty()
        || offline.isEmpty()
        || logPath.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ProjectConfig(
            project.get(), registry.get(), online.get(), offline.get(), root, logPath.get()));
  }

  /** {@code logging: {path: data/logs}}: the folder of feature logs; empty after a problem. */
  private Optional<String> logPath(MappingReader r) {
    Optional<Node.Mapping> node = r.mapping("logging");
    if (node.isEmpty()) {
      return r.node("logging").filter(n -> !(n instanceof Node.Scalar s && s.isNull())).isPresent()
          ? Optional.empty()
          : Optional.of(ProjectConfig.DEFAULT_LOG_PATH);
    }
    MappingReader logging = new MappingReader(node.get(), "'logging'", problems);
    logging.rejectUnknownKeys(List.of("path"));
    Optional<String> path = logging.string("path");
    if (path.isPresent() && path.get().isBlank()) {
      problems.add(
          logging.at("path"),
          "'path' of 'logging' is empty: name the folder of feature logs (default "
              + ProjectConfig.DEFAULT_LOG_PATH
              + ")");
      return Optional.empty();
    }
    return Optional.of(path.orElse(ProjectConfig.DEFAULT_LOG_PATH));
  }

  private static StoreConfig defaultStore(
      String type, String key, String value, MappingReader reader) {
    return new StoreConfig(type, Map.of(key, value), reader.location());
  }

  private Optional<StoreConfig> registry(MappingReader r, Node.Mapping root) {
    Optional<Node> node = r.node("registry");
    if (node.isPresent() && node.get() instanceof Node.Scalar scalar && !scalar.isNull()) {
      // The short form names the file of a file registry, as in Feast.
      return Optional.of(new StoreConfig("file", Map.of("path", scalar.text()), scalar.location()));
    }
    return store(r, StoreKind.REGISTRY, defaultStore("file", "path", "data/registry.json", r));
  }

  private Optional<StoreConfig> store(MappingReader r, StoreKind kind, StoreConfig fallback) {
    String key = kind.key();
    Optional<Node> node = r.node(key);
    if (node.isEmpty() || node.get() instanceof Node.Scalar scalar && scalar.isNull()) {
      return Optional.of(fallback);
    }
    if (!(node.get() instanceof Node.Mapping mapping)) {
      problems.add(
          node.get().location(),
          "'" + key + "' must be a mapping with a 'type', found " + node.get().shape());
      return Optional.empty();
    }
    MappingReader store = new MappingReader(mapping, "'" + key + "'", problems);
    Optional<String> type = store.requiredString("type");
    if (type.isEmpty()) {
      return Optional.empty();
    }
    Map<String, StoreType> types = StoreTypes.declared(kind);
    StoreType keys = types.get(type.get());
    if (keys == null) {
      problems.add(
          store.at("type"),
          "unknown "
              + key
              + " type '"
              + type.get()
              + "'"
              + Suggestions.hint(type.get(), types.keySet())
              + StoreTypes.knownTypesNote(kind, type.get()));
      return Optional.empty();
    }
    store.subject("'" + key + "' of type '" + type.get() + "'");
    List<String> allowed =
        java.util.stream.Stream.of(List.of("type"), keys.requiredOptions(), keys.optionalOptions())
            .flatMap(List::stream)
            .toList();
    store.rejectUnknownKeys(allowed);
    Map<String, Object> options = new LinkedHashMap<>();
    boolean complete = true;
    for (String option : allowed.subList(1, allowed.size())) {
      Optional<Node> value = store.node(option);
      boolean required = keys.requiredOptions().contains(option);
      if (value.isEmpty() || value.get() instanceof Node.Scalar s && s.isNull()) {
        if (required) {
          problems.add(
              store.location(), store.subject() + " is missing required key '" + option + "'");
          complete = false;
        } else if (option.equals("path") && fallback.type().equals(type.get())) {
          options.put(option, fallback.options().get(option));
        }
      } else if (value.get() instanceof Node.Mapping settings) {
        // Settings passed through to the backend, such as the Spark engine's conf: text values.
        Map<String, String> entries = new LinkedHashMap<>();
        for (Node.Entry entry : settings.entries().values()) {
          if (entry.value() instanceof Node.Scalar s && !s.isNull()) {
            entries.put(entry.key(), s.text());
          } else {
            problems.add(
                entry.value().location(),
                store.subject()
                    + ": '"
                    + option
                    + "."
                    + entry.key()
                    + "' must be a single value, found "
                    + entry.value().shape());
            complete = false;
          }
        }
        options.put(option, Map.copyOf(entries));
      } else if (value.get() instanceof Node.Sequence) {
        options.put(
            option,
            store.scalarList(option).orElse(List.of()).stream().map(Node.Scalar::text).toList());
      } else {
        store.string(option).ifPresent(v -> options.put(option, v));
      }
    }
    return complete
        ? Optional.of(new StoreConfig(type.get(), options, mapping.location()))
        : Optional.empty();
  }

  /** Replaces {@code ${VAR}} and {@code ${VAR:-default}} in every value with the environment. */
  private Node substitute(Node node) {
    if (node instanceof Node.Scalar scalar) {
      return new Node.Scalar(substitute(scalar.text(), scalar.location()), scalar.location());
    }
    if (node instanceof Node.Sequence sequence) {
      return new Node.Sequence(
          sequence.items().stream().map(this::substitute).toList(), sequence.location());
    }
    Node.Mapping mapping = (Node.Mapping) node;
    Map<String, Node.Entry> entries = new LinkedHashMap<>();
    mapping
        .entries()
        .forEach(
            (k, e) -> entries.put(k, new Node.Entry(k, e.keyLocation(), substitute(e.value()))));
    return new Node.Mapping(entries, mapping.location());
  }

  private String substitute(String text, SourceLocation location) {
    return EnvironmentText.substitute(
        text, environment, message -> problems.add(location, message));
  }
}
