package dev.quiver.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.registry.model.TimeInterval;
import dev.quiver.registry.rules.ValidationReport;
import dev.quiver.registry.store.MaterializationState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The remote store's materialization role: the server's {@code /materialize} endpoints, never
 * retried (a retry could apply a write twice). The server streams the run's progress as it goes
 * (one JSON object a line), passed on to the caller's {@link MaterializationProgress} as the
 * embedded store reports it; the last line is the result.
 */
final class RemoteMaterialization implements Materialization {

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final FeatureServerClient client;

  RemoteMaterialization(FeatureServerClient client) {
    this.client = client;
  }

  @Override
  public List<Materializer.ViewResult> materialize(
      Instant start, Instant end, List<String> views, MaterializationProgress progress) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("start_ts", start.toString());
    body.put("end_ts", end.toString());
    body.put("feature_views", views);
    return results(client.writeStreamed("/materialize", body, line -> report(line, progress)));
  }

  @Override
  public List<Materializer.ViewResult> materializeIncremental(
      Instant end, List<String> views, MaterializationProgress progress) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("end_ts", end.toString());
    body.put("feature_views", views);
    return results(
        client.writeStreamed("/materialize-incremental", body, line -> report(line, progress)));
  }

  /** Passes a progress line on; false when {@code line} is not one (the result). */
  private static boolean report(JsonNode line, MaterializationProgress progress) {
    JsonNode event = line.get(ServerProtocol.PROGRESS);
    if (event == null) {
      return false;
    }
    String view = event.path("view").asText();
    switch (event.path("event").asText()) {
      case "view_started" -> progress.viewStarted(view, event.path("source_rows").asLong());
      case "rows_read" -> progress.rowsRead(view, event.path("rows").asLong());
      case "view_finished" -> progress.viewFinished(view);
      default -> {
        // An event of a newer server: not shown.
      }
    }
    return true;
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
              view.get("millis").asLong(),
              view.hasNonNull("validation")
                  ? ValidationReport.fromMap(JSON.convertValue(view.get("validation"), Map.class))
                  : null));
    }
    return results;
  }

  @Override
  public List<ValidationReport> validate(Instant start, Instant end, List<String> views) {
    throw new UnsupportedOperationException(
        "RemoteFeatureStore does not support validate: it reads the offline data where the repo"
            + " is; run quiver validate with --repo there");
  }

  @Override
  public Map<String, MaterializationState> materializationStates() {
    Map<String, MaterializationState> states = new LinkedHashMap<>();
    client
        .get("/api/v1/projects/" + client.project() + "/materialized")
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

  /** The instant in {@code node}'s {@code field}, or null when it is null or absent. */
  private static Instant instantOrNull(JsonNode node, String field) {
    return node.hasNonNull(field) ? Instant.parse(node.get(field).asText()) : null;
  }
}
