package dev.quiver.offline.io;

import dev.quiver.offline.join.EntityTable;
import dev.quiver.registry.model.ScalarType;
import java.util.Map;
import java.util.Objects;

/**
 * How to read a request's entity rows beyond what the file says.
 *
 * @param timestampColumn the column holding each row's time; null for the default: {@code
 *     event_timestamp}, or in Parquet and Arrow tables the only timestamp column
 * @param types types to read CSV columns as instead of inferring them (overrides; a join key is
 *     read as its entity's type unless named here)
 * @param untypedColumns the type to read every other CSV column (neither named in {@code types} nor
 *     a join key) as; null to infer each from its values. Reproducing a training set made before
 *     CSV columns were inferred reads them as string, as that run did.
 */
public record EntityColumns(
    String timestampColumn, Map<String, ScalarType> types, ScalarType untypedColumns) {

  private static final EntityColumns DEFAULTS = new EntityColumns(null, Map.of());

  /** Columns read as given, the others inferred from their values. */
  public EntityColumns(String timestampColumn, Map<String, ScalarType> types) {
    this(timestampColumn, types, null);
  }

  public EntityColumns {
    if (timestampColumn != null && timestampColumn.isBlank()) {
      throw new IllegalArgumentException("The timestamp column's name is empty");
    }
    types = Map.copyOf(Objects.requireNonNull(types, "types"));
  }

  public static EntityColumns defaults() {
    return DEFAULTS;
  }

  /** The timestamp column a CSV file must have: the one named, else {@code event_timestamp}. */
  public String csvTimestampColumn() {
    return timestampColumn == null ? EntityTable.DEFAULT_TIMESTAMP_COLUMN : timestampColumn;
  }

  public boolean isDefault() {
    return timestampColumn == null && types.isEmpty() && untypedColumns == null;
  }
}
