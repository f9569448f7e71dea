package dev.quiver.sdk;

import dev.quiver.EpochNanos;
import dev.quiver.Excerpt;
import dev.quiver.offline.io.EntityFiles;
import dev.quiver.offline.io.OfflineLog;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineRow;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.ValueCodec;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.rules.RuleChecker;
import dev.quiver.registry.rules.ValidationRejectedException;
import dev.quiver.registry.rules.ValidationReport;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Rows pushed (Feast's push and write-to-online-store): columns of one view, checked against its
 * schema before anything is written, then written to the online store newer-wins with the time they
 * were received as their created time, and/or appended to its source's folder.
 */
final class OnlineWrites {

  private OnlineWrites() {}

  /** Rows checked against a view: join keys, event time and source columns, as Java values. */
  record CheckedRows(
      FeatureView view, ParquetSource source, List<Entity> entities, List<Row> rows) {}

  /**
   * One checked row: join key to value, event time, and source column (a plain view's features) to
   * value.
   */
  record Row(Map<String, Object> key, long eventNanos, Map<String, Object> values)
      implements RuleChecker.Row {

    @Override
    public Object value(String feature) {
      return values.get(feature);
    }

    @Override
    public Map<String, Object> keys() {
      return key;
    }
  }

  /**
   * Checks the rows against the view's rules: null when it has none; a refusal, before anything is
   * written, when a rule of a {@code validation: reject} view breaks.
   *
   * @throws ValidationRejectedException when the view rejects and a rule broke
   */
  static ValidationReport validate(CheckedRows checked) {
    RuleChecker checker = RuleChecker.of(checked.view());
    if (!checker.hasRules()) {
      return null;
    }
    ValidationReport report = checker.check(checked.rows());
    if (report.rejected()) {
      throw new ValidationRejectedException(
          "write to feature view '" + checked.view().name() + "'", List.of(report));
    }
    return report;
  }

  /**
   * Checks rows against the view's schema: every join key, its source's timestamp field and every
   * column the view reads from its source (a plain view's features, an aggregation view's
   * aggregated columns); the source's created field may be given and is ignored (the time received
   * is the created time).
   *
   * @param columns column name to values, one per row
   * @throws InvalidEntityException for a missing or unknown column, or a value of the wrong type
   */
  static CheckedRows check(
      FeatureView view,
      Definitions definitions,
      Map<String, List<Object>> columns,
      Instant receivedAt) {
    ParquetSource source = definitions.sourceOf(view);
    List<Entity> entities = definitions.entitiesOf(view);
    String timestampColumn = source.timestampField();
    Set<String> known = new LinkedHashSet<>();
    entities.forEach(e -> known.add(e.joinKey()));
    known.add(timestampColumn);
    if (source.createdTimestampField() != null) {
      known.add(source.createdTimestampField());
    }
    view.sourceColumns().forEach(f -> known.add(f.name()));
    for (String column : columns.keySet()) {
      if (!known.contains(column)) {
        throw invalid(
            view,
            "it has no column '" + Excerpt.of(column) + "'; it takes " + String.join(", ", known));
      }
    }
    List<String> missing = new ArrayList<>();
    for (String column : known) {
      if (!columns.containsKey(column) && !column.equals(source.createdTimestampField())) {
        missing.add(column);
      }
    }
    if (!missing.isEmpty()) {
      throw invalid(view, "the rows lack the column(s) " + String.join(", ", missing));
    }
    int rows = -1;
    for (Map.Entry<String, List<Object>> column : columns.entrySet()) {
      if (column.getValue() == null) {
        throw invalid(view, "column '" + column.getKey() + "' has no values");
      }
      if (rows >= 0 && column.getValue().size() != rows) {
        throw invalid(view, "the columns have different numbers of rows");
      }
      rows = column.getValue().size();
    }
    Instant latest = receivedAt.plus(OnlineRow.MAX_FUTURE);
    List<Row> checked = new ArrayList<>(Math.max(rows, 0));
    for (int row = 0; row < rows; row++) {
      Map<String, Object> key = new HashMap<>();
      for (Entity entity : entities) {
        Object value = columns.get(entity.joinKey()).get(row);
        Object converted = OnlineReads.convert(entity.type(), value);
        if (converted == null) {
          throw badValue(view, row, entity.joinKey(), value, entity.type().yamlName());
        }
        key.put(entity.joinKey(), converted);
      }
      Object when = columns.get(timestampColumn).get(row);
      Instant eventTime = instant(when);
      if (eventTime == null) {
        throw badValue(view, row, timestampColumn, when, "timestamp");
      }
      String misdated =
          !EpochNanos.holds(eventTime)
              ? "outside the years 1677 to 2262 that Quiver's timestamps span"
              : eventTime.isAfter(latest)
                  ? "more than "
                      + OnlineRow.MAX_FUTURE.toMinutes()
                      + " minutes after it was received ("
                      + receivedAt
                      + "): check the sender's clock"
                  : null;
      if (misdated != null) {
        throw invalid(view, "row " + (row + 1) + " is dated " + eventTime + ", " + misdated);
      }
      Map<String, Object> values = new HashMap<>();
      for (Feature feature : view.sourceColumns()) {
        Object value = columns.get(feature.name()).get(row);
        Object converted = value == null ? null : feature(feature.type(), value);
        if (value != null && converted == null) {
          throw badValue(view, row, feature.name(), value, feature.type().toString());
        }
        values.put(feature.name(), converted);
      }
      checked.add(new Row(key, EpochNanos.of(eventTime), values));
    }
    return new CheckedRows(view, source, entities, checked);
  }

  /**
   * Writes checked rows of a plain view to the online store, newer-wins with {@code receivedAt} as
   * their created time.
   *
   * @return rows that replaced or added a stored row
   */
  static long writeOnline(CheckedRows checked, OnlineStore store, Instant receivedAt) {
    FeatureView view = checked.view();
    Map<String, ScalarType> keyTypes = new HashMap<>();
    checked.entities().forEach(e -> keyTypes.put(e.joinKey(), e.type()));
    long created = EpochNanos.of(receivedAt);
    // One row per key: the newest, and of equal event times the last given (they share one
    // created time, so the store could not tell them apart).
    Map<java.nio.ByteBuffer, OnlineStore.Record> records = new java.util.LinkedHashMap<>();
    for (Row row : checked.rows()) {
      OnlineStore.Record record =
          new OnlineStore.Record(
              EntityKeyCodec.encode(row.key(), keyTypes),
              ValueCodec.encode(
                  new OnlineRow(row.eventNanos(), created, row.values()), view.features()));
      records.merge(
          java.nio.ByteBuffer.wrap(record.entityKey()),
          record,
          (kept, next) ->
              ValueCodec.eventTs(kept.value()) > ValueCodec.eventTs(next.value()) ? kept : next);
    }
    return store.write(view.name(), new ArrayList<>(records.values()));
  }

  /**
   * Appends checked rows, all of them, to the view's source folder as one new file ({@link
   * OfflineLog}), with {@code receivedAt} as their created time when the source has a created
   * column (the created time their online rows get). The file has the columns of every view on the
   * source ({@link OfflineLog#columnsOf}), null where this view has none.
   *
   * @return the file's name, or null when there were no rows (no file is written)
   * @throws dev.quiver.registry.InvalidRequestException when the source's path is not a folder
   */
  static String writeOffline(
      CheckedRows checked, Definitions definitions, Path repoRoot, Instant receivedAt) {
    if (checked.rows().isEmpty()) {
      return null;
    }
    Map<String, ValueType> columns = OfflineLog.columnsOf(definitions, checked.source());
    Path folder = OfflineLog.directoryOf(checked.source(), repoRoot);
    long created = EpochNanos.of(receivedAt);
    try (BufferAllocator allocator =
            MemoryBudget.process()
                .root()
                .newChildAllocator("push " + checked.view().name(), 0, Long.MAX_VALUE);
        OfflineLog.Batch batch = new OfflineLog.Batch(checked.source(), columns, allocator)) {
      for (Row row : checked.rows()) {
        Map<String, Object> values = new HashMap<>(row.values());
        values.putAll(row.key());
        batch.add(row.eventNanos(), created, values);
      }
      String name = OfflineLog.pushFileName(receivedAt);
      while (!batch.writeTo(folder, name)) {
        // Another push received at the same nanosecond drew the same random part.
        name = OfflineLog.pushFileName(receivedAt);
      }
      return name;
    }
  }

  private static Instant instant(Object value) {
    try {
      if (value instanceof Instant instant) {
        return instant;
      }
      return value instanceof String text ? EntityFiles.parseInstant(text) : null;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A JSON-like value as a feature of {@code type}, or null when it is not one. */
  private static Object feature(ValueType type, Object value) {
    if (type.list()) {
      if (!(value instanceof List<?> items)) {
        return null;
      }
      List<Object> converted = new ArrayList<>(items.size());
      for (Object item : items) {
        Object one = item == null ? null : scalar(type.element(), item);
        if (item != null && one == null) {
          return null;
        }
        converted.add(one);
      }
      return converted;
    }
    return scalar(type.element(), value);
  }

  private static Object scalar(ScalarType type, Object value) {
    return switch (type) {
      // Non-finite numbers (a JSON 1e400) and float32 overflow are refused, not stored as infinity.
      case FLOAT64 ->
          value instanceof Number n && Double.isFinite(n.doubleValue())
              ? (Object) n.doubleValue()
              : null;
      case FLOAT32 ->
          value instanceof Number n
                  && Double.isFinite(n.doubleValue())
                  && Math.abs(n.doubleValue()) <= Float.MAX_VALUE
              ? (Object) n.floatValue()
              : null;
      case TIMESTAMP -> {
        Instant instant = instant(value);
        yield instant != null && EpochNanos.holds(instant) ? instant : null;
      }
      default -> OnlineReads.convert(type, value);
    };
  }

  private static InvalidEntityException badValue(
      FeatureView view, int row, String column, Object value, String type) {
    return invalid(
        view,
        "row "
            + (row + 1)
            + " has "
            + column
            + " = "
            + (value instanceof String ? "'" + Excerpt.of(value) + "'" : Excerpt.of(value))
            + ", which is not a valid "
            + type);
  }

  private static InvalidEntityException invalid(FeatureView view, String problem) {
    return new InvalidEntityException(
        "Cannot write to feature view '" + view.name() + "': " + problem);
  }
}
