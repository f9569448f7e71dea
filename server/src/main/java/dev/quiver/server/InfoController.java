package dev.quiver.server;

import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.TimeInterval;
import dev.quiver.registry.store.HistoryEntry;
import dev.quiver.registry.store.RegistrySnapshot;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a remote SDK asks first: the project served, its registry version and the Flight port
 * ({@code GET /api/v1/info}), and the whole registered definitions ({@code GET
 * /api/v1/projects/{project}/registry}); then the registry's history ({@code .../history}) and what
 * was materialized ({@code .../materialized}).
 */
@Controller("/api/v1")
@Tag(name = "registry")
public class InfoController {

  private final FeatureService features;
  private final FlightEndpoint flight;

  InfoController(FeatureService features, FlightEndpoint flight) {
    this.features = features;
    this.flight = flight;
  }

  @Get(uri = "/info", produces = MediaType.APPLICATION_JSON)
  @Operation(summary = "The project served, its registry version and the Arrow Flight port")
  public String info() {
    RegistrySnapshot snapshot = features.store().registry();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("project", snapshot.project());
    body.put("registry_version", snapshot.version());
    body.put("flight_port", flight.port());
    return JsonBodies.write(body);
  }

  @Get(uri = "/projects/{project}/registry", produces = MediaType.APPLICATION_JSON)
  @Operation(summary = "Every registered definition, in canonical form, with the version")
  public String registry(@PathVariable String project) {
    RegistrySnapshot snapshot = features.registryOf(project);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("registry_version", snapshot.version());
    body.put("definitions", CanonicalForm.of(snapshot.definitions()));
    return JsonBodies.write(body);
  }

  /**
   * {@code {"history": [{"version", "committed_at", "user", "git_commit", "changes": [...],
   * "restored_version"}, ...]}}, oldest first, nulls kept.
   */
  @Get(uri = "/projects/{project}/history", produces = MediaType.APPLICATION_JSON)
  @ExecuteOn(TaskExecutors.BLOCKING)
  @Operation(
      summary = "Every registry version committed, oldest first",
      description =
          "When each version was committed, by whom, from which Git commit, what changed, and"
              + " for a rollback the version it restored.")
  public String history(@PathVariable String project) {
    features.registryOf(project);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(
        "history", features.store().registryHistory().stream().map(HistoryEntry::toMap).toList());
    return JsonBodies.write(body);
  }

  /**
   * Per view, the windows materialized so far and the newest event time materialized: {@code
   * {"view": {"intervals": [{"start", "end"}, ...], "newest_event": "..." or null}}}.
   */
  @Get(uri = "/projects/{project}/materialized", produces = MediaType.APPLICATION_JSON)
  @ExecuteOn(TaskExecutors.BLOCKING)
  @Operation(
      summary =
          "The windows materialized into the online store, and the newest event time, per view")
  public String materialized(@PathVariable String project) {
    features.registryOf(project);
    Map<String, Object> body = new LinkedHashMap<>();
    features
        .store()
        .materializationStates()
        .forEach(
            (view, materialized) -> {
              List<Object> list = new ArrayList<>();
              for (TimeInterval interval : materialized.intervals()) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("start", interval.start() == null ? null : interval.start().toString());
                item.put("end", interval.end().toString());
                list.add(item);
              }
              Map<String, Object> state = new LinkedHashMap<>();
              state.put("intervals", list);
              Instant at = materialized.newestEvent();
              state.put("newest_event", at == null ? null : at.toString());
              body.put(view, state);
            });
    return JsonBodies.write(body);
  }
}
