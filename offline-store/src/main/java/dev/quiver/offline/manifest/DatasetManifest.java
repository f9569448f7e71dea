package dev.quiver.offline.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quiver.offline.io.EntityColumns;
import dev.quiver.offline.io.FileRead;
import dev.quiver.offline.join.SourceFileRead;
import dev.quiver.offline.stats.FeatureStatistics;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KafkaSource;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a training set was made from, written next to it as {@code <output>.manifest.json}: the
 * Quiver and registry versions, the features, the definitions used, and the fingerprint of the
 * entity file and of every source file read. {@code quiver reproduce} reads it back.
 *
 * @param definitions the canonical form of the entities, sources and views the request used
 * @param entityColumns how the entity rows were read: their timestamp column, if named, and the
 *     types given to CSV columns; for a manifest written before CSV columns were inferred, every
 *     untyped column as string, as that run read them
 * @param entityColumnTypes the type every column of a CSV entity file was read as, in the file's
 *     order, so that {@code reproduce} reads them alike; null for Parquet files, Arrow tables and
 *     manifests written before it was recorded
 * @param engine what built it: {@link #EMBEDDED} (also for manifests from before it was recorded)
 *     or {@link #SPARK}, whose checksums cover whole files; {@code reproduce} runs on the same
 *     engine
 */
public record DatasetManifest(
    String quiverVersion,
    Instant createdAt,
    String project,
    Path repoRoot,
    long registryVersion,
    List<String> features,
    String featureService,
    boolean fullFeatureNames,
    Map<String, Object> definitions,
    FileRead entities,
    EntityColumns entityColumns,
    Map<String, ScalarType> entityColumnTypes,
    List<SourceFileRead> sources,
    Path output,
    long outputRows,
    long sourceRowsRead,
    long skippedNullKeyRows,
    long skippedNullTimestampRows,
    long durationMillis,
    String engine,
    List<FeatureStatistics> statistics) {

  public static final int FORMAT = 1;

  /** The engine of training sets built in process. */
  public static final String EMBEDDED = "embedded";

  /** The engine of training sets built as Spark jobs ({@code offline_store: {type: spark}}). */
  public static final String SPARK = "spark";

  public DatasetManifest {
    engine = engine == null ? EMBEDDED : engine;
    statistics = statistics == null ? List.of() : List.copyOf(statistics);
  }

  /** A manifest without statistics (the Spark engine's, and those written before them). */
  public DatasetManifest(
      String quiverVersion,
      Instant createdAt,
      String project,
      Path repoRoot,
      long registryVersion,
      List<String> features,
      String featureService,
      boolean fullFeatureNames,
      Map<String, Object> definitions,
      FileRead entities,
      EntityColumns entityColumns,
      Map<String, ScalarType> entityColumnTypes,
      List<SourceFileRead> sources,
      Path output,
      long outputRows,
      long sourceRowsRead,
      long skippedNullKeyRows,
      long skippedNullTimestampRows,
      long durationMillis,
      String engine) {
    this(
        quiverVersion,
        createdAt,
        project,
        repoRoot,
        registryVersion,
        features,
        featureService,
        fullFeatureNames,
        definitions,
        entities,
        entityColumns,
        entityColumnTypes,
        sources,
        output,
        outputRows,
        sourceRowsRead,
        skippedNullKeyRows,
        skippedNullTimestampRows,
        durationMillis,
        engine,
        List.of());
  }

  /** The statistics of the training set's column {@code column}, if the manifest has them. */
  public java.util.Optional<FeatureStatistics> statisticsOf(String column) {
    return statistics.stream().filter(s -> s.column().equals(column)).findFirst();
  }

  /** This manifest with the statistics of the training set's feature columns. */
  public DatasetManifest withStatistics(List<FeatureStatistics> columns) {
    return copy(output, columns);
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * What the command line prints once the training set is written: its rows, features and output
   * (and the engine, when not the embedded one), the manifest, and the source rows skipped.
   */
  public List<String> summaryLines() {
    List<String> lines = new ArrayList<>();
    lines.add(
        "Wrote "
            + outputRows
            + " rows with "
            + features.size()
            + (features.size() == 1 ? " feature to " : " features to ")
            + output
            + " ("
            + sourceRowsRead
            + " source rows read in "
            + String.format(Locale.ROOT, "%.1f", durationMillis / 1000.0)
            + " s"
            + (engine.equals(SPARK) ? ", on Spark" : "")
            + ").");
    lines.add("Manifest: " + pathFor(output));
    if (skippedNullKeyRows + skippedNullTimestampRows > 0) {
      lines.add(
          "Skipped source rows: "
              + skippedNullKeyRows
              + " with a null join key, "
              + skippedNullTimestampRows
              + " with a null timestamp.");
    }
    return lines;
  }

  /** This manifest, describing the same training set written to {@code file}. */
  public DatasetManifest withOutput(Path file) {
    return copy(file, statistics);
  }

  private DatasetManifest copy(Path file, List<FeatureStatistics> columns) {
    return new DatasetManifest(
        quiverVersion,
        createdAt,
        project,
        repoRoot,
        registryVersion,
        features,
        featureService,
        fullFeatureNames,
        definitions,
        entities,
        entityColumns,
        entityColumnTypes,
        sources,
        file,
        outputRows,
        sourceRowsRead,
        skippedNullKeyRows,
        skippedNullTimestampRows,
        durationMillis,
        engine,
        columns);
  }

  /** How a manifest's file name ends: the training set's name, then this. */
  public static final String SUFFIX = ".manifest.json";

  /** The manifest path of an output file. */
  public static Path pathFor(Path output) {
    return output.resolveSibling(output.getFileName() + SUFFIX);
  }

  public String toJson() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("format", FORMAT);
    map.put("quiver_version", quiverVersion);
    map.put("created_at", createdAt.toString());
    map.put("project", project);
    map.put("repo_root", repoRoot.toString());
    map.put("registry_version", registryVersion);
    map.put("features", features);
    map.put("feature_service", featureService);
    map.put("full_feature_names", fullFeatureNames);
    map.put("entities", fileMap(entities));
    if (!entityColumns.isDefault()) {
      // Only when given, so that manifests of requests without them read as before.
      Map<String, Object> columns = new LinkedHashMap<>();
      columns.put("timestamp_column", entityColumns.timestampColumn());
      Map<String, String> types = new TreeMap<>();
      entityColumns.types().forEach((name, type) -> types.put(name, type.yamlName()));
      columns.put("column_types", types);
      if (entityColumns.untypedColumns() != null) {
        columns.put("untyped_columns", entityColumns.untypedColumns().yamlName());
      }
      map.put("entity_columns", columns);
    }
    if (entityColumnTypes != null) {
      Map<String, String> types = new LinkedHashMap<>();
      entityColumnTypes.forEach((name, type) -> types.put(name, type.yamlName()));
      map.put("entity_column_types", types);
    }
    List<Object> sourceMaps = new ArrayList<>();
    for (SourceFileRead source : sources) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("view", source.view());
      s.putAll(fileMap(source.file()));
      s.put("row_groups_read", source.rowGroupsRead());
      s.put("row_groups", source.rowGroups());
      sourceMaps.add(s);
    }
    map.put("sources", sourceMaps);
    // An in-memory training set has no output file yet.
    Map<String, Object> outputMap = new LinkedHashMap<>();
    outputMap.put("path", output == null ? null : output.toString());
    outputMap.put("rows", outputRows);
    map.put("output", outputMap);
    map.put("source_rows_read", sourceRowsRead);
    map.put("skipped_rows_null_key", skippedNullKeyRows);
    map.put("skipped_rows_null_timestamp", skippedNullTimestampRows);
    map.put("duration_ms", durationMillis);
    if (!engine.equals(EMBEDDED)) {
      // Only when another engine built it, so that embedded manifests read as before.
      map.put("engine", engine);
    }
    if (!statistics.isEmpty()) {
      // Only when computed, so that manifests without them read as before.
      Map<String, Object> columns = new LinkedHashMap<>();
      for (FeatureStatistics column : statistics) {
        columns.put(column.column(), column.toMap());
      }
      map.put("statistics", columns);
    }
    map.put("definitions", definitions);
    try {
      return JSON.writeValueAsString(map) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a manifest", e);
    }
  }

  private static Map<String, Object> fileMap(FileRead file) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("path", file.path().toString());
    map.put("size", file.size());
    map.put("modified", file.modified().toString());
    map.put("crc32c", file.checksumHex());
    map.put("bytes_hashed", file.bytesRead());
    map.put("rows", file.rows());
    return map;
  }

  /**
   * @throws InvalidRequestException when the file is missing, unreadable or not a manifest this
   *     Quiver reads
   */
  public static DatasetManifest read(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new InvalidRequestException("There is no training-set manifest " + file);
    } catch (IOException e) {
      throw new InvalidRequestException(
          "The training-set manifest " + file + " cannot be read (" + e + ")", e);
    }
    return fromJson(text, file.toString());
  }

  /**
   * A manifest from its JSON text ({@link #toJson}).
   *
   * @param file where the text came from, for messages
   * @throws InvalidRequestException when the text is not a manifest this Quiver reads
   */
  @SuppressWarnings("unchecked")
  public static DatasetManifest fromJson(String text, String file) {
    Map<String, Object> map;
    try {
      map = JSON.readValue(text, new TypeReference<Map<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException(
          "The training-set manifest " + file + " is not valid JSON", e);
    }
    try {
      if (((Number) map.get("format")).intValue() != FORMAT) {
        throw new InvalidRequestException(
            "The training-set manifest " + file + " is of format " + map.get("format"));
      }
      List<SourceFileRead> sources = new ArrayList<>();
      for (Object item : (List<Object>) map.get("sources")) {
        Map<String, Object> s = (Map<String, Object>) item;
        sources.add(
            new SourceFileRead(
                (String) s.get("view"),
                file(s),
                ((Number) s.get("row_groups_read")).intValue(),
                ((Number) s.get("row_groups")).intValue()));
      }
      Map<String, Object> output = (Map<String, Object>) map.get("output");
      FileRead entities = file((Map<String, Object>) map.get("entities"));
      Map<String, String> recordedTypes = (Map<String, String>) map.get("entity_column_types");
      Map<String, ScalarType> entityColumnTypes =
          recordedTypes == null ? null : types(recordedTypes, file);
      return new DatasetManifest(
          (String) map.get("quiver_version"),
          Instant.parse((String) map.get("created_at")),
          (String) map.get("project"),
          Path.of((String) map.get("repo_root")),
          ((Number) map.get("registry_version")).longValue(),
          (List<String>) map.get("features"),
          (String) map.get("feature_service"),
          (Boolean) map.get("full_feature_names"),
          (Map<String, Object>) map.get("definitions"),
          entities,
          entityColumns(
              (Map<String, Object>) map.get("entity_columns"),
              entities,
              map.containsKey("entity_column_types"),
              file),
          entityColumnTypes,
          sources,
          output.get("path") == null ? null : Path.of((String) output.get("path")),
          ((Number) output.get("rows")).longValue(),
          ((Number) map.get("source_rows_read")).longValue(),
          ((Number) map.get("skipped_rows_null_key")).longValue(),
          ((Number) map.get("skipped_rows_null_timestamp")).longValue(),
          ((Number) map.get("duration_ms")).longValue(),
          (String) map.get("engine"),
          statistics((Map<String, Object>) map.get("statistics")));
    } catch (ClassCastException
        | NullPointerException
        | IllegalArgumentException
        | java.time.format.DateTimeParseException e) {
      throw new InvalidRequestException(
          "The training-set manifest " + file + " is incomplete or damaged", e);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<FeatureStatistics> statistics(Map<String, Object> columns) {
    List<FeatureStatistics> statistics = new ArrayList<>();
    if (columns != null) {
      columns.forEach(
          (column, map) ->
              statistics.add(FeatureStatistics.fromMap(column, (Map<String, Object>) map)));
    }
    return statistics;
  }

  @SuppressWarnings("unchecked")
  private static EntityColumns entityColumns(
      Map<String, Object> map, FileRead entities, boolean typesRecorded, String file) {
    if (map == null) {
      boolean csv = entities.path().toString().toLowerCase(Locale.ROOT).endsWith(".csv");
      // Neither options nor types: written before CSV columns were inferred, when every column
      // but the join keys and the time column was read as string.
      return csv && !typesRecorded
          ? new EntityColumns(null, Map.of(), ScalarType.STRING)
          : EntityColumns.defaults();
    }
    String untyped = (String) map.get("untyped_columns");
    return new EntityColumns(
        (String) map.get("timestamp_column"),
        types((Map<String, String>) map.get("column_types"), file),
        untyped == null
            ? null
            : ScalarType.fromYamlName(untyped)
                .orElseThrow(
                    () ->
                        new InvalidRequestException(
                            "The training-set manifest "
                                + file
                                + " gives the untyped columns the unknown type '"
                                + untyped
                                + "'")));
  }

  private static Map<String, ScalarType> types(Map<String, String> names, String file) {
    Map<String, ScalarType> types = new LinkedHashMap<>();
    names.forEach(
        (name, type) ->
            types.put(
                name,
                ScalarType.fromYamlName(type)
                    .orElseThrow(
                        () ->
                            new InvalidRequestException(
                                "The training-set manifest "
                                    + file
                                    + " gives column '"
                                    + name
                                    + "' the unknown type '"
                                    + type
                                    + "'"))));
    return Collections.unmodifiableMap(types);
  }

  private static FileRead file(Map<String, Object> map) {
    return new FileRead(
        Path.of((String) map.get("path")),
        ((Number) map.get("size")).longValue(),
        Instant.parse((String) map.get("modified")),
        Long.parseUnsignedLong((String) map.get("crc32c"), 16),
        ((Number) map.get("bytes_hashed")).longValue(),
        ((Number) map.get("rows")).longValue());
  }

  /** The canonical form of the entities, sources and views the selection uses. */
  public static Map<String, Object> usedDefinitions(
      Definitions definitions, FeatureSelection selection) {
    List<FeatureView> views = new ArrayList<>(selection.views());
    // An on-demand view's definition names all its inputs, read or not: they must be there too.
    for (FeatureSelection.Computed computed : selection.computed()) {
      for (String input : computed.view().inputs()) {
        definitions.featureView(input).filter(v -> !views.contains(v)).ifPresent(views::add);
      }
    }
    List<Entity> entities = new ArrayList<>();
    List<ParquetSource> sources = new ArrayList<>();
    List<KafkaSource> streams = new ArrayList<>();
    for (FeatureView view : views) {
      definitions
          .source(definitions.offlineSourceName(view))
          .filter(s -> !sources.contains(s))
          .ifPresent(sources::add);
      definitions.streamSourceOf(view).filter(s -> !streams.contains(s)).ifPresent(streams::add);
      for (String name : view.entities()) {
        definitions.entity(name).filter(e -> !entities.contains(e)).ifPresent(entities::add);
      }
    }
    // On-demand views too, so that a reproduction computes the same features.
    List<OnDemandFeatureView> onDemand = new ArrayList<>();
    for (FeatureSelection.Computed computed : selection.computed()) {
      if (!onDemand.contains(computed.view())) {
        onDemand.add(computed.view());
      }
    }
    return CanonicalForm.of(
        new Definitions(entities, sources, views, List.of(), streams, onDemand));
  }
}
