package dev.quiver.spark;

import dev.quiver.materializer.MaterializationEngine;
import dev.quiver.materializer.TileBuckets;
import dev.quiver.offline.scan.ViewColumns;
import dev.quiver.online.SupportsTiles;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ParquetSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.util.LongAccumulator;

/**
 * Materialization as Spark jobs: the source rows are partitioned by key and sorted within
 * partitions, and each task writes its keys' rows (plain views, {@link LatestWriter}) or tile sets
 * (aggregation views, {@link TileWriter}) to the online store from the executor, in batches, with
 * the store's newer-wins and tile-merge rules: the embedded materializer's writes, not collected on
 * the driver. The {@link dev.quiver.materializer.Materializer} around it picks the views, the
 * incremental starts, and records the intervals in the materialization log.
 */
final class SparkMaterialization implements MaterializationEngine {

  private final SparkSession spark;
  private final Path repoRoot;
  private final OnlineTarget target;

  SparkMaterialization(SparkSession spark, Path repoRoot, OnlineTarget target) {
    this.spark = spark;
    this.repoRoot = repoRoot;
    this.target = target;
  }

  @Override
  public Copied latest(
      FeatureView view, ParquetSource source, List<Entity> entities, long start, long end) {
    boolean byCreated =
        view.knownTime() == KnownTime.CREATED && source.createdTimestampField() != null;
    Dataset<Row> events =
        SourceFrames.read(
            spark,
            view,
            source,
            ViewColumns.of(source, entities, view.features()),
            repoRoot,
            // Rows known in the window may have any event time before its end.
            byCreated ? Long.MIN_VALUE : start,
            end);
    Column ts = functions.col(SourceFrames.TS);
    Column created =
        source.createdTimestampField() != null
            ? functions.col(SourceFrames.CREATED)
            : functions.lit(null).cast("long");
    Column known = byCreated ? functions.coalesce(created, ts) : ts;
    List<Column> columns = keys(entities);
    columns.add(ts);
    columns.add(created.as(SourceFrames.CREATED));
    columns.add(functions.col(SourceFrames.FILE));
    columns.add(functions.col(SourceFrames.ROW));
    columns.add(
        functions
            .coalesce(ts.leq(end).and(known.between(start, end)), functions.lit(false))
            .as("__quiver_in_window"));
    view.features().forEach(f -> columns.add(functions.col(SourceFrames.quote(f.name()))));
    Dataset<Row> sorted =
        events
            .select(columns.toArray(Column[]::new))
            .repartition(keys(entities).toArray(Column[]::new))
            .sortWithinPartitions(
                sortColumns(
                    entities,
                    ts,
                    functions.col(SourceFrames.CREATED).asc_nulls_first(),
                    functions.col(SourceFrames.FILE),
                    functions.col(SourceFrames.ROW)));
    Counters counters = new Counters(spark);
    sorted.foreachPartition(new LatestWriter(target, view, entities, counters));
    return counters.copied();
  }

  @Override
  public Copied tiles(
      FeatureView view,
      ParquetSource source,
      List<Entity> entities,
      long start,
      long end,
      long knownNewest) {
    TileBuckets buckets = TileBuckets.of(TileLayout.of(view.aggregateFeatures()), start, end);
    Dataset<Row> events =
        SourceFrames.read(
            spark,
            view,
            source,
            ViewColumns.ofEvents(source, entities, view.sourceColumns()),
            repoRoot,
            buckets.from(),
            buckets.to());
    Column ts = functions.col(SourceFrames.TS);
    // TileBuckets.contains, as a column.
    Column inRange = functions.lit(false);
    for (int s = 0; s < buckets.hops().length; s++) {
      Column bucket = ts.minus(functions.pmod(ts, functions.lit(buckets.hops()[s])));
      inRange = inRange.or(bucket.between(buckets.first()[s], buckets.last()[s]));
    }
    Column valid = ts.isNotNull().and(inRange);
    for (Entity entity : entities) {
      valid = valid.and(functions.col(SourceFrames.quote(entity.joinKey())).isNotNull());
    }
    Dataset<Row> window = events.where(valid);
    // The newest event decides which tiles every set keeps: known before any set is made.
    Row summary = window.agg(functions.count(functions.lit(1)), functions.max(ts)).first();
    long rows = summary.getLong(0);
    long newest = summary.isNullAt(1) ? Long.MIN_VALUE : summary.getLong(1);
    long newestEvent = Math.max(knownNewest, newest);
    List<Column> columns = keys(entities);
    columns.add(ts);
    columns.add(functions.col(SourceFrames.FILE));
    columns.add(functions.col(SourceFrames.ROW));
    view.sourceColumns().forEach(c -> columns.add(functions.col(SourceFrames.quote(c.name()))));
    Dataset<Row> sorted =
        window
            .select(columns.toArray(Column[]::new))
            .repartition(keys(entities).toArray(Column[]::new))
            // Within a key, events fold in file and row order, as the embedded materializer's do.
            .sortWithinPartitions(
                sortColumns(
                    entities, functions.col(SourceFrames.FILE), functions.col(SourceFrames.ROW)));
    Counters counters = new Counters(spark);
    sorted.foreachPartition(new TileWriter(target, view, entities, newestEvent, counters));
    if (newest > knownNewest && target.store() instanceof SupportsTiles tiles) {
      tiles.expireTiles(view.name(), newestEvent);
    }
    return new Copied(rows, rows, counters.written.value(), newest);
  }

  private static List<Column> keys(List<Entity> entities) {
    List<Column> keys = new ArrayList<>();
    for (Entity entity : entities) {
      keys.add(functions.col(SourceFrames.quote(entity.joinKey())));
    }
    return keys;
  }

  private static Column[] sortColumns(List<Entity> entities, Column... then) {
    List<Column> sort = keys(entities);
    sort.addAll(List.of(then));
    return sort.toArray(Column[]::new);
  }

  /** What the tasks counted, summed on the driver. */
  static final class Counters implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    final LongAccumulator read;
    final LongAccumulator inWindow;
    final LongAccumulator written;
    final MaxAccumulator newest;

    Counters(SparkSession spark) {
      read = spark.sparkContext().longAccumulator("rows read");
      inWindow = spark.sparkContext().longAccumulator("rows in window");
      written = spark.sparkContext().longAccumulator("rows written");
      newest = new MaxAccumulator();
      spark.sparkContext().register(newest, "newest event");
    }

    Copied copied() {
      return new Copied(read.value(), inWindow.value(), written.value(), newest.value());
    }
  }
}
