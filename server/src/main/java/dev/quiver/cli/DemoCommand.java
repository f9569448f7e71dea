package dev.quiver.cli;

import dev.quiver.QuiverException;
import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import dev.quiver.monitoring.logging.FeatureLogger;
import dev.quiver.monitoring.logging.LogSettings;
import dev.quiver.monitoring.logging.ServedRows;
import dev.quiver.offline.io.EntityFiles;
import dev.quiver.offline.io.ValueText;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KafkaSource;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.FeatureStoreOptions;
import dev.quiver.sdk.OnlineRequest;
import dev.quiver.sdk.OnlineResponse;
import dev.quiver.sdk.SourceValidation;
import dev.quiver.server.DriftSettings;
import dev.quiver.server.QuiverServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Walk through Quiver on a copy of the example repo.",
      "",
      "Copies the example repo to a new folder, generates its Parquet data, plans and applies it,",
      "lists the registry, builds a point-in-time-correct training set, materializes the latest",
      "values into the online store and reads some back, logs lookups of a feature service and",
      "checks them against training with 'quiver consistency', then serves the repo over HTTP (as",
      "'quiver serve') and prints a curl command to try. The copy is kept, so you can go on",
      "exploring it. Kafka ingestion ('quiver ingest') is skipped: the demo says whether a broker",
      "answers and how to run it."
    })
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--no-serve", description = "Stop before serving the repo over HTTP.")
  boolean noServe;

  @Option(
      names = "--port",
      defaultValue = "6566",
      description = "The port to serve on (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Where to create the demo repo (default: a new temporary folder).")
  Path dir;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path repo = dir != null ? dir.toAbsolutePath() : Files.createTempDirectory("quiver-demo-");
    if (!isEmptyOrAbsent(repo)) {
      throw new InvalidRequestException(
          "Cannot run the demo in " + repo + ": the folder is not empty; pick a new or empty one");
    }
    step(err, "Copying the example repo to " + repo);
    ExampleRepo.copyDefinitionsTo(repo);
    step(err, "Generating its Parquet data");
    // The data ends at the current hour, so online values are fresh (within their ttl) now.
    ExampleData.Options options =
        ExampleData.Options.defaults().withEnd(Instant.now().truncatedTo(ChronoUnit.HOURS));
    ExampleData.Summary data = ExampleData.generate(repo, options);
    data.rowsByFile().forEach((file, rows) -> err.println("  " + file + ": " + rows + " rows"));

    step(err, "quiver apply: validate the definitions, plan the changes and register them");
    FeatureRepo featureRepo = FeatureRepo.load(repo);
    SourceValidation.check(featureRepo, true);
    ApplyCommand.apply(featureRepo, out);
    out.println();
    out.flush();

    step(err, "quiver registry list: what is registered now");
    int listed =
        QuiverCli.commandLine()
            .setOut(out)
            .setErr(err)
            .execute("registry", "list", "--repo", repo.toString());
    if (listed != 0) {
      return listed;
    }
    out.println();
    out.flush();

    step(
        err,
        "quiver historical: a point-in-time-correct training set for 1,000 bookings, with the"
            + " drivers' trip counts and fares over the hour, day and week before each booking,"
            + " and on-demand features of each booking's fare quote");
    Path entities = ExampleData.writeEntityRows(repo, options, 1_000);
    Path trainingSet = repo.resolve("data/training_set.parquet");
    int built =
        QuiverCli.commandLine()
            .setOut(out)
            .setErr(err)
            .execute(
                "historical",
                "--entities",
                entities.toString(),
                "--feature-service",
                "driver_activity_v3",
                "--output",
                trainingSet.toString(),
                "--repo",
                repo.toString());
    if (built != 0) {
      return built;
    }
    out.println();
    printLastRows(trainingSet, 8, out);
    out.flush();

    out.println();
    out.flush();

    String start = options.end().minus(Duration.ofDays(options.days())).toString();
    String end = options.end().toString();
    step(
        err,
        "quiver materialize: the latest values of the last "
            + options.days()
            + " days, and the tiles of the trip windows, online");
    int materialized =
        QuiverCli.commandLine()
            .setOut(out)
            .setErr(err)
            .execute("materialize", start, end, "--repo", repo.toString());
    if (materialized != 0) {
      return materialized;
    }
    out.println();
    out.flush();

    List<String> pairs = Files.readAllLines(entities).subList(1, 4);
    String drivers = String.join(",", pairs.stream().map(l -> l.split(",")[0]).toList());
    String customers = String.join(",", pairs.stream().map(l -> l.split(",")[1]).toList());
    String quotes = String.join(",", pairs.stream().map(l -> l.split(",")[4]).toList());
    step(
        err,
        "quiver online: features for drivers "
            + drivers
            + " and their customers, with fare quotes "
            + quotes
            + " for the on-demand features");
    int looked =
        QuiverCli.commandLine()
            .setOut(out)
            .setErr(err)
            .execute(
                "online",
                "--feature-service",
                "driver_activity_v3",
                "--entity",
                "driver_id=" + drivers,
                "--entity",
                "customer_id=" + customers,
                "--request",
                "fare_quote=" + quotes,
                "--repo",
                repo.toString());
    if (looked != 0) {
      return looked;
    }
    out.flush();

    kafkaNote(featureRepo, repo, err);

    int checked = logAndCheck(repo, featureRepo, entities, out, err);
    if (checked != 0) {
      return checked;
    }

    err.println();
    err.println("The demo repo stays at " + repo + ". Try:");
    err.println("  ./quiver plan --repo " + repo);
    err.println("  ./quiver registry show driver_hourly_stats --repo " + repo);
    err.println("  ./quiver registry show driver_trip_activity --repo " + repo);
    err.println("  ./quiver registry show booking_risk --repo " + repo);
    err.println("  ./quiver registry history --repo " + repo);
    err.println(
        "  ./quiver serve --repo "
            + repo
            + " --drift-baseline data/training_set.parquet   # then open the web console at"
            + " http://127.0.0.1:"
            + port
            + "/ui");
    err.println(
        "  ./quiver online --features driver_trip_activity:count_1h,driver_trip_activity:fare_sum_1d"
            + " --entity driver_id="
            + drivers
            + " --repo "
            + repo);
    err.println(
        "  ./quiver online --features driver_hourly_stats:conv_rate --entity driver_id="
            + drivers
            + " --json --repo "
            + repo);
    err.println(
        "  ./quiver online --features booking_risk --entity driver_id="
            + drivers
            + " --request fare_quote="
            + quotes
            + " --repo "
            + repo);
    err.flush();
    if (noServe) {
      return 0;
    }

    err.println();
    step(err, "quiver serve: the feature server, with the API of Feast's feature server");
    // Drift against the training set built above shows from the first computation on.
    QuiverServer server =
        QuiverServer.start(
            repo,
            port,
            Map.of(DriftSettings.PREFIX + ".baseline", repo.relativize(trainingSet).toString()));
    err.println("Serving on http://127.0.0.1:" + server.port() + " (Ctrl-C stops).");
    err.println(
        "The web console: http://127.0.0.1:"
            + server.port()
            + "/ui (lineage, freshness, drift, consistency, history). Or try:");
    err.println(
        "  curl -s -X POST http://127.0.0.1:"
            + server.port()
            + "/get-online-features -d '{\"features\": [\"driver_hourly_stats:conv_rate\","
            + " \"driver_hourly_stats:acc_rate\"], \"entities\": {\"driver_id\": ["
            + drivers.replace(",", ", ")
            + "]}}'");
    err.println("  curl -s http://127.0.0.1:" + server.port() + "/health/ready");
    err.println("  curl -s http://127.0.0.1:" + server.port() + "/metrics");
    String project = FeatureRepo.loadConfig(repo, System.getenv()).project();
    err.println(
        "  curl -s http://127.0.0.1:" + server.port() + "/api/v1/projects/" + project + "/drift");
    err.println(
        "  curl -s http://127.0.0.1:"
            + server.port()
            + "/api/v1/projects/"
            + project
            + "/consistency");
    err.flush();
    server.serveUntilStopped();
    return 0;
  }

  /**
   * Serves lookups of the logged service through the server's logging path (in this process, no
   * HTTP), then replays the logged rows with {@code quiver consistency}.
   */
  private static int logAndCheck(
      Path repo, FeatureRepo featureRepo, Path entities, PrintWriter out, PrintWriter err)
      throws IOException, InterruptedException {
    String service = "driver_activity_v3";
    List<String> lines = Files.readAllLines(entities);
    int lookups = 20;
    int rowsPerLookup = 10;
    step(
        err,
        "Feature logging: "
            + lookups
            + " lookups of "
            + rowsPerLookup
            + " rows of feature service "
            + service
            + " (logging: {sample_rate: 1.0}), logged as the server logs them to "
            + featureRepo.config().logFolder(service));
    try (FeatureStore store = FeatureStore.open(repo, FeatureStoreOptions.defaults().readOnly());
        FeatureLogger logger =
            new FeatureLogger(
                featureRepo.config()::logFolder, LogSettings.defaults(), Clock.systemUTC())) {
      for (int lookup = 0; lookup < lookups; lookup++) {
        Map<String, List<Object>> rows = new LinkedHashMap<>();
        rows.put("driver_id", new ArrayList<>());
        rows.put("customer_id", new ArrayList<>());
        rows.put("fare_quote", new ArrayList<>());
        for (int row = 0; row < rowsPerLookup; row++) {
          String[] cells =
              lines.get(1 + (lookup * rowsPerLookup + row) % (lines.size() - 1)).split(",");
          rows.get("driver_id").add(Long.parseLong(cells[0]));
          rows.get("customer_id").add(Long.parseLong(cells[1]));
          rows.get("fare_quote").add(Double.parseDouble(cells[4]));
        }
        OnlineResponse response = store.onlineFeatures(OnlineRequest.ofService(service, rows));
        logger.offer(
            new ServedRows(service, store.registry().definitions(), Instant.now(), response));
      }
    }
    step(
        err,
        "quiver consistency: replay the logged rows through the point-in-time join and compare"
            + " what was served with what training sees");
    return QuiverCli.commandLine()
        .setOut(out)
        .setErr(err)
        .execute("consistency", "--service", service, "--repo", repo.toString());
  }

  /**
   * Prints the last rows of a training set as a table: bookings late in the period, with a week of
   * trips before them to aggregate.
   */
  private static void printLastRows(Path file, int rows, PrintWriter out) {
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot table = EntityFiles.read(file, Map.of(), allocator).root()) {
      List<String> names = table.getSchema().getFields().stream().map(f -> f.getName()).toList();
      TextTable text = new TextTable(names.toArray(String[]::new));
      int first = Math.max(0, table.getRowCount() - rows);
      for (int row = first; row < table.getRowCount(); row++) {
        String[] cells = new String[names.size()];
        for (int c = 0; c < names.size(); c++) {
          FieldVector vector = table.getVector(c);
          cells[c] = vector.isNull(row) ? "null" : ValueText.format(vector, row);
        }
        text.add(cells);
      }
      out.println(
          "Last " + (table.getRowCount() - first) + " of " + table.getRowCount() + " rows:");
      text.print(out, false);
    }
  }

  /**
   * Kafka ingestion is the one step the demo leaves out: it needs a broker, and its topic events
   * the demo has no producer for. It says so, whether a broker answers, and how to run it.
   */
  private static void kafkaNote(FeatureRepo featureRepo, Path repo, PrintWriter err) {
    Definitions definitions = featureRepo.definitions();
    for (KafkaSource source : definitions.streamSources()) {
      List<String> views =
          definitions.featureViews().stream()
              .filter(v -> v.source().equals(source.name()))
              .map(FeatureView::name)
              .toList();
      String bootstrap;
      try {
        bootstrap = source.connection(System.getenv()).get("bootstrap.servers");
      } catch (QuiverException e) {
        step(err, "quiver ingest: skipped, no Kafka broker is configured (" + e.getMessage() + ")");
        continue;
      }
      step(
          err,
          "quiver ingest: skipped; "
              + (brokerAnswers(bootstrap)
                  ? "a broker answers at " + bootstrap + ", but the demo produces no events."
                  : "no Kafka broker answers at " + bootstrap + " (KAFKA_BOOTSTRAP)."));
      err.println(
          "  With a broker, this keeps "
              + String.join(", ", views)
              + " fresh online from topic "
              + source.topic()
              + " (README: Streaming ingestion from Kafka):");
      err.println("  KAFKA_BOOTSTRAP=" + bootstrap + " ./quiver ingest --repo " + repo);
      err.flush();
    }
  }

  /** Whether the first bootstrap server accepts a connection within half a second. */
  private static boolean brokerAnswers(String bootstrap) {
    String first = bootstrap.split(",")[0].strip();
    int colon = first.lastIndexOf(':');
    if (colon < 0) {
      return false;
    }
    try (Socket socket = new Socket()) {
      socket.connect(
          new InetSocketAddress(
              first.substring(0, colon).replace("[", "").replace("]", ""),
              Integer.parseInt(first.substring(colon + 1))),
          500);
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean isEmptyOrAbsent(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return true;
    }
    if (!Files.isDirectory(folder)) {
      return false;
    }
    try (java.util.stream.Stream<Path> entries = Files.list(folder)) {
      return entries.findAny().isEmpty();
    }
  }

  private static void step(PrintWriter err, String text) {
    err.println("==> " + text);
    err.flush();
  }
}
