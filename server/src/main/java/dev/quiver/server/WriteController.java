package dev.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.registry.model.TimeInterval;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
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
 * The write endpoints, in Feast's shapes: {@code /push} and {@code /write-to-online-store} (rows
 * straight to the online store), {@code /materialize} and {@code /materialize-incremental}. They
 * take the server's write token when one is set.
 */
@Controller
@Tag(name = "write")
@ExecuteOn(TaskExecutors.BLOCKING)
public class WriteController {

  private final FeatureService features;

  WriteController(FeatureService features) {
    this.features = features;
  }

  /**
   * Feast's push: {@code {"push_source_name": "<feature view>", "df": {"column": [values...]},
   * "to": "online"}}; {@code feature_view} may name the view instead. Rows are checked against the
   * view's schema first, then written newer-wins with the time received as their created time.
   */
  @Post(uri = "/push", produces = MediaType.APPLICATION_JSON)
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  @Operation(summary = "Push rows to the online store (Feast-compatible)")
  public String push(@Body String body) {
    Instant received = features.clock().instant();
    JsonNode request = JsonBodies.object(body);
    String view = JsonBodies.optionalText(request, "feature_view");
    if (view == null) {
      view = JsonBodies.requiredText(request, "push_source_name");
    }
    String to = JsonBodies.optionalText(request, "to");
    if (to != null && !to.equals("online")) {
      throw new BadRequestException(
          "\"to\": '"
              + to
              + "' is not served: Quiver pushes to the online store only (\"to\": \"online\");"
              + " the offline store is the Parquet files");
    }
    return written(view, request, received);
  }

  /** Feast's {@code {"feature_view_name": "...", "df": {"column": [values...]}}}. */
  @Post(uri = "/write-to-online-store", produces = MediaType.APPLICATION_JSON)
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  @Operation(summary = "Write rows to the online store (Feast-compatible)")
  public String writeToOnlineStore(@Body String body) {
    Instant received = features.clock().instant();
    JsonNode request = JsonBodies.object(body);
    return written(JsonBodies.requiredText(request, "feature_view_name"), request, received);
  }

  private String written(String view, JsonNode request, Instant received) {
    long rows = features.store().writeOnline(view, JsonBodies.columns(request, "df"), received);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("feature_view", view);
    body.put("rows_written", rows);
    return JsonBodies.write(body);
  }

  /** Feast's {@code {"start_ts": "...", "end_ts": "...", "feature_views": [...]}}. */
  @Post(uri = "/materialize", produces = MediaType.APPLICATION_JSON)
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  @Operation(summary = "Materialize a window into the online store (Feast-compatible)")
  public String materialize(@Body String body) {
    JsonNode request = JsonBodies.object(body);
    Instant start = JsonBodies.instant(request, "start_ts");
    Instant end = JsonBodies.instant(request, "end_ts");
    return results(
        features
            .store()
            .materialize(
                start,
                end,
                JsonBodies.textList(request, "feature_views"),
                MaterializationProgress.NONE));
  }

  /** Feast's {@code {"end_ts": "...", "feature_views": [...]}}. */
  @Post(uri = "/materialize-incremental", produces = MediaType.APPLICATION_JSON)
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  @Operation(summary = "Materialize each view from where it last ended (Feast-compatible)")
  public String materializeIncremental(@Body String body) {
    JsonNode request = JsonBodies.object(body);
    return results(
        features
            .store()
            .materializeIncremental(
                JsonBodies.instant(request, "end_ts"),
                JsonBodies.textList(request, "feature_views"),
                MaterializationProgress.NONE));
  }

  private static String results(List<Materializer.ViewResult> results) {
    List<Object> views = new ArrayList<>();
    for (Materializer.ViewResult result : results) {
      Map<String, Object> view = new LinkedHashMap<>();
      view.put("feature_view", result.view());
      // A view already materialized past the end has no interval: nothing was done.
      TimeInterval interval = result.interval();
      view.put(
          "start_ts",
          interval == null || interval.start() == null ? null : interval.start().toString());
      view.put("end_ts", interval == null ? null : interval.end().toString());
      view.put("source_rows_read", result.sourceRowsRead());
      view.put("rows_in_window", result.rowsInWindow());
      view.put("rows_written", result.rowsWritten());
      view.put(
          "newest_event_ts", result.newestEvent() == null ? null : result.newestEvent().toString());
      view.put("millis", result.millis());
      views.add(view);
    }
    return JsonBodies.write(Map.of("feature_views", views));
  }
}
