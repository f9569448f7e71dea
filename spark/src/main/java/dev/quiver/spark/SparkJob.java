package dev.quiver.spark;

import dev.quiver.QuiverException;
import dev.quiver.QuiverVersion;
import dev.quiver.offline.io.EntityColumns;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.plugin.SparkOfflineStoreType;
import dev.quiver.registry.store.RegistryException;
import dev.quiver.registry.store.RegistrySnapshot;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The Spark engine's entry point: {@code quiver historical}, {@code materialize} and {@code
 * materialize-incremental} of a repo whose offline store is {@code type: spark}. The CLI starts it
 * in its own JVM with this module's class path (the CLI jar holds no Spark); on a cluster, {@code
 * spark-submit --class dev.quiver.spark.SparkJob quiver-spark-job.jar historical ...} runs it as
 * the driver. Results are written by the executors; the driver holds one row of statistics.
 */
@Command(
    name = "quiver-spark",
    mixinStandardHelpOptions = true,
    subcommands = {SparkJob.Historical.class},
    description = "Quiver's jobs on Spark, as the CLI's commands of the same names.")
public final class SparkJob {

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new SparkJob());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof QuiverException) {
            commandLine.getErr().println("Error: " + e.getMessage());
            return 1;
          }
          throw e;
        });
    System.exit(cli.execute(args));
  }

  /** The repo, its registry's current version, and the engine's session. */
  static final class Repo implements AutoCloseable {
    final Path root;
    final ProjectConfig config;
    final RegistrySnapshot snapshot;
    final SparkSession spark;

    Repo(Path root) {
      this.root = root.toAbsolutePath().normalize();
      this.config = FeatureRepo.loadConfig(this.root, System.getenv());
      if (!config.offlineStore().type().equals(SparkOfflineStoreType.TYPE)) {
        throw new RegistryException(
            "The repo "
                + this.root
                + " selects offline_store type '"
                + config.offlineStore().type()
                + "', not 'spark'");
      }
      try (RegistryStore store = RegistryStores.open(config)) {
        this.snapshot = store.load();
      }
      if (snapshot.definitions().isEmpty()) {
        throw new RegistryException(
            "Cannot run: nothing is registered in project '"
                + config.project()
                + "' yet; run 'quiver apply' first");
      }
      this.spark = SparkEngine.session(config.offlineStore());
    }

    Definitions definitions() {
      return snapshot.definitions();
    }

    @Override
    public void close() {
      spark.stop();
    }
  }

  @Command(
      name = "historical",
      mixinStandardHelpOptions = true,
      description = "Build a point-in-time-correct training set on Spark.")
  static final class Historical implements Callable<Integer> {

    @Option(names = "--repo", defaultValue = ".", description = "The feature repo.")
    Path repo;

    @Option(names = "--entities", required = true, description = "Parquet entity rows.")
    String entities;

    @Option(names = "--timestamp-column", description = "Default: event_timestamp.")
    String timestampColumn;

    @Option(names = "--features", split = ",", description = "view:feature references.")
    List<String> features;

    @Option(names = "--feature-service")
    String featureService;

    @Option(names = "--output", required = true, description = "A .parquet file or a folder.")
    Path output;

    @Option(names = "--full-feature-names")
    boolean fullFeatureNames;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      Instant started = Instant.now();
      long startNanos = System.nanoTime();
      try (Repo repo = new Repo(this.repo)) {
        Definitions definitions = repo.definitions();
        FeatureSelection selection = FeatureSelection.of(definitions, featureService, features);
        SparkHistorical.Result result =
            new SparkHistorical(repo.spark, definitions, repo.root)
                .plan(
                    selection,
                    featureService,
                    features,
                    SourceFrames.isUri(entities)
                        ? entities
                        : Path.of(entities).toAbsolutePath().toUri().toString(),
                    timestampColumn,
                    fullFeatureNames);
        SparkOutput.write(result.table(), output);
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        DatasetManifest manifest =
            new DatasetManifest(
                QuiverVersion.current(),
                started,
                repo.config.project(),
                repo.root,
                repo.snapshot.version(),
                selection.references(),
                featureService,
                fullFeatureNames,
                DatasetManifest.usedDefinitions(definitions, selection),
                FileChecksums.entityRead(repo.spark, result.entityFiles(), result.rows()),
                new EntityColumns(timestampColumn, java.util.Map.of()),
                null,
                FileChecksums.sourceReads(repo.spark, result.sourceFiles()),
                output.toAbsolutePath().normalize(),
                result.rows(),
                result.sourceRowsRead().value(),
                result.skippedNullKeys().value(),
                result.skippedNullTimes().value(),
                millis);
        SparkOutput.writeText(DatasetManifest.pathFor(manifest.output()), manifest.toJson());
        PrintWriter out = spec.commandLine().getOut();
        out.println(
            "Wrote "
                + manifest.outputRows()
                + " rows with "
                + manifest.features().size()
                + (manifest.features().size() == 1 ? " feature to " : " features to ")
                + manifest.output()
                + " ("
                + manifest.sourceRowsRead()
                + " source rows read in "
                + String.format("%.1f", millis / 1000.0)
                + " s, on Spark).");
        out.println("Manifest: " + DatasetManifest.pathFor(manifest.output()));
        out.flush();
      }
      return 0;
    }
  }
}
