package dev.quiver.spark;

import dev.quiver.offline.scan.ViewColumns;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.model.WindowText;
import dev.quiver.registry.ondemand.OnDemandEvaluator;
import dev.quiver.registry.ondemand.Variable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A training set as a Spark plan (DESIGN.md's point-in-time and window semantics, row for row the
 * embedded engine's): per feature view, the entity rows and the view's source events are
 * partitioned by key, sorted within partitions by key and time, and merged in one pass ({@link
 * LatestMerge}, {@link WindowMerge}); the answers are joined back to the entity rows by their rank,
 * on-demand features evaluated per partition ({@link OnDemandColumns}), and the whole sorted into
 * input order by the entity rows' file and row ranks. Sources are pruned to the entity rows' time
 * range (less the ttl or the longest window and its hop) down to Parquet row groups.
 */
final class SparkHistorical {

  /** What the job read and wrote, for the manifest and the summary. */
  record Result(
      Dataset<Row> table,
      long rows,
      KeyedMerge.Counts counts,
      List<String> entityFiles,
      Map<String, List<String>> sourceFiles) {

    /** The columns, after the training set's, that give each row's place: file, then row rank. */
    static final List<String> ORDER = List.of(KeyedMerge.ENTITY_FILE, KeyedMerge.ENTITY_ROW);

    /** The training set in input order, without the rank columns. */
    Dataset<Row> ordered() {
      return table
          .orderBy(ORDER.stream().map(functions::col).toArray(Column[]::new))
          .drop(ORDER.toArray(String[]::new));
    }
  }

  private final SparkSession spark;
  private final Definitions definitions;
  private final Path repoRoot;

  SparkHistorical(SparkSession spark, Definitions definitions, Path repoRoot) {
    this.spark = spark;
    this.definitions = definitions;
    this.repoRoot = repoRoot;
  }

  /**
   * The training set's plan; nothing is computed but the entity rows' time range (one row to the
   * driver) until the caller writes the table.
   *
   * @param entities Parquet entity rows: a file, a folder or a URI Spark reads
   */
  Result plan(
      FeatureSelection selection,
      String entities,
      String timestampColumn,
      boolean fullFeatureNames) {
    SourceFrames.Located located = SourceFrames.locate(spark, List.of(entities));
    Dataset<Row> raw = located.frame();
    List<String> entityColumns = Arrays.asList(raw.columns());
    List<String> outputNames = selection.outputNames(fullFeatureNames, entityColumns);
    // Columns stored as nanosecond timestamps are read as longs: they stay timestamps (at Spark's
    // microseconds) in the training set, as the embedded engine keeps them timestamps.
    java.util.Set<String> nanos =
        SourceFrames.nanosecondColumns(spark, Arrays.asList(raw.inputFiles()));
    String tsColumn = timestampColumn(raw.schema(), timestampColumn, nanos);
    StructField tsField = field(raw.schema(), tsColumn, "the entity rows' timestamp column");
    List<Column> columns = new ArrayList<>();
    for (String column : entityColumns) {
      Column value = raw.col(SourceFrames.quote(column));
      columns.add(
          nanos.contains(column)
              ? SparkTypes.as(
                      value,
                      DataTypes.LongType,
                      ValueType.scalar(dev.quiver.registry.model.ScalarType.TIMESTAMP))
                  .as(column)
              : value);
    }
    columns.add(located.fileOrdinal().as(KeyedMerge.ENTITY_FILE));
    columns.add(raw.col("_metadata.row_index").as(KeyedMerge.ENTITY_ROW));
    columns.add(
        SparkTypes.nanos(
                raw.col(SourceFrames.quote(tsColumn)),
                tsField.dataType(),
                "the entity column '" + tsColumn + "'")
            .as(SourceFrames.TS));
    Dataset<Row> rows = raw.select(columns.toArray(Column[]::new));

    Row range =
        rows.agg(
                functions.count(functions.lit(1)),
                functions.count_if(functions.col(SourceFrames.TS).isNull()),
                functions.min(SourceFrames.TS),
                functions.max(SourceFrames.TS))
            .first();
    long rowCount = range.getLong(0);
    if (range.getLong(1) > 0) {
      throw new InvalidRequestException(
          "Cannot retrieve features: "
              + range.getLong(1)
              + " entity rows have a null "
              + tsColumn
              + "; every row needs its time");
    }

    KeyedMerge.Counts counts = KeyedMerge.Counts.register(spark);
    Dataset<Row> joined = rows;
    Map<String, List<String>> sourceFiles = new HashMap<>();
    List<FeatureSelection.Selected> stored = selection.features();
    if (rowCount > 0) {
      long minTs = range.getLong(2);
      long maxTs = range.getLong(3);
      for (FeatureView view : selection.views()) {
        List<Integer> positions = new ArrayList<>();
        for (int s = 0; s < stored.size(); s++) {
          if (stored.get(s).view().name().equals(view.name())) {
            positions.add(s);
          }
        }
        Dataset<Row> answers =
            view.isAggregation()
                ? windows(view, stored, positions, rows, minTs, maxTs, counts, sourceFiles)
                : latest(view, stored, positions, rows, minTs, maxTs, counts, sourceFiles);
        Column on =
            joined
                .col(KeyedMerge.ENTITY_FILE)
                .equalTo(answers.col(KeyedMerge.ENTITY_FILE))
                .and(joined.col(KeyedMerge.ENTITY_ROW).equalTo(answers.col(KeyedMerge.ENTITY_ROW)));
        joined =
            joined
                .join(answers, on, "left")
                .drop(answers.col(KeyedMerge.ENTITY_FILE))
                .drop(answers.col(KeyedMerge.ENTITY_ROW));
      }
    } else {
      for (int s = 0; s < stored.size(); s++) {
        joined =
            joined.withColumn(
                storedName(s),
                functions.lit(null).cast(SparkTypes.of(stored.get(s).feature().type())));
      }
    }
    if (selection.hasOnDemand()) {
      joined = withOnDemand(joined, selection);
    }
    List<Column> output = new ArrayList<>();
    for (String column : entityColumns) {
      output.add(joined.col(SourceFrames.quote(column)));
    }
    int computed = 0;
    for (int r = 0; r < selection.requested().size(); r++) {
      FeatureSelection.Requested requested = selection.requested().get(r);
      String internal =
          requested instanceof FeatureSelection.Selected s
              ? storedName(stored.indexOf(s))
              : computedName(computed++);
      output.add(joined.col(internal).as(outputNames.get(r)));
    }
    // The rows' ranks travel with them until the writer puts them in order (a global sort for a
    // folder of parts, one sorted partition for a single file) and drops them.
    output.add(joined.col(KeyedMerge.ENTITY_FILE));
    output.add(joined.col(KeyedMerge.ENTITY_ROW));
    Dataset<Row> table = joined.select(output.toArray(Column[]::new));
    return new Result(table, rowCount, counts, List.of(located.frame().inputFiles()), sourceFiles);
  }

  /** The time a plain view's event is known from, which its merge is sorted by. */
  private static final String KNOWN_AT = "__quiver_known_at";

  private static String storedName(int s) {
    return "__quiver_stored_" + s;
  }

  private static String computedName(int c) {
    return "__quiver_computed_" + c;
  }

  private static String keyName(int k) {
    return "__quiver_key_" + k;
  }

  private static StructField field(StructType schema, String name, String what) {
    for (StructField field : schema.fields()) {
      if (field.name().equals(name)) {
        return field;
      }
    }
    throw new InvalidRequestException(
        "Cannot retrieve features: "
            + what
            + " '"
            + name
            + "' is not among the entity columns ("
            + String.join(", ", schema.fieldNames())
            + ")");
  }

  /**
   * The entity rows' time column, chosen as the embedded engine chooses it: the one named, else
   * {@code event_timestamp}, else the only timestamp column; it must be a timestamp (a plain int64
   * is not one: its unit is unknown).
   */
  private static String timestampColumn(
      StructType schema, String named, java.util.Set<String> nanos) {
    List<String> candidates = new ArrayList<>();
    for (StructField field : schema.fields()) {
      if (isTimestamp(field, nanos)) {
        candidates.add(field.name());
      }
    }
    if (named != null) {
      StructField field = field(schema, named, "the entity rows' timestamp column");
      if (!isTimestamp(field, nanos)) {
        throw notTimestamp(named, field);
      }
      return named;
    }
    if (candidates.contains("event_timestamp")) {
      return "event_timestamp";
    }
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    if (Arrays.asList(schema.fieldNames()).contains("event_timestamp")) {
      throw notTimestamp("event_timestamp", schema.apply("event_timestamp"));
    }
    throw new InvalidRequestException(
        "Cannot retrieve features: the entity rows need an 'event_timestamp' column"
            + (candidates.isEmpty()
                ? " (they have no timestamp column)"
                : " (they have several timestamp columns: " + String.join(", ", candidates) + ")"));
  }

  private static boolean isTimestamp(StructField field, java.util.Set<String> nanos) {
    return field.dataType() instanceof org.apache.spark.sql.types.TimestampType
        || field.dataType() instanceof org.apache.spark.sql.types.TimestampNTZType
        || nanos.contains(field.name());
  }

  private static InvalidRequestException notTimestamp(String column, StructField field) {
    return new InvalidRequestException(
        "Cannot retrieve features: the entity column '"
            + column
            + "' is "
            + field.dataType().simpleString()
            + ", not a timestamp");
  }

  /**
   * The entity rows' join keys for {@code view}, cast to the entities' types, named by position.
   */
  private List<Column> entityKeys(FeatureView view, Dataset<Row> rows) {
    List<Column> keys = new ArrayList<>();
    List<Entity> entities = definitions.entitiesOf(view);
    for (int k = 0; k < entities.size(); k++) {
      Entity entity = entities.get(k);
      field(rows.schema(), entity.joinKey(), "the join key of entity '" + entity.name() + "'");
      keys.add(
          rows.col(SourceFrames.quote(entity.joinKey()))
              .cast(SparkTypes.of(entity.type()))
              .as(keyName(k)));
    }
    return keys;
  }

  private Dataset<Row> latest(
      FeatureView view,
      List<FeatureSelection.Selected> stored,
      List<Integer> positions,
      Dataset<Row> rows,
      long minTs,
      long maxTs,
      KeyedMerge.Counts counts,
      Map<String, List<String>> sourceFiles) {
    ParquetSource source = definitions.sourceOf(view);
    List<Entity> entities = definitions.entitiesOf(view);
    List<Feature> features = new ArrayList<>();
    for (int s : positions) {
      features.add(stored.get(s).feature());
    }
    long from = view.hasTtl() ? saturatedMinus(minTs, view.ttl().toNanos()) : Long.MIN_VALUE;
    Dataset<Row> events =
        SourceFrames.read(
            spark, view, source, ViewColumns.of(source, entities, features), repoRoot, from, maxTs);
    sourceFiles.put(view.name(), List.of(events.inputFiles()));
    boolean created = source.createdTimestampField() != null;
    Column eventTs = events.col(SourceFrames.TS);
    // When the view is known by its created time, an event is known from the later of both.
    Column knownAt =
        created && view.knownTime() == KnownTime.CREATED
            // greatest() skips nulls: a row without an event time stays without one.
            ? functions.when(
                eventTs.isNotNull(),
                functions.greatest(
                    eventTs, functions.coalesce(events.col(SourceFrames.CREATED), eventTs)))
            : eventTs;
    List<Column> entitySide = new ArrayList<>();
    List<Column> eventSide = new ArrayList<>();
    leadingColumns(view, rows, events, knownAt, KNOWN_AT, entitySide, eventSide);
    entitySide.add(nullOf(DataTypes.LongType, SourceFrames.TS));
    eventSide.add(eventTs);
    entitySide.add(nullOf(DataTypes.LongType, SourceFrames.CREATED));
    eventSide.add(
        created
            ? events.col(SourceFrames.CREATED)
            : nullOf(DataTypes.LongType, SourceFrames.CREATED));
    entitySide.add(nullOf(DataTypes.IntegerType, SourceFrames.FILE));
    entitySide.add(nullOf(DataTypes.LongType, SourceFrames.ROW));
    eventSide.add(events.col(SourceFrames.FILE));
    eventSide.add(events.col(SourceFrames.ROW));
    List<StructField> out = answerFields();
    for (int i = 0; i < features.size(); i++) {
      DataType type = SparkTypes.of(features.get(i).type());
      entitySide.add(nullOf(type, storedName(positions.get(i))));
      eventSide.add(
          events.col(SourceFrames.quote(features.get(i).name())).as(storedName(positions.get(i))));
      out.add(DataTypes.createStructField(storedName(positions.get(i)), type, true));
    }
    Dataset<Row> merged =
        sorted(
            withoutNullKeys(rows.select(entitySide.toArray(Column[]::new)), entities.size()),
            events.select(eventSide.toArray(Column[]::new)),
            entities.size(),
            KNOWN_AT,
            List.of());
    return merged.mapPartitions(
        new LatestMerge(
            entities.size(), features.size(), view.hasTtl() ? view.ttl().toNanos() : 0, counts),
        Encoders.row(DataTypes.createStructType(out)));
  }

  private Dataset<Row> windows(
      FeatureView view,
      List<FeatureSelection.Selected> stored,
      List<Integer> positions,
      Dataset<Row> rows,
      long minTs,
      long maxTs,
      KeyedMerge.Counts counts,
      Map<String, List<String>> sourceFiles) {
    ParquetSource source = definitions.sourceOf(view);
    List<Entity> entities = definitions.entitiesOf(view);
    List<AggregateFeature> features = new ArrayList<>();
    List<Feature> columns = new ArrayList<>();
    List<String> columnNames = new ArrayList<>();
    long from = Long.MAX_VALUE;
    for (int s : positions) {
      String name = stored.get(s).feature().name();
      AggregateFeature feature =
          view.aggregateFeatures().stream()
              .filter(a -> a.name().equals(name))
              .findFirst()
              .orElseThrow();
      features.add(feature);
      if (feature.column() != null && !columnNames.contains(feature.column())) {
        columnNames.add(feature.column());
        columns.add(Feature.of(feature.column(), ValueType.scalar(feature.inputType())));
      }
      from =
          Math.min(from, WindowText.windowStart(minTs, feature.windowNanos(), feature.hopNanos()));
    }
    Dataset<Row> events =
        SourceFrames.read(
            spark,
            view,
            source,
            ViewColumns.ofEvents(source, entities, columns),
            repoRoot,
            from,
            maxTs);
    sourceFiles.put(view.name(), List.of(events.inputFiles()));
    List<Column> entitySide = new ArrayList<>();
    List<Column> eventSide = new ArrayList<>();
    leadingColumns(
        view, rows, events, events.col(SourceFrames.TS), SourceFrames.TS, entitySide, eventSide);
    entitySide.add(nullOf(DataTypes.IntegerType, SourceFrames.FILE));
    entitySide.add(nullOf(DataTypes.LongType, SourceFrames.ROW));
    eventSide.add(events.col(SourceFrames.FILE));
    eventSide.add(events.col(SourceFrames.ROW));
    for (Feature column : columns) {
      entitySide.add(nullOf(SparkTypes.of(column.type()), column.name()));
      eventSide.add(events.col(SourceFrames.quote(column.name())));
    }
    List<StructField> out = answerFields();
    for (int i = 0; i < features.size(); i++) {
      out.add(
          DataTypes.createStructField(
              storedName(positions.get(i)), SparkTypes.of(features.get(i).outputType()), true));
    }
    Dataset<Row> merged =
        sorted(
            withoutNullKeys(rows.select(entitySide.toArray(Column[]::new)), entities.size()),
            events.select(eventSide.toArray(Column[]::new)),
            entities.size(),
            SourceFrames.TS,
            List.of(functions.col(SourceFrames.FILE), functions.col(SourceFrames.ROW)));
    return merged.mapPartitions(
        new WindowMerge(entities.size(), features, columnNames, counts),
        Encoders.row(DataTypes.createStructType(out)));
  }

  /**
   * The columns every {@link KeyedMerge} reads first, on both sides of its union: the keys (cast to
   * the entities' types), the time the merge sorts by (the entity row's time; {@code eventTime} for
   * events) named {@code timeName}, the kind, and the entity row's ranks.
   */
  private void leadingColumns(
      FeatureView view,
      Dataset<Row> rows,
      Dataset<Row> events,
      Column eventTime,
      String timeName,
      List<Column> entitySide,
      List<Column> eventSide) {
    entitySide.addAll(entityKeys(view, rows));
    List<Entity> entities = definitions.entitiesOf(view);
    for (int k = 0; k < entities.size(); k++) {
      eventSide.add(events.col(SourceFrames.quote(entities.get(k).joinKey())).as(keyName(k)));
    }
    entitySide.add(rows.col(SourceFrames.TS).as(timeName));
    eventSide.add(eventTime.as(timeName));
    entitySide.add(functions.lit(KeyedMerge.ENTITY).as(KeyedMerge.KIND));
    eventSide.add(functions.lit(KeyedMerge.EVENT).as(KeyedMerge.KIND));
    entitySide.add(rows.col(KeyedMerge.ENTITY_FILE));
    entitySide.add(rows.col(KeyedMerge.ENTITY_ROW));
    eventSide.add(nullOf(DataTypes.IntegerType, KeyedMerge.ENTITY_FILE));
    eventSide.add(nullOf(DataTypes.LongType, KeyedMerge.ENTITY_ROW));
  }

  private static List<StructField> answerFields() {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField(KeyedMerge.ENTITY_FILE, DataTypes.IntegerType, false));
    fields.add(DataTypes.createStructField(KeyedMerge.ENTITY_ROW, DataTypes.LongType, false));
    return fields;
  }

  private static Column nullOf(DataType type, String name) {
    return functions.lit(null).cast(type).as(name);
  }

  /**
   * Entity rows with a null join key (after the cast to the entity's type) take no part: their
   * features stay null.
   */
  private static Dataset<Row> withoutNullKeys(Dataset<Row> entitySide, int keys) {
    Column condition = functions.lit(true);
    for (int k = 0; k < keys; k++) {
      condition = condition.and(functions.col(keyName(k)).isNotNull());
    }
    return entitySide.where(condition);
  }

  /**
   * Entity rows and events, partitioned by key and sorted by key, time, kind (events first) and
   * then {@code order}: what a {@link KeyedMerge} reads.
   */
  private static Dataset<Row> sorted(
      Dataset<Row> entitySide, Dataset<Row> eventSide, int keys, String time, List<Column> order) {
    Dataset<Row> union = entitySide.union(eventSide);
    Column[] keyColumns = new Column[keys];
    for (int k = 0; k < keys; k++) {
      keyColumns[k] = functions.col(keyName(k));
    }
    List<Column> sort = new ArrayList<>(Arrays.asList(keyColumns));
    sort.add(functions.col(time));
    sort.add(functions.col(KeyedMerge.KIND));
    sort.addAll(order);
    return union.repartition(keyColumns).sortWithinPartitions(sort.toArray(Column[]::new));
  }

  private Dataset<Row> withOnDemand(Dataset<Row> joined, FeatureSelection selection) {
    OnDemandEvaluator evaluator = OnDemandEvaluator.forTraining(selection, definitions);
    int[] inputs = evaluator.inputIndexes(selection);
    List<Variable> variables = evaluator.variables();
    // Request fields are entity columns, read as their declared types.
    Dataset<Row> typed = joined;
    for (Variable variable : variables) {
      if (variable.isRequestField()) {
        field(
            joined.schema(),
            variable.name(),
            "the request field of on-demand feature view '" + evaluator.viewOf(variable) + "'");
        typed =
            typed.withColumn(
                requestName(variable.name()),
                joined
                    .col(SourceFrames.quote(variable.name()))
                    .cast(SparkTypes.of(variable.type())));
      }
    }
    List<String> names = Arrays.asList(typed.columns());
    int[] columns = new int[variables.size()];
    for (int v = 0; v < columns.length; v++) {
      columns[v] =
          names.indexOf(
              inputs[v] < 0 ? requestName(variables.get(v).name()) : storedName(inputs[v]));
    }
    List<StructField> fields = new ArrayList<>(Arrays.asList(typed.schema().fields()));
    for (int c = 0; c < evaluator.features().size(); c++) {
      fields.add(
          DataTypes.createStructField(
              computedName(c), SparkTypes.of(evaluator.features().get(c).feature().type()), true));
    }
    return typed.mapPartitions(
        // By references: a reproduction's definitions hold the views used, not the service.
        new OnDemandColumns(
            OnDemandColumns.json(CanonicalForm.of(definitions)),
            null,
            selection.references(),
            columns),
        Encoders.row(DataTypes.createStructType(fields)));
  }

  private static String requestName(String field) {
    return "__quiver_request_" + field;
  }

  private static long saturatedMinus(long a, long b) {
    long r = a - b;
    return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
  }
}
