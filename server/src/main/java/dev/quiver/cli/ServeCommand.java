package dev.quiver.cli;

import dev.quiver.server.DriftSettings;
import dev.quiver.server.QuiverServer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quiver serve}: the feature server, until interrupted. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the repo's features over HTTP, with the API of Feast's feature server:",
      "POST /get-online-features, /push, /write-to-online-store, /materialize,",
      "/materialize-incremental; GET /health, /health/ready, /metrics (Prometheus),",
      "/openapi.yml and the registry under /api/v1/projects/{project}/; training sets",
      "over Arrow Flight (--flight-port), for FeatureStore.connect and --server.",
      "",
      "A read-only web console at /ui shows the registry and its history, the lineage, each",
      "view's freshness and materialized windows, statistics and drift against the",
      "--drift-baseline training set, and the newest 'quiver consistency' report.",
      "",
      "A new 'quiver apply' is picked up without a restart. Write endpoints need",
      "'Authorization: Bearer <token>' when QUIVER_WRITE_TOKEN (or --write-token) is set;",
      "reads need QUIVER_READ_TOKEN (or --read-token, or the write token) when that is set;",
      "the console then asks for it once and keeps a cookie.",
      "It listens on 127.0.0.1 unless --host says otherwise; with no write token, writes",
      "must come as 'Content-Type: application/json'.",
      "Ctrl-C stops it gracefully: requests in flight finish, the stores close.",
      "",
      "With --ingest it also runs 'quiver ingest' (every view on a Kafka source, consumer",
      "group quiver.<project>) on its online store: /health/ready answers 503 while ingestion",
      "cannot reach Kafka or the store, /metrics gains quiver_ingest_*, and stopping commits",
      "the batch in hand first."
    })
final class ServeCommand implements Callable<Integer> {

  @Option(
      names = "--host",
      defaultValue = QuiverServer.DEFAULT_HOST,
      paramLabel = "ADDRESS",
      description =
          "The address HTTP and Arrow Flight listen on (default: ${DEFAULT-VALUE}, this machine"
              + " only; 0.0.0.0 for every interface, which warns when no write token is set).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "6566",
      description = "The HTTP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(
      names = "--flight-port",
      defaultValue = "6567",
      description = "The Arrow Flight port for training sets (default: ${DEFAULT-VALUE}).")
  int flightPort;

  @Option(
      names = "--write-token",
      paramLabel = "TOKEN",
      description = "Require this bearer token on write endpoints (default: QUIVER_WRITE_TOKEN).")
  String writeToken;

  @Option(
      names = "--read-token",
      paramLabel = "TOKEN",
      description =
          "Require this bearer token on lookups, the registry and Flight (default:"
              + " QUIVER_READ_TOKEN).")
  String readToken;

  @Option(
      names = "--max-entity-rows",
      defaultValue = "10000",
      description =
          "The most entity rows one online request may ask for (default: ${DEFAULT-VALUE}).")
  int maxEntityRows;

  @Option(
      names = "--max-body-bytes",
      defaultValue = "10485760",
      description = "The largest request body taken, in bytes (default: ${DEFAULT-VALUE}).")
  long maxBodyBytes;

  @Option(
      names = "--chunk-rows",
      defaultValue = "0",
      paramLabel = "ROWS",
      description =
          "Entity rows joined at a time for a training set over Flight: a request holds one"
              + " chunk's result; sources that do not fit in memory are read again for each"
              + " chunk (default: as many as take about half the memory the request could"
              + " reserve; requests share QUIVER_MEMORY_LIMIT, by default half the heap).")
  int chunkRows;

  @Option(
      names = "--ingest",
      description =
          "Also keep the views on Kafka sources fresh, as 'quiver ingest' does (see its --help).")
  boolean ingest;

  @Option(
      names = "--drift-baseline",
      paramLabel = "PATH",
      description = {
        "Export the drift of each logged feature service's served values (the last 24h) against",
        "a training set as the gauges quiver_feature_psi and quiver_feature_ks (the whole report",
        "at /api/v1/projects/{project}/drift), computed every 5 minutes in the background, as",
        "'quiver drift --logs' computes it. PATH: a training set,",
        "its manifest, or a folder of training sets whose newest manifest is the baseline",
        "(relative to the repo). Settings quiver.server.drift.interval and .window change the",
        "5m and 24h."
      })
  String driftBaseline;

  @Mixin RepoOption repo;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, Object> settings = new HashMap<>();
    settings.put(QuiverServer.HOST, host);
    settings.put("quiver.server.max-entity-rows", maxEntityRows);
    settings.put("quiver.server.flight-port", flightPort);
    settings.put("quiver.server.training-set-chunk-rows", chunkRows);
    settings.put("micronaut.server.max-request-size", maxBodyBytes);
    settings.put("quiver.server.ingest", ingest);
    if (driftBaseline != null) {
      settings.put(DriftSettings.PREFIX + ".baseline", driftBaseline);
    }
    if (writeToken != null) {
      settings.put("quiver.server.write-token", writeToken);
    }
    if (readToken != null) {
      settings.put("quiver.server.read-token", readToken);
    }
    QuiverServer server = QuiverServer.start(repo.root(), port, settings);
    spec.commandLine()
        .getErr()
        .printf(
            "Serving %s on http://%s:%d, Arrow Flight on grpc://%s:%d (Ctrl-C stops)%n"
                + "The web console: http://%s:%d/ui%n",
            repo.root(),
            server.hostInUrl(),
            server.port(),
            server.hostInUrl(),
            server.flightPort(),
            server.hostInUrl(),
            server.port());
    server
        .ingestion()
        .ifPresent(
            ingestion ->
                spec.commandLine()
                    .getErr()
                    .printf(
                        "Ingesting %s into %s, consumer group %s%n",
                        String.join(", ", ingestion.topics()),
                        String.join(", ", ingestion.views()),
                        ingestion.group()));
    spec.commandLine().getErr().flush();
    server.serveUntilStopped();
    return 0;
  }
}
