package dev.quiver.registry.model;

import java.util.Map;
import java.util.Objects;

/**
 * Offline data for feature views: a Parquet file, a directory of Parquet files or a glob, relative
 * to the repo root.
 *
 * @param createdTimestampField optional; breaks ties between equal event timestamps
 * @param fieldMapping source column name to feature (or join key) name
 */
public record ParquetSource(
    String name,
    String path,
    String timestampField,
    String createdTimestampField,
    Map<String, String> fieldMapping,
    String description,
    SourceLocation location)
    implements EventSource {

  public ParquetSource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(timestampField, "timestampField");
    fieldMapping = fieldMapping == null ? Map.of() : Map.copyOf(fieldMapping);
  }
}
