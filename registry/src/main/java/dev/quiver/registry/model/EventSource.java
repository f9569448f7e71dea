package dev.quiver.registry.model;

import java.util.Map;

/** What every source says about its events: its name, event-time field and column renames. */
public interface EventSource {

  String name();

  /** The field (Parquet column or JSON field) that holds each event's time. */
  String timestampField();

  /** Source field name to feature (or join key) name. */
  Map<String, String> fieldMapping();

  /** The source field {@code field_mapping} renames to {@code name}, else {@code name} itself. */
  default String columnFor(String name) {
    for (Map.Entry<String, String> mapping : fieldMapping().entrySet()) {
      if (mapping.getValue().equals(name)) {
        return mapping.getKey();
      }
    }
    return name;
  }
}
