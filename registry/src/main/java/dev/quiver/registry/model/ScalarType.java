package dev.quiver.registry.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The scalar value types a feature or join key can have. */
public enum ScalarType {
  BOOL,
  INT32,
  INT64,
  FLOAT32,
  FLOAT64,
  STRING,
  BYTES,
  TIMESTAMP;

  /** The name used in definition files, e.g. {@code int64}. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether values of this type can identify an entity: equality on floats is a trap. */
  public boolean canBeJoinKey() {
    return this != FLOAT32 && this != FLOAT64;
  }

  public static Optional<ScalarType> fromYamlName(String name) {
    return Arrays.stream(values()).filter(t -> t.yamlName().equals(name)).findFirst();
  }

  public static List<String> yamlNames() {
    return Arrays.stream(values()).map(ScalarType::yamlName).toList();
  }
}
