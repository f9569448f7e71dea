package dev.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.ErrorKind;
import dev.quiver.Excerpt;
import dev.quiver.QuiverException;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.registry.model.TimeInterval;
import dev.quiver.registry.rules.ValidationRejectedException;
import dev.quiver.sdk.PushResult;
import dev.quiver.sdk.PushTarget;
import dev.quiver.sdk.ServerProtocol;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.inject.Named;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Schedulers;

/**
 * The write endpoints, in Feast's shapes: {@code /push} (rows to the online store, the view's
 * source folder or both) and {@code /write-to-online-store} (rows straight to the online store),
 * {@code /materialize} and {@code /materialize-incremental}. They take the server's write token
 * when one is set.
 */
@Controller
@Tag(name = "write")
@ExecuteOn(TaskExecutors.BLOCKING)
public class WriteController {

  private static final Logger LOG = LoggerFactory.getLogger(WriteController.class);

  private static final String NDJSON = ServerProtocol.NDJSON;

  private final FeatureService features;
  private final ServerMetrics metrics;
  private final ExecutorService blocking;

  WriteController(
      FeatureService features,
      ServerMetrics metrics,
      @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
    this.features = features;
    this.metrics = metrics;
    this.blocking = blocking;
  }

  /**
   * Feast's push: {@code {"push_source_name": "<feature view>", "df": {"column": [values...]},
   * "to": "online"}}; {@code feature_view} may name the view instead. Rows are checked against the
   * view's schema first, then written where {@code to} says ({@link PushTarget}): {@code online}
   * (the default) newer-wins with the time received as their created time; {@code offline} as one
   * new Parquet file in the view's source folder; {@code online_and_offline} offline first, then
   * online, so a failure between leaves them offline only, and a retry adds a second file.
   */
  @Post(uri = "/push", produces = MediaType.APPLICATION_JSON)
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  @Operation(
      summary = "Push rows to the online store, the offline store or both (Feast-compatible)",
      description =
          "Body: {\"push_source_name\": VIEW, \"df\": {\"column\": [values...]}, \"to\":"
              + " \"online\" | \"online_and_offline\" | \"offline\"} (feature_view also names"
              + " the view; to defaults to online). Rows are checked against the view before"
              + " anything is written. online: newer-wins, the time received as created time."
              + " offline: all rows appended as one new Parquet file to the folder of the view's"
              + " source (its path must be a folder), which training reads. online_and_offline:"
              + " offline first, then online; a failure between leaves the rows offline only, and"
              + " a retried push appends them again as a second file. Aggregation and offline-only"
              + " views take \"offline\" only. Answer: {\"feature_view\", \"to\","
              + " \"rows_written\" (online rows replaced or added), \"offline_rows_written\","
              + " \"offline_file\"}.")
  public String push(@Body @Nullable String body) {
    Instant received = features.clock().instant();
    JsonNode request = JsonBodies.object(body);
    String view = JsonBodies.optionalText(request, "feature_view");
    if (view == null) {
      view = JsonBodies.requiredText(request, "push_source_name");
    }
    String toText = JsonBodies.optionalText(request, "to");
    PushTarget to =
        toText == null
            ? PushTarget.ONLINE
            : PushTarget.fromWireName(toText)
                .orElseThrow(
                    () ->
                        new BadRequestException(
                            "\"to\": '"
                                + Excerpt.of(toText)
                                + "' is not a push target; use "
                                + String.join(", ", PushTarget.wireNames())));
    PushResult result = push(view, JsonBodies.columns(request, "df"), received, to);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("feature_view", view);
    answer.put("to", to.wireName());
    answer.put("rows_written", result.onlineRowsWritten());
    answer.put("offline_rows_written", result.offlineRowsWritten());
    answer.put("offline_file", result.offlineFile());
    if (result.validation() != null) {
      answer.put("validation", result.validation().asMap());
    }
    return JsonBodies.write(answer);
  }

  /** A push, its rules' failures counted whether the rows were written or refused. */
  private PushResult push(
      String view, Map<String, List<Object>> columns, Instant received, PushTarget to) {
    PushResult result;
    try {
      result = features.store().push(view, columns, received, to);
    } catch (ValidationRejectedException e) {
      e.reports().forEach(report -> metrics.validation("push", report));
      throw e;
    }
    if (result.validation() != null) {
      metrics.validation("push", result.validation());
    }
    return result;
  }

  /** Feast's {@code {"feature_view_name": "...", "df": {"column": [values...]}}}. */
  @Post(uri = "/write-to-online-store", produces = MediaType.APPLICATION_JSON)
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  @Operation(summary = "Write rows to the online store (Feast-compatible)")
  public String writeToOnlineStore(@Body @Nullable String body) {
    Instant received = features.clock().instant();
    JsonNode request = JsonBodies.object(body);
    String view = JsonBodies.requiredText(request, "feature_view_name");
    long rows =
        push(view, JsonBodies.columns(request, "df"), received, PushTarget.ONLINE)
            .onlineRowsWritten();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("feature_view", view);
    answer.put("rows_written", rows);
    return JsonBodies.write(answer);
  }

  /**
   * Feast's {@code {"start_ts": "...", "end_ts": "...", "feature_views": [...]}}. With {@code
   * Accept: application/x-ndjson} the answer streams the run's progress, one JSON object a line
   * ({@code {"quiver_progress": {...}}}), then the result.
   */
  @Post(
      uri = "/materialize",
      produces = {MediaType.APPLICATION_JSON, NDJSON})
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  @Operation(summary = "Materialize a window into the online store (Feast-compatible)")
  public HttpResponse<?> materialize(
      @Body @Nullable String body,
      @Header(value = HttpHeaders.ACCEPT, defaultValue = "") String accept) {
    JsonNode request = JsonBodies.object(body);
    Instant start = JsonBodies.instant(request, "start_ts");
    Instant end = JsonBodies.instant(request, "end_ts");
    List<String> views = JsonBodies.textList(request, "feature_views");
    return answer(accept, progress -> features.store().materialize(start, end, views, progress));
  }

  /**
   * Feast's {@code {"end_ts": "...", "feature_views": [...]}}; streams like {@link #materialize}.
   */
  @Post(
      uri = "/materialize-incremental",
      produces = {MediaType.APPLICATION_JSON, NDJSON})
  @Consumes({MediaType.APPLICATION_JSON, MediaType.TEXT_PLAIN, MediaType.ALL})
  @Operation(summary = "Materialize each view from where it last ended (Feast-compatible)")
  public HttpResponse<?> materializeIncremental(
      @Body @Nullable String body,
      @Header(value = HttpHeaders.ACCEPT, defaultValue = "") String accept) {
    JsonNode request = JsonBodies.object(body);
    Instant end = JsonBodies.instant(request, "end_ts");
    List<String> views = JsonBodies.textList(request, "feature_views");
    return answer(
        accept, progress -> features.store().materializeIncremental(end, views, progress));
  }

  /**
   * The materialization's answer: its result as JSON, or, when the client takes lines of JSON, a
   * stream of its progress and then its result, run on the blocking pool while the lines go out. An
   * error before the first line is an ordinary problem answer; one after it, a problem line.
   */
  private HttpResponse<?> answer(
      String accept, Function<MaterializationProgress, List<Materializer.ViewResult>> runs) {
    Function<MaterializationProgress, List<Materializer.ViewResult>> run =
        progress -> {
          List<Materializer.ViewResult> results;
          try {
            results = runs.apply(progress);
          } catch (ValidationRejectedException e) {
            e.reports().forEach(report -> metrics.validation("materialize", report));
            throw e;
          }
          for (Materializer.ViewResult result : results) {
            if (result.validation() != null) {
              metrics.validation("materialize", result.validation());
            }
          }
          return results;
        };
    if (!accept.contains(NDJSON)) {
      return HttpResponse.ok(results(run.apply(MaterializationProgress.NONE)))
          .contentType(MediaType.APPLICATION_JSON_TYPE);
    }
    Flux<byte[]> lines =
        Flux.<byte[]>create(
                sink -> {
                  try {
                    List<Materializer.ViewResult> results =
                        run.apply(
                            new StreamedProgress(
                                line -> {
                                  if (sink.isCancelled()) {
                                    // The client went away: stop rather than work for nobody.
                                    throw new ClientGoneException(
                                        "The client of a streamed materialization went away");
                                  }
                                  sink.next(line(line));
                                }));
                    sink.next(line(results(results)));
                  } catch (ClientGoneException e) {
                    LOG.info("{}; it stopped at the next progress event", e.getMessage());
                  } catch (QuiverException e) {
                    ErrorKind kind = e.kind();
                    metrics.error(kind.label());
                    if (kind.fault() == ErrorKind.Fault.SERVER) {
                      LOG.warn("A streamed materialization failed: {}", e.getMessage());
                    }
                    sink.next(
                        line(
                            Problems.body(
                                HttpStatus.valueOf(kind.httpStatus()),
                                kind.label(),
                                e.getMessage(),
                                e instanceof ValidationRejectedException rejected
                                    ? Map.of(
                                        "validation",
                                        rejected.reports().stream().map(r -> r.asMap()).toList())
                                    : Map.of())));
                  } catch (RuntimeException | Error e) {
                    // Whatever ends the run, the stream ends with a line saying so.
                    LOG.error("A streamed materialization failed", e);
                    metrics.error("internal");
                    sink.next(
                        line(
                            Problems.body(
                                HttpStatus.INTERNAL_SERVER_ERROR,
                                "internal",
                                "The server failed to answer; its log has the details")));
                  }
                  sink.complete();
                },
                FluxSink.OverflowStrategy.BUFFER)
            .subscribeOn(Schedulers.fromExecutorService(blocking));
    return HttpResponse.ok(lines).contentType(MediaType.of(NDJSON));
  }

  private static byte[] line(String json) {
    return (json + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /** A streamed answer's client that is no longer there. */
  private static final class ClientGoneException extends RuntimeException {
    ClientGoneException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * A materialization's progress as lines of JSON: {@code {"quiver_progress": {...}}}; rows read at
   * most every {@link #EVERY} per view, and before the view's end.
   */
  private static final class StreamedProgress implements MaterializationProgress {
    static final Duration EVERY = Duration.ofMillis(200);

    private final Consumer<String> lines;
    private final Map<String, long[]> unsent = new HashMap<>();

    StreamedProgress(Consumer<String> lines) {
      this.lines = lines;
    }

    @Override
    public synchronized void viewStarted(String view, long sourceRows) {
      unsent.put(view, new long[] {0, System.nanoTime()});
      send(Map.of("event", "view_started", "view", view, "source_rows", sourceRows));
    }

    @Override
    public synchronized void rowsRead(String view, long rows) {
      long[] rowsAndTime = unsent.computeIfAbsent(view, v -> new long[] {0, System.nanoTime()});
      rowsAndTime[0] += rows;
      if (System.nanoTime() - rowsAndTime[1] >= EVERY.toNanos()) {
        flush(view, rowsAndTime);
      }
    }

    @Override
    public synchronized void viewFinished(String view) {
      long[] rowsAndTime = unsent.remove(view);
      if (rowsAndTime != null) {
        flush(view, rowsAndTime);
      }
      send(Map.of("event", "view_finished", "view", view));
    }

    private void flush(String view, long[] rowsAndTime) {
      if (rowsAndTime[0] > 0) {
        send(Map.of("event", "rows_read", "view", view, "rows", rowsAndTime[0]));
      }
      rowsAndTime[0] = 0;
      rowsAndTime[1] = System.nanoTime();
    }

    private void send(Map<String, Object> event) {
      lines.accept(JsonBodies.write(Map.of(ServerProtocol.PROGRESS, event)));
    }
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
      if (result.validation() != null) {
        view.put("validation", result.validation().asMap());
      }
      views.add(view);
    }
    return JsonBodies.write(Map.of("feature_views", views));
  }
}
