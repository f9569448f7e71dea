package dev.quiver.server;

import dev.quiver.registry.model.DurationText;
import dev.quiver.sdk.Freshness;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
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
 * {@code GET /freshness}: per online view, its newest event online (materialized, or ingested by
 * this server), its age and whether it meets the view's {@code freshness:} goal.
 */
@Controller("/freshness")
@Tag(name = "monitoring")
public class FreshnessController {

  private final FeatureService features;
  private final IngestionService ingestion;

  FreshnessController(FeatureService features, IngestionService ingestion) {
    this.features = features;
    this.ingestion = ingestion;
  }

  /**
   * {@code {"checked_at": "...", "views": [{"view", "freshness": "2h" or null, "newest_event",
   * "age_seconds", "fresh": true|false|null}, ...]}}, views by name.
   */
  @Get(produces = MediaType.APPLICATION_JSON)
  @ExecuteOn(TaskExecutors.BLOCKING)
  @Operation(summary = "Each online view's newest event, its age, and whether it meets its goal")
  public String freshness() {
    Instant now = features.clock().instant();
    List<Object> views = new ArrayList<>();
    for (Freshness.ViewFreshness view : features.freshness(now, ingestion.newestEventByView())) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("view", view.view());
      item.put("freshness", view.goal() == null ? null : DurationText.format(view.goal()));
      item.put("newest_event", view.newestEvent() == null ? null : view.newestEvent().toString());
      item.put("age_seconds", view.age() == null ? null : view.age().toMillis() / 1000.0);
      item.put("fresh", view.fresh());
      views.add(item);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("checked_at", now.toString());
    body.put("views", views);
    return JsonBodies.write(body);
  }
}
