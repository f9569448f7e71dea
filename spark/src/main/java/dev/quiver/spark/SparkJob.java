package dev.quiver.spark;

import dev.quiver.QuiverException;
import dev.quiver.QuiverVersion;
import dev.quiver.materializer.MaterializationOptions;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.offline.io.EntityColumns;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.online.OnlineStoreException;
import dev.quiver.online.OnlineStoreFactory;
import dev.quiver.online.OnlineStores;
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
    subcommands = {
      SparkJob.Historical.class,
      SparkJob.Materialize.class,
      SparkJob.MaterializeIncremental.class,
      SparkJob.Reproduce.class
    },
    description = "Quiver's jobs on Spark, as the CLI's commands of the same names.")
public final class SparkJob {

  public static void main(String[] args) {
    System.exit(cli().execute(args));
  }

  /** The job's command line: Quiver's errors as one line each, exit 1. */
  static CommandLine cli() {
    CommandLine cli = new CommandLine(new SparkJob());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          // A task's error reaches the driver wrapped in Spark's: say Quiver's, as the CLI does.
          for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof QuiverException quiver) {
              commandLine.getErr().println("Error: " + quiver.getMessage());
              return 1;
            }
          }
          throw e;
        });
    return cli;
  }

  /** The repo, its registry's current version, and the engine's session. */
  static final class Repo implements AutoCloseable {
    final Path root;
    final ProjectConfig config;

    /** Open while the job runs: a materialization records its intervals in its log. */
    final RegistryStore registry;

    final RegistrySnapshot snapshot;
    final SparkSession spark;
    private final java.util.Deque<AutoCloseable> closing = new java.util.ArrayDeque<>();

    Repo(Path root) {
      this(root, false);
    }

    /**
     * @param materializing whether the job writes the online store, which is checked before Spark
     *     starts
     */
    Repo(Path root, boolean materializing) {
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
      this.registry = RegistryStores.open(config);
      try {
        this.snapshot = registry.load();
        if (snapshot.definitions().isEmpty()) {
          throw new RegistryException(
              "Cannot run: nothing is registered in project '"
                  + config.project()
                  + "' yet; run 'quiver apply' first");
        }
        if (materializing) {
          checkOnlineStore(config);
        }
        this.spark = SparkEngine.session(config.offlineStore());
      } catch (RuntimeException e) {
        registry.close();
        throw e;
      }
      onClose(registry);
    }

    Definitions definitions() {
      return snapshot.definitions();
    }

    /** Closed when the repo is, before the session stops, last added first. */
    void onClose(AutoCloseable resource) {
      closing.push(resource);
    }

    @Override
    public void close() {
      try {
        while (!closing.isEmpty()) {
          try {
            closing.pop().close();
          } catch (Exception e) {
            System.err.println("warning: " + e.getMessage());
          }
        }
      } finally {
        spark.stop();
      }
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
      try (Repo repo = new Repo(this.repo)) {
        Definitions definitions = repo.definitions();
        FeatureSelection selection = FeatureSelection.of(definitions, featureService, features);
        DatasetManifest manifest =
            trainingSet(
                repo.spark,
                new Recorded(
                    repo.config.project(),
                    repo.root,
                    repo.snapshot.version(),
                    definitions,
                    featureService,
                    fullFeatureNames),
                selection,
                entities,
                timestampColumn,
                output);
        printSummary(manifest, spec.commandLine().getOut());
      }
      return 0;
    }
  }

  /** What a training set's manifest records besides what was read: its request and registry. */
  record Recorded(
      String project,
      Path repoRoot,
      long registryVersion,
      Definitions definitions,
      String featureService,
      boolean fullFeatureNames) {}

  /** Builds a training set on Spark, writes it and its manifest. */
  static DatasetManifest trainingSet(
      SparkSession spark,
      Recorded recorded,
      FeatureSelection selection,
      String entities,
      String timestampColumn,
      Path output) {
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    String location =
        SourceFrames.isUri(entities)
            ? entities
            : Path.of(entities).toAbsolutePath().normalize().toUri().toString();
    SparkHistorical.Result result =
        new SparkHistorical(spark, recorded.definitions(), recorded.repoRoot())
            .plan(selection, location, timestampColumn, recorded.fullFeatureNames());
    SparkOutput.write(result.table(), SparkHistorical.Result.ORDER, output);
    long millis = (System.nanoTime() - startNanos) / 1_000_000;
    DatasetManifest manifest =
        new DatasetManifest(
            QuiverVersion.current(),
            started,
            recorded.project(),
            recorded.repoRoot(),
            recorded.registryVersion(),
            selection.references(),
            recorded.featureService(),
            recorded.fullFeatureNames(),
            DatasetManifest.usedDefinitions(recorded.definitions(), selection),
            FileChecksums.entityRead(spark, location, result.entityFiles(), result.rows()),
            new EntityColumns(timestampColumn, java.util.Map.of()),
            null,
            FileChecksums.sourceReads(spark, result.sourceFiles()),
            output.toAbsolutePath().normalize(),
            result.rows(),
            result.counts().read().value(),
            result.counts().nullKeys().value(),
            result.counts().nullTimes().value(),
            millis,
            DatasetManifest.SPARK);
    SparkOutput.writeText(DatasetManifest.pathFor(manifest.output()), manifest.toJson());
    return manifest;
  }

  static void printSummary(DatasetManifest manifest, PrintWriter out) {
    manifest.summaryLines().forEach(out::println);
    out.flush();
  }

  @Command(
      name = "reproduce",
      mixinStandardHelpOptions = true,
      description = {
        "Build a training set again on Spark from the manifest of one Spark built.",
        "Refuses, naming each one, when an input file changed since (size or checksum)."
      })
  static final class Reproduce implements Callable<Integer> {

    @CommandLine.Parameters(paramLabel = "MANIFEST", description = "An <output>.manifest.json.")
    Path manifest;

    @Option(names = "--output", required = true, description = "A .parquet file or a folder.")
    Path output;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      DatasetManifest original = DatasetManifest.read(manifest);
      Definitions definitions =
          FeatureRepo.definitionsFromData(original.definitions(), manifest.toString());
      ProjectConfig config = FeatureRepo.loadConfig(original.repoRoot(), System.getenv());
      SparkSession spark =
          SparkEngine.session(
              config.offlineStore().type().equals(SparkOfflineStoreType.TYPE)
                  ? config.offlineStore()
                  : new dev.quiver.registry.model.StoreConfig(
                      SparkOfflineStoreType.TYPE, java.util.Map.of(), null));
      try {
        List<String> changes = InputChanges.of(spark, original, definitions);
        if (!changes.isEmpty()) {
          throw new dev.quiver.registry.InvalidRequestException(
              "Cannot reproduce: "
                  + (changes.size() == 1 ? "an input changed" : changes.size() + " inputs changed")
                  + " since the manifest was written: "
                  + String.join("; ", changes));
        }
        FeatureSelection selection = FeatureSelection.of(definitions, null, original.features());
        DatasetManifest written =
            trainingSet(
                spark,
                new Recorded(
                    original.project(),
                    original.repoRoot(),
                    original.registryVersion(),
                    definitions,
                    original.featureService(),
                    original.fullFeatureNames()),
                selection,
                original.entities().path().toUri().toString(),
                original.entityColumns().timestampColumn(),
                output);
        printSummary(written, spec.commandLine().getOut());
      } finally {
        spark.stop();
      }
      return 0;
    }
  }

  /** The repo's materializer, its copies run as Spark jobs. */
  static Materializer materializer(Repo repo, OnlineTarget target) {
    ProjectConfig config = repo.config;
    OnlineStoreFactory factory = OnlineStores.factory(config);
    repo.onClose(OnlineTarget::closeAll);
    return new Materializer(
        repo.definitions(),
        repo.root,
        target.store(),
        repo.registry.materializationLog(factory.identity(config.onlineStore(), config)),
        MaterializationOptions.defaults(),
        MemoryBudget.process(),
        new SparkMaterialization(repo.spark, repo.root, target));
  }

  /**
   * Refuses, before Spark starts, an online store the engine's executors cannot write: one whose
   * rows live in the process that opens it (memory), or, on a cluster, one that only one process
   * may open (RocksDB).
   */
  static void checkOnlineStore(ProjectConfig config) {
    OnlineStoreFactory factory = OnlineStores.factory(config);
    if (!factory.capabilities().contains(OnlineStoreFactory.Capability.DURABLE)) {
      throw new OnlineStoreException(
          "Cannot materialize on Spark into an online store of type '"
              + config.onlineStore().type()
              + "': its rows live only in the process that opens it");
    }
    String master = SparkEngine.master(config.offlineStore());
    if (!factory.capabilities().contains(OnlineStoreFactory.Capability.SHARED_BETWEEN_PROCESSES)
        && !SparkEngine.isLocal(master)) {
      throw new OnlineStoreException(
          "Cannot materialize on the Spark cluster "
              + master
              + " into the online store of type '"
              + config.onlineStore().type()
              + "': it is embedded in one process, and a cluster's executors are other processes;"
              + " use a local[N] master, or an online store several processes write (type: redis)");
    }
  }

  /** Runs a materialization with the repo's materializer on Spark and prints what it did. */
  static int materialize(
      Path repoRoot,
      CommandLine.Model.CommandSpec spec,
      java.util.function.Function<Materializer, List<Materializer.ViewResult>> run) {
    try (Repo repo = new Repo(repoRoot, true)) {
      List<Materializer.ViewResult> results =
          run.apply(materializer(repo, new OnlineTarget(repo.config)));
      PrintWriter out = spec.commandLine().getOut();
      Materializer.summaryLines(results, "Spark").forEach(out::println);
      out.flush();
    }
    return 0;
  }

  @Command(
      name = "materialize",
      mixinStandardHelpOptions = true,
      description = "Copy the latest values of START <= ts <= END into the online store on Spark.")
  static final class Materialize implements Callable<Integer> {

    @Option(names = "--repo", defaultValue = ".", description = "The feature repo.")
    Path repo;

    @CommandLine.Parameters(index = "0", paramLabel = "START", description = "ISO-8601 instant.")
    Instant start;

    @CommandLine.Parameters(index = "1", paramLabel = "END", description = "ISO-8601 instant.")
    Instant end;

    @Option(names = "--views", split = ",", description = "Only these views.")
    List<String> views = List.of();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      return materialize(
          repo, spec, m -> m.materialize(start, end, views, MaterializationProgress.NONE));
    }
  }

  @Command(
      name = "materialize-incremental",
      mixinStandardHelpOptions = true,
      description = "Materialize each view from where its last run ended up to END, on Spark.")
  static final class MaterializeIncremental implements Callable<Integer> {

    @Option(names = "--repo", defaultValue = ".", description = "The feature repo.")
    Path repo;

    @CommandLine.Parameters(index = "0", paramLabel = "END", description = "ISO-8601 instant.")
    Instant end;

    @Option(names = "--views", split = ",", description = "Only these views.")
    List<String> views = List.of();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      return materialize(
          repo, spec, m -> m.materializeIncremental(end, views, MaterializationProgress.NONE));
    }
  }
}
