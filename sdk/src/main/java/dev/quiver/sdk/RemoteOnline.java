package dev.quiver.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.QuiverException;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.rules.ValidationReport;
import dev.quiver.registry.store.RegistrySnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The remote store's online role: lookups and pushes over HTTP, with the server's answers typed as
 * the registry declares them, so both stores return the same Java values.
 */
final class RemoteOnline implements OnlineFeatures {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FeatureServerClient client;
  private final RemoteRegistry registry;

  RemoteOnline(FeatureServerClient client, RemoteRegistry registry) {
    this.client = client;
    this.registry = registry;
  }

  @Override
  public OnlineResponse onlineFeatures(OnlineRequest request) {
    return client.join(onlineFeaturesAsync(request));
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
    if (request.asOf() != null) {
      body.put("as_of", request.asOf().toString());
    }
    RegistrySnapshot snapshot = registry.snapshot();
    return client
        .readAsync("/get-online-features", body)
        .thenApply(answer -> typed(request, answer, snapshot, true));
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
        registry.refresh();
        return typed(request, body, registry.snapshot(), false);
      }
      throw new QuiverException(
          "The feature server at "
              + client.server()
              + " answered the columns "
              + answered
              + ", not the "
              + expected
              + " its registry selects");
    }
    Map<String, ValueType> keyTypes = new HashMap<>();
    selection.joinKeyTypes(definitions).forEach((key, t) -> keyTypes.put(key, ValueType.scalar(t)));
    for (FeatureSelection.Computed computed : selection.computed()) {
      computed.view().request().forEach(field -> keyTypes.putIfAbsent(field.name(), field.type()));
    }
    List<String> names = new ArrayList<>();
    body.at("/metadata/feature_names").forEach(name -> names.add(name.asText()));
    List<OnlineResponse.Column> columns = new ArrayList<>();
    JsonNode results = body.get("results");
    int keys = request.entities().size();
    for (int c = 0; c < results.size(); c++) {
      JsonNode result = results.get(c);
      ValueType type =
          c < keys
              ? keyTypes.get(names.get(c))
              : selection.requested().get(c - keys).feature().type();
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

  @Override
  public long writeOnline(String view, Map<String, List<Object>> columns, Instant receivedAt) {
    Map<String, Object> df = new LinkedHashMap<>();
    columns.forEach((name, values) -> df.put(name, RemoteValues.toJson(values)));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("feature_view_name", view);
    body.put("df", df);
    return client.write("/write-to-online-store", body).get("rows_written").asLong();
  }

  @Override
  public PushResult push(
      String view, Map<String, List<Object>> columns, Instant receivedAt, PushTarget to) {
    Map<String, Object> df = new LinkedHashMap<>();
    columns.forEach((name, values) -> df.put(name, RemoteValues.toJson(values)));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("push_source_name", view);
    body.put("df", df);
    body.put("to", to.wireName());
    JsonNode answer = client.write("/push", body);
    JsonNode file = answer.path("offline_file");
    return new PushResult(
        view,
        to,
        answer.path("rows_written").asLong(),
        answer.path("offline_rows_written").asLong(),
        file.isTextual() ? file.asText() : null,
        answer.hasNonNull("validation")
            ? ValidationReport.fromMap(JSON.convertValue(answer.get("validation"), Map.class))
            : null);
  }

  @Override
  public void checkOnlineStore() {
    client.get("/health/ready");
  }
}
