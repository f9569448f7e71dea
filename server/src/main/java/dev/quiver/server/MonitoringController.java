package dev.quiver.server;

import dev.quiver.monitoring.consistency.ConsistencyReports;
import dev.quiver.monitoring.drift.DriftReport;
import dev.quiver.offline.manifest.DatasetManifest;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the monitoring found, as the console shows it: the newest consistency report of each logged
 * feature service ({@code GET /api/v1/projects/{project}/consistency}) and the drift monitor's last
 * computation ({@code GET /api/v1/projects/{project}/drift}).
 */
@Controller("/api/v1/projects/{project}")
@Tag(name = "monitoring")
public class MonitoringController {

  private final FeatureService features;
  private final DriftMonitor drift;

  MonitoringController(FeatureService features, DriftMonitor drift) {
    this.features = features;
    this.drift = drift;
  }

  /**
   * {@code {"services": [{"service", "checked_at", "report": {...}}, ...]}}, services by name, the
   * report as {@code quiver consistency --json} prints it with {@code files} and {@code lag}.
   */
  @Get(uri = "/consistency", produces = MediaType.APPLICATION_JSON)
  @ExecuteOn(TaskExecutors.BLOCKING)
  @Operation(
      summary = "The newest consistency report of each logged feature service",
      description =
          "What 'quiver consistency --service S' found last (it saves each report in the"
              + " service's log folder): per feature, the rows, mismatches between the value served"
              + " and the point-in-time join's, and the mismatches put down to materialization"
              + " lag. A service without a saved report is left out.")
  public String consistency(@PathVariable String project) {
    features.registryOf(project);
    List<Object> services = new ArrayList<>();
    for (ConsistencyReports.SavedConsistency saved : features.consistencyReports()) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("service", saved.report().service());
      item.put("checked_at", saved.checkedAt().toString());
      item.put("report", saved.report().toSavedMap());
      services.add(item);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("services", services);
    return JsonBodies.write(body);
  }

  /**
   * {@code {"computed_at", "baseline": "<manifest file>", "statistics": {feature: {...}},
   * "services": {service: <drift report>}}}; without a computation, the same keys empty (null
   * baseline) and a {@code "note"} saying how to get one.
   */
  @Get(uri = "/drift", produces = MediaType.APPLICATION_JSON)
  @Operation(
      summary = "The drift of each logged feature service against the baseline training set",
      description =
          "The drift monitor's last computation (quiver serve --drift-baseline PATH): the"
              + " baseline's statistics per feature, and per feature service with rows logged in"
              + " the window its PSI and KS per feature against them.")
  public String drift(@PathVariable String project) {
    features.registryOf(project);
    Map<String, Object> body = new LinkedHashMap<>();
    Optional<DriftMonitor.DriftState> latest = drift.latest();
    if (latest.isEmpty()) {
      body.put("computed_at", null);
      body.put("baseline", null);
      body.put("statistics", Map.of());
      body.put("services", Map.of());
      body.put(
          "note",
          drift
              .baseline()
              .map(
                  path ->
                      "No drift yet: there is no training set with statistics under "
                          + path
                          + " (write one there with 'quiver historical --output'), or the first"
                          + " computation has not finished")
              .orElse(
                  "No drift baseline is set: start the server with 'quiver serve"
                      + " --drift-baseline PATH' (a training set, its manifest, or a folder of"
                      + " training sets)"));
      return JsonBodies.write(body);
    }
    DriftMonitor.DriftState state = latest.get();
    DatasetManifest manifest = state.manifest();
    Map<String, Object> statistics = new LinkedHashMap<>();
    for (String feature : manifest.features()) {
      manifest
          .statisticsOf(DriftReport.columnOf(feature, manifest.fullFeatureNames()))
          .ifPresent(s -> statistics.put(feature, s.toMap()));
    }
    Map<String, Object> services = new LinkedHashMap<>();
    state.reportsByService().forEach((service, report) -> services.put(service, report.toMap()));
    body.put("computed_at", state.computedAt().toString());
    body.put("baseline", state.manifestFile().toString());
    body.put("statistics", statistics);
    body.put("services", services);
    return JsonBodies.write(body);
  }
}
