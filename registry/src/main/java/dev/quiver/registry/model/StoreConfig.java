package dev.quiver.registry.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One store of {@code feature_store.yaml} ({@code registry}, {@code online_store}, {@code
 * offline_store}): the {@code type} that selects the backend, and its other keys.
 *
 * @param options values are strings, lists of strings, or maps of strings (settings passed through,
 *     such as the Spark engine's {@code conf})
 */
public record StoreConfig(String type, Map<String, Object> options, SourceLocation location) {

  public StoreConfig {
    Objects.requireNonNull(type, "type");
    options = Map.copyOf(options);
  }

  public Optional<String> option(String key) {
    Object value = options.get(key);
    return value instanceof String s ? Optional.of(s) : Optional.empty();
  }

  @SuppressWarnings("unchecked")
  public Map<String, String> mapOption(String key) {
    Object value = options.get(key);
    return value instanceof Map<?, ?> map ? (Map<String, String>) map : Map.of();
  }

  @SuppressWarnings("unchecked")
  public List<String> listOption(String key) {
    Object value = options.get(key);
    return value instanceof List<?> list ? (List<String>) list : List.of();
  }
}
