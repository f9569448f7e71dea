package dev.quiver.cli;

import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.FeatureStoreOptions;
import dev.quiver.sdk.HistoricalRequest;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "historical",
    mixinStandardHelpOptions = true,
    description = {
      "Build a point-in-time-correct training set from the registered definitions.",
      "",
      "For each entity row, each feature takes its value from the latest source row of the same",
      "key at or before the row's event_timestamp, within the view's ttl: no future values leak.",
      "CSV columns are typed by their values (bool, int64, float64, timestamp, else string);",
      "join keys and the request fields of on-demand features by their declared types.",
      "On-demand features read their request fields from the entity columns of those names.",
      "The output keeps every entity row once, in order, with all its columns, then the features.",
      "A manifest (<output>.manifest.json) records the inputs for 'quiver reproduce'."
    })
final class HistoricalCommand implements Callable<Integer> {

  @Option(
      names = "--entities",
      required = true,
      paramLabel = "FILE",
      description =
          "Entity rows: .parquet or .csv, with the join keys, the rows' times"
              + " (event_timestamp unless --timestamp-column names another column) and the"
              + " request fields of the on-demand features asked for.")
  Path entities;

  @Option(
      names = "--timestamp-column",
      paramLabel = "NAME",
      description = "The entity column holding each row's time (default: event_timestamp).")
  String timestampColumn;

  @Option(
      names = "--column-type",
      paramLabel = "NAME=TYPE",
      description = {
        "Read a CSV column as TYPE (bool, int32, int64, float32, float64, string, bytes,",
        "timestamp) instead of the type its values show; repeatable. NAME must be a column",
        "of the CSV file."
      })
  Map<String, String> columnTypes = new LinkedHashMap<>();

  @ArgGroup(multiplicity = "1")
  FeatureChoice features;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "FILE",
      description =
          "The training set: .parquet, .arrow or .csv; written atomically. With the Spark engine"
              + " (offline_store type spark): .parquet (one file) or a folder of Parquet files.")
  Path output;

  @Option(names = "--full-feature-names", description = "Name columns view__feature.")
  boolean fullFeatureNames;

  @Mixin RepoOption repo;

  @Mixin ServerOption server;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (server.server == null && SparkLauncher.selected(repo.root())) {
      return onSpark();
    }
    HistoricalRequest.Builder request =
        HistoricalRequest.builder().entities(entities).fullFeatureNames(fullFeatureNames);
    if (timestampColumn != null) {
      request.timestampColumn(timestampColumn);
    }
    columnTypes.forEach((column, type) -> request.columnType(column, scalarType(column, type)));
    if (features.references() != null) {
      request.features(features.references());
    } else {
      request.featureService(features.featureService);
    }
    try (FeatureStore store = server.open(repo, FeatureStoreOptions.defaults());
        Progress progress = Progress.of("Reading sources")) {
      DatasetManifest manifest =
          store.writeHistoricalFeatures(request.progress(progress).build(), output);
      printSummary(manifest, spec.commandLine().getOut());
    }
    return 0;
  }

  /** The same request as a Spark job (offline_store type spark). */
  private int onSpark() {
    if (entities.getFileName().toString().endsWith(".csv") || !columnTypes.isEmpty()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "The Spark engine reads entity rows from Parquet (a file, a folder or a URI Spark"
              + " reads); write the CSV as Parquet, or run on the embedded engine"
              + " (offline_store: {type: file})");
    }
    String name = output.getFileName().toString();
    if (name.endsWith(".arrow") || name.endsWith(".csv")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "The Spark engine writes Parquet: name the output .parquet (one file) or give a folder");
    }
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--repo", repo.root().toString()));
    // As typed: a URI such as hdfs://nn/entities/ does not survive being a Path.
    args.addAll(
        List.of(
            "--entities",
            spec.commandLine().getParseResult().matchedOption("--entities").stringValues().get(0)));
    args.addAll(List.of("--output", output.toString()));
    if (timestampColumn != null) {
      args.addAll(List.of("--timestamp-column", timestampColumn));
    }
    if (features.references() != null) {
      args.addAll(List.of("--features", String.join(",", features.references())));
    } else {
      args.addAll(List.of("--feature-service", features.featureService));
    }
    if (fullFeatureNames) {
      args.add("--full-feature-names");
    }
    return SparkLauncher.run("historical", args);
  }

  private ScalarType scalarType(String column, String type) {
    return ScalarType.fromYamlName(type)
        .orElseThrow(
            () ->
                new CommandLine.ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '--column-type': unknown type '"
                        + type
                        + "' for column '"
                        + column
                        + "' (one of "
                        + String.join(", ", ScalarType.yamlNames())
                        + ")"));
  }

  static void printSummary(DatasetManifest manifest, PrintWriter out) {
    manifest.summaryLines().forEach(out::println);
  }
}
