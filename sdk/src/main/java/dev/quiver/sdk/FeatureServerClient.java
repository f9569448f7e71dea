package dev.quiver.sdk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.QuiverException;
import dev.quiver.offline.ArrowAccess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightCallHeaders;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.HeaderCallOption;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The transport to one {@code quiver serve}: a reused HTTP/1.1 client (JSON bodies, timeouts,
 * bearer tokens, problem details turned into exceptions) and an Arrow Flight client for training
 * sets. The remote store's roles talk to the server only through it.
 */
final class FeatureServerClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI server;
  private final HttpClient http;
  private final RemoteOptions tokens;
  private final CallOption[] flightAuth;
  private final BufferAllocator allocator = new RootAllocator();
  private final String project;
  private final FlightClient flight;

  private FeatureServerClient(URI server, RemoteOptions tokens) {
    this.server = server;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.tokens = tokens;
    String readToken = readToken();
    if (readToken == null) {
      this.flightAuth = new CallOption[0];
    } else {
      FlightCallHeaders headers = new FlightCallHeaders();
      headers.insert("authorization", "Bearer " + readToken);
      this.flightAuth = new CallOption[] {new HeaderCallOption(headers)};
    }
    try {
      JsonNode info = get("/api/v1/info");
      if (!info.path("project").isTextual() || !info.path("flight_port").canConvertToInt()) {
        throw new QuiverException(
            "Cannot connect to "
                + server
                + ": it is not a Quiver feature server (its /api/v1/info has no project and"
                + " flight_port)");
      }
      this.project = info.get("project").asText();
      this.flight =
          FlightClient.builder(
                  allocator,
                  Location.forGrpcInsecure(server.getHost(), info.get("flight_port").asInt()))
              .build();
    } catch (RuntimeException e) {
      allocator.close();
      throw e;
    }
  }

  /**
   * Connects to the server at {@code server} and reads its project and Flight port.
   *
   * @throws QuiverException for an address that is not http://host:port, or a server that cannot be
   *     reached
   */
  static FeatureServerClient connect(URI server, RemoteOptions tokens) {
    if (server.getHost() == null || !"http".equals(server.getScheme())) {
      throw new InvalidServerAddressException(
          "Cannot connect to '" + server + "': give the server as http://host:port");
    }
    // Training sets come over Arrow Flight: fail here, not in the middle of the first one.
    ArrowAccess.require("connect to the feature server at " + server);
    return new FeatureServerClient(server, tokens);
  }

  URI server() {
    return server;
  }

  /** The project the server serves. */
  String project() {
    return project;
  }

  /** Where batches received over Flight are kept. */
  BufferAllocator allocator() {
    return allocator;
  }

  /** The token for reads: the read token, else the write token (the server takes both). */
  private String readToken() {
    return tokens.readToken() != null ? tokens.readToken() : tokens.writeToken();
  }

  /** {@code GET path}, as a read. */
  JsonNode get(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.resolve(path)).timeout(TIMEOUT);
    if (readToken() != null) {
      request.header("Authorization", "Bearer " + readToken());
    }
    return send(request.GET().build());
  }

  /** {@code POST path} of a write: never retried (a retry could apply it twice). */
  JsonNode write(String path, Object body) {
    return send(post(path, body, true));
  }

  /**
   * {@code POST path} of a write whose answer the server may stream as lines of JSON ({@code
   * application/x-ndjson}): each line but the last goes to {@code lines} as it arrives, which says
   * whether it took it (progress); the first line it does not take is the result. An error after
   * the first line comes as a problem line. A server that does not stream answers with the result
   * alone. Never retried.
   */
  JsonNode writeStreamed(String path, Object body, Predicate<JsonNode> lines) {
    HttpRequest request =
        HttpRequest.newBuilder(post(path, body, true), (name, value) -> true)
            .header("Accept", ServerProtocol.NDJSON + ", application/json")
            .build();
    HttpResponse<Stream<String>> response = exchange(request, HttpResponse.BodyHandlers.ofLines());
    try (Stream<String> answer = response.body()) {
      if (response.statusCode() >= 300) {
        throw RemoteErrors.of(
            response.statusCode(), answer.collect(Collectors.joining("\n")), server.toString());
      }
      Iterator<String> next = answer.iterator();
      while (next.hasNext()) {
        String text = next.next();
        if (text.isBlank()) {
          continue;
        }
        JsonNode line = parse(text);
        if (line.has("kind") && line.has("detail") && line.has("status")) {
          throw RemoteErrors.of(line.get("status").asInt(), text, server.toString());
        }
        if (!lines.test(line)) {
          return line;
        }
      }
    } catch (UncheckedIOException e) {
      throw new ServerUnreachableException(
          "The connection to the feature server at " + server + " broke: " + e.getMessage(), e);
    }
    throw new QuiverException("The feature server at " + server + " sent no result");
  }

  /**
   * {@code POST path} of a read, without blocking: retried once when the connection failed before
   * the request reached the server (a timed-out one may have).
   */
  CompletableFuture<JsonNode> readAsync(String path, Object body) {
    HttpRequest post = post(path, body, false);
    return http.sendAsync(post, HttpResponse.BodyHandlers.ofString())
        .exceptionallyCompose(
            e ->
                unwrapCause(e) instanceof ConnectException
                    ? http.sendAsync(post, HttpResponse.BodyHandlers.ofString())
                    : CompletableFuture.failedFuture(e))
        .thenApply(this::check);
  }

  /** The result of a {@link #readAsync}, its failure as thrown by the embedded store. */
  <T> T join(CompletableFuture<T> call) {
    try {
      return call.join();
    } catch (CompletionException e) {
      Throwable cause = unwrapCause(e);
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new ServerUnreachableException(
          "Cannot reach the feature server at " + server + ": " + cause.getMessage(), cause);
    }
  }

  /** A Flight exchange with the server, authenticated as a read. */
  FlightClient.ExchangeReaderWriter exchange(Object command) {
    return flight.doExchange(
        FlightDescriptor.command(json(command).getBytes(StandardCharsets.UTF_8)), flightAuth);
  }

  /** A Flight failure as the exception the embedded store throws. */
  QuiverException flightError(FlightRuntimeException e) {
    return RemoteErrors.of(e, server.toString());
  }

  private HttpRequest post(String path, Object body, boolean write) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(server.resolve(path))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json(body)));
    String token = write ? tokens.writeToken() : readToken();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return request.build();
  }

  private JsonNode send(HttpRequest request) {
    return check(exchange(request, HttpResponse.BodyHandlers.ofString()));
  }

  /** Sends a request; a server that cannot be reached or does not answer in time says so. */
  private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body) {
    try {
      return http.send(request, body);
    } catch (HttpTimeoutException e) {
      throw new ServerUnreachableException(
          "The feature server at "
              + server
              + " did not answer within "
              + TIMEOUT.toSeconds()
              + " s",
          e);
    } catch (IOException e) {
      throw new ServerUnreachableException(
          "Cannot reach the feature server at " + server + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServerUnreachableException("Interrupted while waiting for " + server, e);
    }
  }

  private JsonNode check(HttpResponse<String> response) {
    if (response.statusCode() >= 300) {
      throw RemoteErrors.of(response.statusCode(), response.body(), server.toString());
    }
    return parse(response.body());
  }

  private JsonNode parse(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new QuiverException("The feature server at " + server + " sent invalid JSON", e);
    }
  }

  static String json(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write a request body as JSON", e);
    }
  }

  private static Throwable unwrapCause(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  @Override
  public void close() {
    try {
      flight.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      allocator.close();
    }
  }
}
