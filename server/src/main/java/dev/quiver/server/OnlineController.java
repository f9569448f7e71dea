package dev.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.sdk.OnlineRequest;
import dev.quiver.sdk.OnlineResponse;
import dev.quiver.sdk.OnlineResponseJson;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.inject.Named;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/** {@code POST /get-online-features}, in Feast's request and response shapes. */
@Controller
@Tag(name = "online")
public class OnlineController {

  private final FeatureService features;
  private final ServerSettings settings;
  private final ServerMetrics metrics;
  private final ServedFeatureLog servedLog;
  private final ExecutorService blocking;

  OnlineController(
      FeatureService features,
      ServerSettings settings,
      ServerMetrics metrics,
      ServedFeatureLog servedLog,
      @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
    this.features = features;
    this.settings = settings;
    this.metrics = metrics;
    this.servedLog = servedLog;
    this.blocking = blocking;
  }

  /**
   * The latest materialized values of features (a list of {@code view:feature}, or a feature
   * service) for entity rows given as one list per join key.
   *
   * @param body {@code {"features": [...] | "feature_service": "...", "entities": {"driver_id":
   *     [1001, 1002]}, "full_feature_names": false, "as_of": "2026-05-10T23:59:58.713979Z"}};
   *     {@code as_of} (default now) is where aggregation windows end and the "now" that a ttl is
   *     measured from
   * @return {@code {"metadata": {"feature_names": [...]}, "results": [{"values", "statuses",
   *     "event_timestamps"}, ...]}}
   */
  @Post(uri = "/get-online-features", produces = MediaType.APPLICATION_JSON)
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  @Operation(summary = "Online feature values (Feast-compatible)")
  public CompletableFuture<HttpResponse<byte[]>> getOnlineFeatures(@Body @Nullable String body) {
    // An in-process store answers on the event loop (a thread hop doubled the time of a
    // 1-entity request under load); a store over the network is waited for on the blocking pool.
    if (features.onlineInProcess()) {
      return CompletableFuture.completedFuture(answer(body));
    }
    return CompletableFuture.supplyAsync(() -> answer(body), blocking);
  }

  private HttpResponse<byte[]> answer(String body) {
    JsonBodies.OnlineBody parsed = JsonBodies.onlineBody(body);
    if (parsed == null) {
      // Not a plainly well-formed lookup: the tree reading says what is wrong, or reads the rest.
      // (In the order it always checked them.)
      JsonNode request = JsonBodies.object(body);
      JsonBodies.FeatureChoice choice = JsonBodies.featureChoice(request);
      Map<String, List<Object>> entities = JsonBodies.columns(request, "entities");
      checkRows(entities);
      parsed =
          new JsonBodies.OnlineBody(
              choice.references(),
              choice.service(),
              entities,
              JsonBodies.optionalBoolean(request, "full_feature_names"),
              JsonBodies.optionalText(request, "as_of"));
    } else {
      checkRows(parsed.entities());
    }
    return answer(parsed);
  }

  private void checkRows(Map<String, List<Object>> entities) {
    // A loop, not a stream: the stream's pipeline was a seventh of a 1-entity answer's samples.
    int rows = 0;
    for (List<Object> column : entities.values()) {
      rows = Math.max(rows, column.size());
    }
    if (rows > settings.maxEntityRows()) {
      throw new TooManyRowsException(
          "The request has "
              + rows
              + " entity rows; this server answers at most "
              + settings.maxEntityRows()
              + " per request (quiver.server.max-entity-rows): split it");
    }
  }

  private HttpResponse<byte[]> answer(JsonBodies.OnlineBody body) {
    Map<String, List<Object>> entities = body.entities();
    OnlineRequest online =
        (body.service() != null
                ? OnlineRequest.ofService(body.service(), entities)
                : OnlineRequest.ofFeatures(body.features(), entities))
            .withFullFeatureNames(body.fullFeatureNames())
            .withAsOf(JsonBodies.optionalInstant("as_of", body.asOf()));
    long started = System.nanoTime();
    OnlineResponse response = features.store().onlineFeatures(online);
    metrics.onlineLookups().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    if (body.service() != null) {
      // The time the values describe: as_of when the request gave one, else now.
      servedLog.served(
          body.service(),
          response,
          online.asOf() != null ? online.asOf() : features.clock().instant());
    }
    return HttpResponse.ok(OnlineResponseJson.bytes(response));
  }
}
