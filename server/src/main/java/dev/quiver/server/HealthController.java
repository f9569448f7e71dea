package dev.quiver.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.streaming.IngestionMetrics;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.Optional;

/** {@code GET /health} (the process answers) and {@code GET /health/ready} (it can serve). */
@Controller("/health")
@Tag(name = "health")
public class HealthController {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final FeatureService features;
  private final IngestionService ingestion;

  HealthController(FeatureService features, IngestionService ingestion) {
    this.features = features;
    this.ingestion = ingestion;
  }

  @Get(produces = MediaType.APPLICATION_JSON)
  @Operation(summary = "Alive")
  public String alive() {
    return "{\"status\":\"UP\"}";
  }

  /**
   * Ready when a registry version is loaded, the online store answers a read and, when the server
   * ingests from Kafka ({@code serve --ingest}), ingestion is healthy: a server whose stream
   * features go stale should leave the load balancer's rotation (ARCHITECTURE.md, "Ingestion in the
   * server"). Liveness ({@code /health}) never depends on it: a restart does not bring a broker
   * back.
   */
  @Get(uri = "/ready", produces = MediaType.APPLICATION_JSON)
  @ExecuteOn(TaskExecutors.BLOCKING)
  @Operation(summary = "Ready: registry loaded, online store reachable, ingestion healthy")
  public HttpResponse<String> ready() {
    long version = features.store().registry().version();
    if (version == 0) {
      return Problems.of(
          HttpStatus.SERVICE_UNAVAILABLE,
          "not_ready",
          "Nothing is registered in this project yet: run 'quiver apply'");
    }
    features.store().checkOnlineStore();
    Optional<IngestionMetrics.Status> ingesting =
        ingestion.ingestion().map(StreamIngestion::status);
    if (ingesting.isPresent() && !ingesting.get().healthy()) {
      return Problems.of(
          HttpStatus.SERVICE_UNAVAILABLE,
          "ingestion_unhealthy",
          "Kafka ingestion is not healthy since "
              + ingesting.get().since()
              + ": "
              + ingesting.get().detail());
    }
    ObjectNode body = JSON.createObjectNode().put("status", "UP").put("registry_version", version);
    ingesting.ifPresent(
        status ->
            body.putObject("ingestion")
                .put("healthy", true)
                .put("detail", status.detail())
                .put("since", status.since().toString()));
    return HttpResponse.ok(body.toString());
  }
}
