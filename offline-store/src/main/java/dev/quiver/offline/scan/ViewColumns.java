package dev.quiver.offline.scan;

import dev.quiver.offline.SourceDataException;
import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.parquet.SourceFiles;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The columns a feature view reads of its source, under the names the engines use: each join key by
 * its name, the event and created timestamps under reserved names, and each feature by its name
 * (source columns renamed by {@code field_mapping}).
 */
public final class ViewColumns {

  /** The event timestamp column, in UTC nanoseconds. */
  public static final String EVENT_TS = "__quiver_event_ts";

  /** The created timestamp column, present when the source has one. */
  public static final String CREATED_TS = "__quiver_created_ts";

  private ViewColumns() {}

  /** The join key columns, in the order of {@code entities}. */
  public static List<ColumnSpec> keys(ParquetSource source, List<Entity> entities) {
    List<ColumnSpec> keys = new ArrayList<>();
    for (Entity entity : entities) {
      keys.add(
          new ColumnSpec(
              source.columnFor(entity.joinKey()),
              entity.joinKey(),
              ValueType.scalar(entity.type())));
    }
    return keys;
  }

  /** The join keys, the event and created timestamps, and {@code features}. */
  public static List<ColumnSpec> of(
      ParquetSource source, List<Entity> entities, List<Feature> features) {
    List<ColumnSpec> columns = keys(source, entities);
    columns.add(
        new ColumnSpec(source.timestampField(), EVENT_TS, ValueType.scalar(ScalarType.TIMESTAMP)));
    if (source.createdTimestampField() != null) {
      columns.add(
          new ColumnSpec(
              source.createdTimestampField(), CREATED_TS, ValueType.scalar(ScalarType.TIMESTAMP)));
    }
    return withColumns(columns, source, features);
  }

  /**
   * The join keys, the event timestamp and {@code columns}: what an aggregation view reads, where
   * every row is an event and the created timestamp breaks no ties.
   */
  public static List<ColumnSpec> ofEvents(
      ParquetSource source, List<Entity> entities, List<Feature> columns) {
    List<ColumnSpec> specs = keys(source, entities);
    specs.add(
        new ColumnSpec(source.timestampField(), EVENT_TS, ValueType.scalar(ScalarType.TIMESTAMP)));
    return withColumns(specs, source, columns);
  }

  /** {@code specs} and then each of {@code columns} read from its source column. */
  private static List<ColumnSpec> withColumns(
      List<ColumnSpec> specs, ParquetSource source, List<Feature> columns) {
    for (Feature column : columns) {
      specs.add(new ColumnSpec(source.columnFor(column.name()), column.name(), column.type()));
    }
    return specs;
  }

  /**
   * The source's Parquet files, in path order.
   *
   * @param action what the caller cannot do without them, e.g. {@code materialize}
   * @throws SourceDataException when the source's path matches no file
   */
  public static List<Path> files(
      FeatureView view, ParquetSource source, Path repoRoot, String action) {
    List<Path> files = SourceFiles.resolve(repoRoot, source.path());
    if (files.isEmpty()) {
      throw new SourceDataException(
          "Cannot "
              + action
              + " feature view '"
              + view.name()
              + "': the path '"
              + source.path()
              + "' of source '"
              + source.name()
              + "' matches no Parquet file");
    }
    return files;
  }

  /** Names a view's source in messages: {@code feature view 'v' (source 's')}. */
  public static String describe(FeatureView view, ParquetSource source) {
    return "feature view '" + view.name() + "' (source '" + source.name() + "')";
  }
}
