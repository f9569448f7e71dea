package dev.quiver.server;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** {@code GET /health} (the process answers) and {@code GET /health/ready} (it can serve). */
@Controller("/health")
@Tag(name = "health")
public class HealthController {

  private final FeatureService features;

  HealthController(FeatureService features) {
    this.features = features;
  }

  @Get(produces = MediaType.APPLICATION_JSON)
  @Operation(summary = "Alive")
  public String alive() {
    return "{\"status\":\"UP\"}";
  }

  /** Ready when a registry version is loaded and the online store answers a read. */
  @Get(uri = "/ready", produces = MediaType.APPLICATION_JSON)
  @ExecuteOn(TaskExecutors.BLOCKING)
  @Operation(summary = "Ready: registry loaded, online store reachable")
  public HttpResponse<String> ready() {
    long version = features.store().registry().version();
    if (version == 0) {
      return Problems.of(
          HttpStatus.SERVICE_UNAVAILABLE,
          "not_ready",
          "Nothing is registered in this project yet: run 'quiver apply'");
    }
    features.store().checkOnlineStore();
    return HttpResponse.ok("{\"status\":\"UP\",\"registry_version\":" + version + "}");
  }
}
