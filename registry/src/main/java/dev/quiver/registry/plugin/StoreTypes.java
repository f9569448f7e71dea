package dev.quiver.registry.plugin;

import dev.quiver.ConfigurationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The store types on the class path, found once with {@link ServiceLoader}. */
public final class StoreTypes {

  private StoreTypes() {}

  /**
   * Loaded on first use, as the class path does not change while the process runs; a failure is
   * thrown to every caller (no half-loaded state is kept).
   */
  private static volatile Map<StoreKind, Map<String, StoreType>> types;

  private static synchronized Map<StoreKind, Map<String, StoreType>> loaded() {
    if (types == null) {
      types = byKind(load(StoreType.class));
    }
    return types;
  }

  /**
   * The types of {@code kind} on the class path, by type name in alphabetical order.
   *
   * @throws ConfigurationException when two artifacts declare the same type, or a declaration
   *     cannot be loaded
   */
  public static Map<String, StoreType> declared(StoreKind kind) {
    Map<StoreKind, Map<String, StoreType>> known = types;
    return (known != null ? known : loaded()).get(kind);
  }

  /**
   * The types of {@code kind} that implement {@code factory}, by type name in alphabetical order.
   *
   * @throws ConfigurationException when a type of {@code kind} does not implement {@code factory},
   *     two artifacts declare the same type, or a declaration cannot be loaded
   */
  public static <T extends StoreType> Map<String, T> declared(StoreKind kind, Class<T> factory) {
    Map<String, T> typed = new TreeMap<>();
    declared(kind)
        .forEach(
            (type, declaration) -> {
              if (!factory.isInstance(declaration)) {
                throw new ConfigurationException(
                    "Cannot load the "
                        + kind.key()
                        + " types: "
                        + declaration.getClass().getName()
                        + " declares type '"
                        + type
                        + "' but is not a "
                        + factory.getSimpleName());
              }
              typed.put(type, factory.cast(declaration));
            });
    return Collections.unmodifiableMap(typed);
  }

  /**
   * The end of a message refusing {@code type}: the types of {@code kind} on the class path and,
   * when an artifact that is not on the class path provides {@code type}, which one: {@code ";
   * known types: memory, redis, redis-cluster (type 'rocksdb' comes with
   * dev.quiver:quiver-online-store-rocksdb, which is not on the class path)"}.
   */
  public static String knownTypesNote(StoreKind kind, String type) {
    Map<String, StoreType> known = declared(kind);
    String note =
        "; known types: " + (known.isEmpty() ? "none" : String.join(", ", known.keySet()));
    if (known.containsKey(type)) {
      return note;
    }
    // Only read when refusing a type, so not worth keeping.
    for (StoreArtifacts artifacts : load(StoreArtifacts.class)) {
      Optional<String> artifact = artifacts.artifactOf(kind, type);
      if (artifact.isPresent()) {
        return note
            + " (type '"
            + type
            + "' comes with "
            + artifact.get()
            + ", which is not on the class path)";
      }
    }
    return note;
  }

  /** The declarations by kind, then by type in alphabetical order. */
  static Map<StoreKind, Map<String, StoreType>> byKind(List<? extends StoreType> declarations) {
    Map<StoreKind, Map<String, StoreType>> byKind = new EnumMap<>(StoreKind.class);
    for (StoreKind kind : StoreKind.values()) {
      byKind.put(kind, new TreeMap<>());
    }
    for (StoreType declaration : declarations) {
      StoreType earlier =
          byKind.get(declaration.kind()).putIfAbsent(declaration.type(), declaration);
      if (earlier != null) {
        throw new ConfigurationException(
            "Cannot load the "
                + declaration.kind().key()
                + " types: both "
                + earlier.getClass().getName()
                + " and "
                + declaration.getClass().getName()
                + " declare type '"
                + declaration.type()
                + "'; remove one of their artifacts from the class path");
      }
    }
    byKind.replaceAll((kind, types) -> Collections.unmodifiableMap(types));
    return Collections.unmodifiableMap(byKind);
  }

  private static <S> List<S> load(Class<S> service) {
    List<S> found = new ArrayList<>();
    try {
      ServiceLoader.load(service, StoreTypes.class.getClassLoader()).forEach(found::add);
    } catch (ServiceConfigurationError e) {
      throw new ConfigurationException("Cannot load the store types: " + e.getMessage(), e);
    }
    return List.copyOf(found);
  }
}
