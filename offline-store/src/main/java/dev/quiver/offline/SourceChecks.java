package dev.quiver.offline;

import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.parquet.ParquetField;
import dev.quiver.offline.parquet.ParquetTableReader;
import dev.quiver.offline.parquet.SourceFiles;
import dev.quiver.registry.load.DefinitionLocations;
import dev.quiver.registry.load.Problem;
import dev.quiver.registry.load.Suggestions;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.SourceLocation;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.schema.Type;

/**
 * Checks, before anything is registered, that each source's Parquet files can serve its views:
 * every column a view reads exists in every file with a compatible type. Only footers are read. A
 * path that matches no file yet is a warning (data often arrives later).
 */
public final class SourceChecks {

  private SourceChecks() {}

  /** Problems that refuse the repo, and warnings to show. */
  public record Result(List<Problem> errors, List<Problem> warnings) {}

  /**
   * @param locations where the definitions' keys were written: a problem points at the key that
   *     names the column ({@link DefinitionLocations#NONE} to point at objects only)
   */
  public static Result check(
      Definitions definitions, DefinitionLocations locations, Path repoRoot) {
    List<Problem> errors = new ArrayList<>();
    List<Problem> warnings = new ArrayList<>();
    for (ParquetSource source : definitions.sources()) {
      SourceLocation at = locationOf(source.location());
      List<Path> files = SourceFiles.resolve(repoRoot, source.path());
      if (files.isEmpty()) {
        warnings.add(
            new Problem(
                at,
                "source '"
                    + source.name()
                    + "': path '"
                    + source.path()
                    + "' matches no Parquet file yet"));
        continue;
      }
      List<Need> needs = needs(definitions, locations, source);
      for (Path file : files) {
        checkFile(source, file, repoRoot, needs, errors);
      }
    }
    return new Result(errors, warnings);
  }

  /**
   * A column some definition reads, where the definition names it and where it declares the type
   * expected (the same place, but for a feature's {@code type}).
   *
   * @param declarable whether the definition declares the column's type itself (a feature), so that
   *     declaring the column's own type is the fix
   */
  private record Need(
      ColumnSpec column,
      String neededBy,
      SourceLocation at,
      SourceLocation typeAt,
      boolean declarable) {

    Need(ColumnSpec column, String neededBy, SourceLocation at) {
      this(column, neededBy, at, at, false);
    }
  }

  private static List<Need> needs(
      Definitions definitions, DefinitionLocations locations, ParquetSource source) {
    List<Need> needs = new ArrayList<>();
    SourceLocation sourceAt = locationOf(source.location());
    needs.add(
        new Need(
            new ColumnSpec(
                source.timestampField(),
                source.timestampField(),
                ValueType.scalar(ScalarType.TIMESTAMP)),
            "its timestamp_field",
            locations.value(ObjectKind.SOURCE, source.name(), "timestamp_field").orElse(sourceAt)));
    if (source.createdTimestampField() != null) {
      needs.add(
          new Need(
              new ColumnSpec(
                  source.createdTimestampField(),
                  source.createdTimestampField(),
                  ValueType.scalar(ScalarType.TIMESTAMP)),
              "its created_timestamp_field",
              locations
                  .value(ObjectKind.SOURCE, source.name(), "created_timestamp_field")
                  .orElse(sourceAt)));
    }
    for (FeatureView view : definitions.featureViews()) {
      if (!definitions.offlineSourceName(view).equals(source.name())) {
        continue;
      }
      SourceLocation viewAt = locationOf(view.location());
      String by = "feature view '" + view.name() + "'";
      for (String entityName : view.entities()) {
        Optional<Entity> entity = definitions.entity(entityName);
        entity.ifPresent(
            e ->
                needs.add(
                    new Need(
                        new ColumnSpec(
                            source.columnFor(e.joinKey()), e.joinKey(), ValueType.scalar(e.type())),
                        by + " (join key of entity '" + e.name() + "')",
                        mappedColumnAt(locations, source, e.joinKey())
                            .or(
                                () ->
                                    locations.item(
                                        ObjectKind.FEATURE_VIEW,
                                        view.name(),
                                        "entities",
                                        entityName))
                            .orElse(viewAt))));
      }
      for (Feature feature : view.sourceColumns()) {
        String name = feature.name();
        Optional<SourceLocation> nameAt =
            view.isAggregation()
                ? locations.aggregationValue(view.name(), name, "column")
                : locations.featureValue(view.name(), name, "name");
        Optional<SourceLocation> typeAt =
            view.isAggregation()
                ? locations.aggregationValue(view.name(), name, "type")
                : locations.featureValue(view.name(), name, "type");
        needs.add(
            new Need(
                new ColumnSpec(source.columnFor(name), name, feature.type()),
                by,
                mappedColumnAt(locations, source, name).or(() -> nameAt).orElse(viewAt),
                typeAt.orElse(viewAt),
                true));
      }
    }
    return needs;
  }

  /** Where {@code field_mapping} names the column read for {@code name}, when it renames it. */
  private static Optional<SourceLocation> mappedColumnAt(
      DefinitionLocations locations, ParquetSource source, String name) {
    String column = source.columnFor(name);
    if (column.equals(name)) {
      return Optional.empty();
    }
    return locations.mappingKey(ObjectKind.SOURCE, source.name(), "field_mapping", column);
  }

  private static void checkFile(
      ParquetSource source, Path file, Path repoRoot, List<Need> needs, List<Problem> errors) {
    String shown = repoRoot.relativize(file.toAbsolutePath()).toString();
    try (ParquetTableReader reader = ParquetTableReader.open(file)) {
      List<String> columns = reader.schema().getFields().stream().map(Type::getName).toList();
      for (Need need : needs) {
        String name = need.column().sourceName();
        Optional<ParquetField> field = ParquetField.find(reader.schema(), name);
        if (field.isEmpty()) {
          errors.add(
              new Problem(
                  need.at(),
                  "source '"
                      + source.name()
                      + "': "
                      + shown
                      + " has no column '"
                      + name
                      + "' ("
                      + need.neededBy()
                      + ")"
                      + Suggestions.nameHint(name, columns)));
        } else if (!field.get().canReadAs(need.column().type())) {
          errors.add(
              new Problem(
                  need.typeAt(),
                  "source '"
                      + source.name()
                      + "': column '"
                      + name
                      + "' of "
                      + shown
                      + " is "
                      + field.get().describe()
                      + ", expected "
                      + need.column().type()
                      + " ("
                      + need.neededBy()
                      + ")"
                      + declareHint(need, field.get())));
        }
      }
    } catch (SourceDataException e) {
      errors.add(
          new Problem(
              locationOf(source.location()), "source '" + source.name() + "': " + e.getMessage()));
    }
  }

  /** For a feature, the column's own type to declare (values are never converted to another). */
  private static String declareHint(Need need, ParquetField field) {
    if (!need.declarable()) {
      return "";
    }
    return field
        .naturalType()
        .map(natural -> "; declare " + natural + ", the column's type")
        .orElse("");
  }

  private static SourceLocation locationOf(SourceLocation location) {
    return location == null ? SourceLocation.ofFile("(registry)") : location;
  }
}
