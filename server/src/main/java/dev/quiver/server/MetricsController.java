package dev.quiver.server;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** {@code GET /metrics} in Prometheus' text format. */
@Controller
@Tag(name = "health")
public class MetricsController {

  private final ServerMetrics metrics;

  MetricsController(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @Get(uri = "/metrics", produces = "text/plain; version=0.0.4; charset=utf-8")
  @ExecuteOn(TaskExecutors.BLOCKING)
  @Operation(summary = "Prometheus metrics")
  public String metrics() {
    return metrics.scrape();
  }
}
