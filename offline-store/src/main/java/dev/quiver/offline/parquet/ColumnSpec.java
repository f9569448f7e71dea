package dev.quiver.offline.parquet;

import dev.quiver.registry.model.ValueType;
import java.util.Objects;

/**
 * A column to read: its name in the Parquet file, the name it gets in Arrow, and its type.
 *
 * @param sourceName the Parquet column (before {@code field_mapping})
 * @param name the Arrow field name (after {@code field_mapping})
 */
public record ColumnSpec(String sourceName, String name, ValueType type) {

  public ColumnSpec {
    Objects.requireNonNull(sourceName, "sourceName");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }
}
