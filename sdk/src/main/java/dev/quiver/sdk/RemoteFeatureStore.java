package dev.quiver.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.QuiverException;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.offline.io.EntityFiles;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.TimeInterval;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.store.MaterializationState;
import dev.quiver.registry.store.RegistrySnapshot;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

/**
 * A {@link FeatureStore} that works through a running {@code quiver serve}: online lookups, writes
 * and materialization over HTTP (one reused HTTP/1.1 client, timeouts, a retry only for reads),
 * training sets over Arrow Flight. Errors arrive as the exceptions the embedded store throws. The
 * registry is read from the server and refreshed on demand.
 */
final class RemoteFeatureStore implements FeatureStore {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final int BATCH_ROWS = 65_536;

  private final URI server;
  private final HttpClient http;
  private final RemoteOptions tokens;
  private final CallOption[] flightAuth;
  private final String project;
  private final BufferAllocator allocator = new RootAllocator();
  private final FlightClient flight;
  private volatile RegistrySnapshot registry;

  private RemoteFeatureStore(URI server, RemoteOptions tokens) {
    this.server = server;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.tokens = tokens;
    String readToken = readToken();
    if (readToken == null) {
      this.flightAuth = new CallOption[0];
    } else {
      FlightCallHeaders headers = new FlightCallHeaders();
      headers.insert("authorization", "Bearer " + readToken);
      this.flightAuth = new CallOption[] {new HeaderCallOption(headers)};
    }
    JsonNode info;
    try {
      info = get("/api/v1/info");
    } catch (RuntimeException e) {
      allocator.close();
      throw e;
    }
    this.project = info.get("project").asText();
    this.flight =
        FlightClient.builder(
                allocator,
                Location.forGrpcInsecure(server.getHost(), info.get("flight_port").asInt()))
            .build();
    try {
      this.registry = fetchRegistry();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The token for reads: the read token, else the write token (the server takes both). */
  private String readToken() {
    return tokens.readToken() != null ? tokens.readToken() : tokens.writeToken();
  }

  static FeatureStore connect(URI server, RemoteOptions tokens) {
    if (server.getHost() == null || !"http".equals(server.getScheme())) {
      throw new QuiverException(
          "Cannot connect to '" + server + "': give the server as http://host:port");
    }
    return new RemoteFeatureStore(server, tokens);
  }

  @Override
  public String project() {
    return project;
  }

  @Override
  public RegistrySnapshot registry() {
    return registry;
  }

  private RegistrySnapshot fetchRegistry() {
    JsonNode body = get("/api/v1/projects/" + project + "/registry");
    Definitions definitions =
        FeatureRepo.definitionsFromData(
            JSON.convertValue(body.get("definitions"), Map.class), server + " registry");
    return new RegistrySnapshot(project, body.get("registry_version").asLong(), definitions);
  }

  @Override
  public boolean refreshRegistry() {
    long version = get("/api/v1/info").get("registry_version").asLong();
    if (version == registry.version()) {
      return false;
    }
    registry = fetchRegistry();
    return true;
  }

  // Online lookups.

  @Override
  public OnlineResponse onlineFeatures(OnlineRequest request) {
    try {
      return onlineFeaturesAsync(request).join();
    } catch (CompletionException e) {
      throw unwrap(e);
    }
  }

  @Override
  public CompletableFuture<OnlineResponse> onlineFeaturesAsync(OnlineRequest request) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (request.featureService() != null) {
      body.put("feature_service", request.featureService());
    } else {
      body.put("features", request.features());
    }
    Map<String, Object> entities = new LinkedHashMap<>();
    request.entities().forEach((key, values) -> entities.put(key, RemoteValues.toJson(values)));
    body.put("entities", entities);
    body.put("full_feature_names", request.fullFeatureNames());
    HttpRequest post = post("/get-online-features", write(body), false);
    RegistrySnapshot snapshot = registry;
    // A lookup is a read: one retry when the connection failed before an answer.
    return http.sendAsync(post, HttpResponse.BodyHandlers.ofString())
        .exceptionallyCompose(
            e ->
                // Only when the request never reached the server: a timed-out one may have.
                unwrapCause(e) instanceof ConnectException
                    ? http.sendAsync(post, HttpResponse.BodyHandlers.ofString())
                    : CompletableFuture.failedFuture(e))
        .thenApply(response -> typed(request, check(response), snapshot, true));
  }

  /**
   * The server's answer with the values typed as the registry declares them. When its columns are
   * not the ones this registry version selects (a new apply changed the service or the view), the
   * registry is read again once.
   */
  private OnlineResponse typed(
      OnlineRequest request, JsonNode body, RegistrySnapshot snapshot, boolean mayRefresh) {
    Definitions definitions = snapshot.definitions();
    FeatureSelection selection =
        FeatureSelection.of(definitions, request.featureService(), request.features());
    List<String> keyNames = List.copyOf(request.entities().keySet());
    List<String> expected = new ArrayList<>(keyNames);
    expected.addAll(selection.outputNames(request.fullFeatureNames(), keyNames));
    List<String> answered = new ArrayList<>();
    body.at("/metadata/feature_names").forEach(name -> answered.add(name.asText()));
    if (!answered.equals(expected)) {
      if (mayRefresh) {
        refreshRegistry();
        return typed(request, body, registry, false);
      }
      throw new QuiverException(
          "The feature server at "
              + server
              + " answered the columns "
              + answered
              + ", not the "
              + expected
              + " its registry selects");
    }
    Map<String, ScalarType> keyTypes = selection.joinKeyTypes(definitions);
    List<String> names = new ArrayList<>();
    body.at("/metadata/feature_names").forEach(name -> names.add(name.asText()));
    List<OnlineResponse.Column> columns = new ArrayList<>();
    JsonNode results = body.get("results");
    int keys = request.entities().size();
    for (int c = 0; c < results.size(); c++) {
      JsonNode result = results.get(c);
      ValueType type =
          c < keys
              ? keyTypes.containsKey(names.get(c))
                  ? ValueType.scalar(keyTypes.get(names.get(c)))
                  : null
              : selection.features().get(c - keys).feature().type();
      List<Object> values = new ArrayList<>(result.get("values").size());
      for (JsonNode value : result.get("values")) {
        values.add(
            type == null
                ? JSON.convertValue(value, Object.class)
                : RemoteValues.fromJson(value, type));
      }
      List<FeatureStatus> statuses = new ArrayList<>();
      result.get("statuses").forEach(s -> statuses.add(FeatureStatus.valueOf(s.asText())));
      List<Instant> times = new ArrayList<>();
      result.get("event_timestamps").forEach(t -> times.add(Instant.parse(t.asText())));
      columns.add(new OnlineResponse.Column(values, statuses, times));
    }
    return new OnlineResponse(names, columns);
  }

  // Writes and materialization: never retried (a retry could apply a write twice).

  @Override
  public long writeOnline(String view, Map<String, List<Object>> columns, Instant receivedAt) {
    Map<String, Object> df = new LinkedHashMap<>();
    columns.forEach((name, values) -> df.put(name, RemoteValues.toJson(values)));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("feature_view_name", view);
    body.put("df", df);
    return send(post("/write-to-online-store", write(body), true)).get("rows_written").asLong();
  }

  @Override
  public List<Materializer.ViewResult> materialize(
      Instant start, Instant end, List<String> views, MaterializationProgress progress) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("start_ts", start.toString());
    body.put("end_ts", end.toString());
    body.put("feature_views", views);
    return results(send(post("/materialize", write(body), true)));
  }

  @Override
  public List<Materializer.ViewResult> materializeIncremental(
      Instant end, List<String> views, MaterializationProgress progress) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("end_ts", end.toString());
    body.put("feature_views", views);
    return results(send(post("/materialize-incremental", write(body), true)));
  }

  private static List<Materializer.ViewResult> results(JsonNode body) {
    List<Materializer.ViewResult> results = new ArrayList<>();
    for (JsonNode view : body.get("feature_views")) {
      results.add(
          new Materializer.ViewResult(
              view.get("feature_view").asText(),
              view.hasNonNull("end_ts")
                  ? new TimeInterval(instantOrNull(view, "start_ts"), instantOrNull(view, "end_ts"))
                  : null,
              view.get("source_rows_read").asLong(),
              view.get("rows_in_window").asLong(),
              view.get("rows_written").asLong(),
              instantOrNull(view, "newest_event_ts"),
              view.get("millis").asLong()));
    }
    return results;
  }

  /** The instant in {@code node}'s {@code field}, or null when it is null or absent. */
  private static Instant instantOrNull(JsonNode node, String field) {
    return node.hasNonNull(field) ? Instant.parse(node.get(field).asText()) : null;
  }

  @Override
  public Map<String, MaterializationState> materialization() {
    Map<String, MaterializationState> states = new LinkedHashMap<>();
    get("/api/v1/projects/" + project + "/materialized")
        .fields()
        .forEachRemaining(
            view -> {
              List<TimeInterval> intervals = new ArrayList<>();
              // {"intervals": [...], "newest_event": ...}; an earlier server sent the list alone.
              JsonNode items =
                  view.getValue().isArray() ? view.getValue() : view.getValue().path("intervals");
              for (JsonNode interval : items) {
                intervals.add(
                    new TimeInterval(
                        instantOrNull(interval, "start"), instantOrNull(interval, "end")));
              }
              states.put(
                  view.getKey(),
                  new MaterializationState(
                      intervals, instantOrNull(view.getValue(), "newest_event")));
            });
    return states;
  }

  @Override
  public void checkOnlineStore() {
    send(HttpRequest.newBuilder(server.resolve("/health/ready")).timeout(TIMEOUT).GET().build());
  }

  // Training sets over Flight.

  @Override
  public TrainingSet historicalFeatures(HistoricalRequest request) {
    VectorSchemaRoot[] table = new VectorSchemaRoot[1];
    try {
      DatasetManifest manifest =
          streamHistoricalFeatures(
              request,
              batch -> {
                if (table[0] == null) {
                  table[0] = VectorSchemaRoot.create(batch.getSchema(), allocator);
                  // Appending needs allocated buffers (offsets of text columns, for one).
                  table[0].allocateNew();
                }
                if (batch.getRowCount() > 0) {
                  VectorSchemaRootAppender.append(table[0], batch);
                }
              });
      return new TrainingSet(table[0], manifest);
    } catch (RuntimeException e) {
      if (table[0] != null) {
        table[0].close();
      }
      throw e;
    }
  }

  @Override
  public DatasetManifest streamHistoricalFeatures(
      HistoricalRequest request, Consumer<VectorSchemaRoot> batches) {
    Objects.requireNonNull(batches, "batches");
    Map<String, Object> command = new LinkedHashMap<>();
    if (request.featureService() != null) {
      command.put("feature_service", request.featureService());
    } else {
      command.put("features", request.features());
    }
    command.put("full_feature_names", request.fullFeatureNames());
    try (VectorSchemaRoot entities = entityRows(request);
        FlightClient.ExchangeReaderWriter exchange =
            flight.doExchange(
                FlightDescriptor.command(write(command).getBytes(StandardCharsets.UTF_8)),
                flightAuth)) {
      FlightClient.ClientStreamListener writer = exchange.getWriter();
      try (VectorSchemaRoot batch = VectorSchemaRoot.create(entities.getSchema(), allocator)) {
        writer.start(batch);
        for (int from = 0; from < Math.max(entities.getRowCount(), 1); from += BATCH_ROWS) {
          int rows = Math.min(BATCH_ROWS, entities.getRowCount() - from);
          batch.allocateNew();
          if (rows > 0) {
            try (VectorSchemaRoot slice = entities.slice(from, rows)) {
              VectorSchemaRootAppender.append(batch, slice);
            }
          }
          writer.putNext();
        }
        writer.completed();
      }
      FlightStream reader = exchange.getReader();
      boolean delivered = false;
      String manifest = null;
      while (reader.next()) {
        ArrowBuf metadata = reader.getLatestMetadata();
        if (metadata != null) {
          // The last batch (empty from this server): its metadata is the manifest.
          byte[] bytes = new byte[(int) metadata.readableBytes()];
          metadata.getBytes(0, bytes);
          manifest = new String(bytes, StandardCharsets.UTF_8);
        }
        boolean last = metadata != null;
        if (reader.getRoot().getRowCount() > 0 || (last && !delivered)) {
          // Every batch with rows; an empty one only when nothing else came (for the schema).
          batches.accept(reader.getRoot());
          delivered = true;
        }
      }
      if (manifest == null) {
        throw new QuiverException("The feature server at " + server + " sent no training set");
      }
      return DatasetManifest.fromJson(manifest, server.toString());
    } catch (FlightRuntimeException e) {
      throw flightError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException("Interrupted while fetching a training set", e);
    } catch (Exception e) {
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new QuiverException("Cannot fetch a training set from " + server + ": " + e, e);
    }
  }

  /** The request's entity rows, read from its file here when it names one. */
  private VectorSchemaRoot entityRows(HistoricalRequest request) {
    if (request.entityFile() == null) {
      VectorSchemaRoot rows = VectorSchemaRoot.create(request.entityRows().getSchema(), allocator);
      rows.allocateNew();
      VectorSchemaRootAppender.append(rows, request.entityRows());
      return rows;
    }
    Definitions definitions = registry.definitions();
    Map<String, ScalarType> keyTypes =
        FeatureSelection.of(definitions, request.featureService(), request.features())
            .joinKeyTypes(definitions);
    return EntityFiles.read(request.entityFile().toAbsolutePath(), keyTypes, allocator).root();
  }

  private QuiverException flightError(FlightRuntimeException e) {
    return RemoteErrors.of(e, server.toString());
  }

  @Override
  public DatasetManifest writeHistoricalFeatures(HistoricalRequest request, Path output) {
    try (TrainingSetOutput file = new TrainingSetOutput(output, allocator)) {
      DatasetManifest received = streamHistoricalFeatures(request, file);
      DatasetManifest manifest =
          new DatasetManifest(
              received.quiverVersion(),
              received.createdAt(),
              received.project(),
              received.repoRoot(),
              received.registryVersion(),
              received.features(),
              received.featureService(),
              received.fullFeatureNames(),
              received.definitions(),
              received.entities(),
              received.sources(),
              file.path(),
              received.outputRows(),
              received.sourceRowsRead(),
              received.skippedNullKeyRows(),
              received.skippedNullTimestampRows(),
              received.durationMillis());
      file.commit(manifest);
      return manifest;
    }
  }

  /**
   * Reproducing reads the repo's source files and checks their checksums, which only the server's
   * host has: run {@code quiver reproduce} there, or open the repo with {@link FeatureStore#open}.
   */
  @Override
  public DatasetManifest reproduce(Path manifest, Path output) {
    throw new QuiverException(
        "Cannot reproduce through the feature server at "
            + server
            + ": reproducing checks the repo's source files, which are on the server's host; run"
            + " 'quiver reproduce' there");
  }

  // HTTP plumbing.

  private HttpRequest post(String path, String body, boolean write) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.resolve(path))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    String token = write ? tokens.writeToken() : readToken();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return request.build();
  }

  private JsonNode get(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.resolve(path)).timeout(TIMEOUT);
    if (readToken() != null) {
      request.header("Authorization", "Bearer " + readToken());
    }
    return send(request.GET().build());
  }

  private JsonNode send(HttpRequest request) {
    try {
      return check(http.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (HttpTimeoutException e) {
      throw new QuiverException(
          "The feature server at "
              + server
              + " did not answer within "
              + TIMEOUT.toSeconds()
              + " s",
          e);
    } catch (IOException e) {
      throw new QuiverException(
          "Cannot reach the feature server at " + server + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException("Interrupted while waiting for " + server, e);
    }
  }

  private JsonNode check(HttpResponse<String> response) {
    if (response.statusCode() >= 300) {
      throw RemoteErrors.of(response.statusCode(), response.body(), server.toString());
    }
    try {
      return JSON.readTree(response.body());
    } catch (JsonProcessingException e) {
      throw new QuiverException("The feature server at " + server + " sent invalid JSON", e);
    }
  }

  private static String write(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Throwable unwrapCause(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private RuntimeException unwrap(CompletionException e) {
    Throwable cause = unwrapCause(e);
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    return new QuiverException(
        "Cannot reach the feature server at " + server + ": " + cause.getMessage(), cause);
  }

  @Override
  public void close() {
    try {
      flight.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      allocator.close();
    }
  }
}
