package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.example.ExampleRepo;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What a hostile client sends to a server with no token: each gets a 4xx problem+json answer that
 * quotes its input shortened, and nothing of it reaches the log as an error or a stack trace.
 */
class HostileInputTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final List<String> POSTS =
      List.of(
          "/get-online-features",
          "/push",
          "/write-to-online-store",
          "/materialize",
          "/materialize-incremental");
  private static final String ONLINE =
      "{\"features\": [\"driver_hourly_stats:conv_rate\"], \"entities\": {\"driver_id\": [1001]}}";

  private static QuiverServer server;
  private static final ListAppender<ILoggingEvent> LOG = new ListAppender<>();
  private static final ch.qos.logback.classic.Logger ROOT =
      (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @BeforeAll
  static void serveWithoutATokenAndWatchTheLog() throws Exception {
    Path repo = Files.createTempDirectory("quiver-hostile").resolve("repo");
    ExampleRepo.createAt(repo, Instant.now().truncatedTo(ChronoUnit.HOURS));
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    server = QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0));
    LOG.start();
    ROOT.addAppender(LOG);
  }

  @AfterAll
  static void stop() {
    ROOT.detachAppender(LOG);
    if (server != null) {
      server.close();
    }
  }

  @BeforeEach
  void forgetEarlierLines() {
    synchronized (LOG) {
      LOG.list.clear();
    }
  }

  @AfterEach
  void nothingWasLoggedAsAnErrorOrWithAStackTrace() {
    synchronized (LOG) {
      assertThat(LOG.list)
          .as("log lines")
          .allSatisfy(
              event -> {
                assertThat(event.getLevel().isGreaterOrEqual(Level.ERROR))
                    .as(event.getFormattedMessage())
                    .isFalse();
                assertThat(event.getThrowableProxy()).as(event.getFormattedMessage()).isNull();
              });
    }
  }

  private static HttpResponse<String> send(
      String method, String path, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    for (int h = 0; h < headers.length; h += 2) {
      request.header(headers[h], headers[h + 1]);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> postJson(String path, String body, String... headers)
      throws Exception {
    String[] all = new String[headers.length + 2];
    all[0] = "Content-Type";
    all[1] = "application/json";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return send("POST", path, body.getBytes(StandardCharsets.UTF_8), all);
  }

  /** A problem+json answer with the status and kind, and a short detail without a stack trace. */
  private static JsonNode problem(int status, String kind, int code, String type, String body)
      throws Exception {
    assertThat(code).as(body).isEqualTo(status);
    assertThat(type).as(body).startsWith("application/problem+json");
    JsonNode problem = JSON.readTree(body);
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(problem.get("kind").asText()).as(body).isEqualTo(kind);
    assertThat(problem.get("detail").asText())
        .isNotBlank()
        .doesNotContain("\tat ", "Exception")
        .hasSizeLessThanOrEqualTo(Problems.MAX_DETAIL + 1);
    return problem;
  }

  private static JsonNode problem(HttpResponse<String> response, int status, String kind)
      throws Exception {
    return problem(
        status,
        kind,
        response.statusCode(),
        response.headers().firstValue("content-type").orElse(""),
        response.body());
  }

  /** An answer read off a socket, for requests an HTTP client will not send. */
  private record RawAnswer(int status, String contentType, String body) {}

  private static RawAnswer raw(byte[] request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      // Every request here asks the server to close the connection after its answer.
      String text = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      assertThat(end).as(text).isPositive();
      String head = text.substring(0, end);
      Matcher type = Pattern.compile("(?im)^content-type: *(.+)$").matcher(head);
      return new RawAnswer(
          Integer.parseInt(head.substring(9, 12)),
          type.find() ? type.group(1).strip() : "",
          text.substring(end + 4));
    }
  }

  private static JsonNode problem(RawAnswer answer, int status, String kind) throws Exception {
    return problem(status, kind, answer.status(), answer.contentType(), answer.body());
  }

  private static byte[] rawGet(String target, String... headerLines) {
    StringBuilder request = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n");
    request.append("Host: 127.0.0.1\r\n");
    for (String line : headerLines) {
      request.append(line).append("\r\n");
    }
    return request
        .append("Connection: close\r\n\r\n")
        .toString()
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  private static String pushBody(Instant at) {
    return "{\"push_source_name\": \"driver_hourly_stats\", \"df\": {\"driver_id\": [1001],"
        + " \"event_timestamp\": [\""
        + at
        + "\"], \"conv_rate\": [0.5], \"acc_rate\": [0.5], \"avg_daily_trips\": [7]}}";
  }

  @Test
  void anEmptyBodyOnEveryPostEndpointIsABadRequest() throws Exception {
    for (String path : POSTS) {
      JsonNode empty =
          problem(send("POST", path, null, "Content-Type", "application/json"), 400, "bad_request");
      assertThat(empty.get("detail").asText()).as(path).contains("The request has no body");
    }
  }

  @Test
  void anUnknownCharsetIsUnsupported() throws Exception {
    JsonNode unknown =
        problem(
            send(
                "POST",
                "/get-online-features",
                ONLINE.getBytes(StandardCharsets.UTF_8),
                "Content-Type",
                "application/json; charset=no-such-charset"),
            415,
            "unsupported_media_type");
    assertThat(unknown.get("detail").asText())
        .isEqualTo(
            "The request's charset 'no-such-charset' is not one this server reads; send UTF-8"
                + " (Content-Type: application/json; charset=utf-8)");
    JsonNode illegal =
        problem(
            send(
                "POST",
                "/get-online-features",
                ONLINE.getBytes(StandardCharsets.UTF_8),
                "Content-Type",
                "application/json; charset=-not-a-name"),
            415,
            "unsupported_media_type");
    assertThat(illegal.get("detail").asText()).contains("'-not-a-name'");
  }

  @Test
  void anAnswerNobodyCanTakeIsNotAcceptable() throws Exception {
    JsonNode online =
        problem(
            postJson("/get-online-features", ONLINE, "Accept", "application/xml"),
            406,
            "not_acceptable");
    assertThat(online.get("detail").asText())
        .isEqualTo(
            "This endpoint answers in 'application/json', which the request's Accept header"
                + " ('application/xml') does not take");
    problem(
        send("GET", "/api/v1/projects/driver_ranking/entities", null, "Accept", "application/xml"),
        406,
        "not_acceptable");
  }

  @Test
  void notAcceptableNamesTheTypesOfEndpointsThatDoNotAnswerJson() throws Exception {
    JsonNode metrics =
        problem(send("GET", "/metrics", null, "Accept", "application/json"), 406, "not_acceptable");
    assertThat(metrics.get("detail").asText())
        .isEqualTo(
            "This endpoint answers in 'text/plain; version=0.0.4; charset=utf-8', which the"
                + " request's Accept header ('application/json') does not take");
    JsonNode openApi =
        problem(
            send("GET", "/openapi.yml", null, "Accept", "application/json"), 406, "not_acceptable");
    assertThat(openApi.get("detail").asText())
        .isEqualTo(
            "This endpoint answers in 'application/yaml', which the request's Accept header"
                + " ('application/json') does not take");
  }

  /** A JSON push of one row for {@code driver}, addressed to {@code host}. */
  private static RawAnswer pushTo(String host, long driver) throws Exception {
    byte[] body =
        pushBody(Instant.now().truncatedTo(ChronoUnit.SECONDS))
            .replace("[1001]", "[" + driver + "]")
            .getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /push HTTP/1.1\r\nHost: "
            + host
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length
            + "\r\nConnection: close\r\n\r\n";
    byte[] head8 = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] request = new byte[head8.length + body.length];
    System.arraycopy(head8, 0, request, 0, head8.length);
    System.arraycopy(body, 0, request, head8.length, body.length);
    return raw(request);
  }

  private static String onlineStatus(long driver) throws Exception {
    HttpResponse<String> response =
        postJson("/get-online-features", ONLINE.replace("[1001]", "[" + driver + "]"));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).at("/results/1/statuses/0").asText();
  }

  @Test
  void withoutATokenAWriteAddressedToAnotherNameIsForbidden() throws Exception {
    // A page on this name, which its DNS then points to 127.0.0.1, is same-origin to the browser.
    String rebound = "rebind.attacker.example:" + server.port();
    JsonNode refused = problem(pushTo(rebound, 91_001), 403, "forbidden_host");
    assertThat(refused.get("detail").asText())
        .isEqualTo(
            "Cannot write: with no write token set, writes must be addressed to this machine by"
                + " loopback (localhost, 127.0.0.1, [::1]) or by the host the server listens on,"
                + " not to 'rebind.attacker.example:"
                + server.port()
                + "' (a page whose name was made to point here); set a write token to write by"
                + " other names");
    assertThat(onlineStatus(91_001))
        .as("nothing of the refused push was written")
        .isEqualTo("NOT_FOUND");

    List<String> loopback = List.of("localhost", "127.0.0.1", "[::1]");
    for (int i = 0; i < loopback.size(); i++) {
      String host = loopback.get(i) + ":" + server.port();
      long driver = 91_002 + i;
      RawAnswer accepted = pushTo(host, driver);
      assertThat(accepted.status()).as(host + ": " + accepted.body()).isEqualTo(200);
      assertThat(onlineStatus(driver)).as(host).isEqualTo("PRESENT");
    }
    // Reads are not writes.
    RawAnswer read =
        raw(
            ("GET /api/v1/projects/driver_ranking/entities HTTP/1.1\r\nHost: "
                    + rebound
                    + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
    assertThat(read.status()).as(read.body()).isEqualTo(200);
  }

  @Test
  void aBodyThatIsNotWhatItsEncodingSaysIsABadRequest() throws Exception {
    problem(
        postJson("/get-online-features", ONLINE, "Content-Encoding", "gzip"), 400, "bad_request");
  }

  @Test
  void aPathThatIsNotAValidUriIsABadRequest() throws Exception {
    problem(get("/api/v1/projects/%zz/entities"), 400, "bad_request");
    problem(raw(rawGet("/api/v1/projects/a\\b/entities")), 400, "bad_request");
    // rawGet sends each character as one byte: é as the byte 0xE9.
    problem(raw(rawGet("/api/v1/projects/caf\u00e9/entities")), 400, "bad_request");
  }

  private static RawAnswer get(String path) throws Exception {
    return raw(rawGet(path));
  }

  @Test
  void aRequestThatIsNotValidHttpIsABadRequest() throws Exception {
    JsonNode length = problem(raw(rawGet("/health", "Content-Length: many")), 400, "bad_request");
    assertThat(length.get("detail").asText()).startsWith("The request is not valid HTTP: ");
  }

  @Test
  void aTimestampBeyondNanosecondsSinceTheEpochIsInvalid() throws Exception {
    Instant ancient = Instant.parse("1600-01-01T00:00:00Z");
    JsonNode pushed = problem(postJson("/push", pushBody(ancient)), 422, "invalid_entity");
    assertThat(pushed.get("detail").asText())
        .isEqualTo(
            "Cannot write to feature view 'driver_hourly_stats': row 1 is dated"
                + " 1600-01-01T00:00:00Z, outside the years 1677 to 2262 that Quiver's timestamps"
                + " span");
    problem(
        postJson(
            "/write-to-online-store",
            pushBody(ancient).replace("push_source_name", "feature_view_name")),
        422,
        "invalid_entity");
  }

  @Test
  void aTooLongUrlOrHeaderIsAProblem() throws Exception {
    problem(get("/api/v1/projects/" + "p".repeat(8 * 1024) + "/entities"), 414, "uri_too_long");
    problem(raw(rawGet("/health", "X-Padding: " + "h".repeat(16 * 1024))), 431, "header_too_large");
  }

  @Test
  void clientInputIsQuotedShortened() throws Exception {
    String huge = "v".repeat(1024 * 1024);
    JsonNode to =
        problem(
            postJson(
                "/push",
                pushBody(Instant.now()).replace("{\"push", "{\"to\": \"" + huge + "\", \"push")),
            400,
            "bad_request");
    assertThat(to.get("detail").asText()).startsWith("\"to\": '" + "v".repeat(200) + "…'");
    JsonNode value =
        problem(
            postJson(
                "/push",
                pushBody(Instant.now()).replace("[0.5], \"acc", "[\"" + huge + "\"], \"acc")),
            422,
            "invalid_entity");
    assertThat(value.get("detail").asText()).contains("'" + "v".repeat(200) + "…'");
    JsonNode view =
        problem(
            postJson("/push", pushBody(Instant.now()).replace("driver_hourly_stats", huge)),
            404,
            "not_found");
    assertThat(view.get("detail").asText())
        .startsWith("Cannot write to feature view '" + "v".repeat(200) + "…': there is no such");
    // A message that quotes input whole is cut as a whole.
    JsonNode lookup =
        problem(
            postJson(
                "/get-online-features",
                ONLINE.replace("driver_hourly_stats:conv_rate", huge + ":conv_rate")),
            404,
            "not_found");
    assertThat(lookup.get("detail").asText()).hasSize(Problems.MAX_DETAIL + 1).endsWith("v…");
    JsonNode start =
        problem(
            postJson("/materialize", "{\"start_ts\": \"" + huge + "\", \"end_ts\": \"now\"}"),
            400,
            "bad_request");
    assertThat(start.get("detail").asText()).contains("'" + "v".repeat(200) + "…'");
  }

  @Test
  void writesWithoutATokenTakeOnlyJson() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    byte[] body = pushBody(now).getBytes(StandardCharsets.UTF_8);
    for (String path : List.of("/push", "/push/", "/write-to-online-store", "/materialize")) {
      JsonNode plain =
          problem(
              send("POST", path, body, "Content-Type", "text/plain"),
              415,
              "unsupported_media_type");
      assertThat(plain.get("detail").asText())
          .isEqualTo(
              "Cannot write: with no write token set, writes must come as 'Content-Type:"
                  + " application/json' (got 'text/plain')");
    }
    problem(send("POST", "/push", body), 415, "unsupported_media_type");
    problem(
        send("POST", "/push", body, "Content-Type", "application/x-www-form-urlencoded"),
        415,
        "unsupported_media_type");
    HttpResponse<String> json =
        send("POST", "/push", body, "Content-Type", "application/json; charset=utf-8");
    assertThat(json.statusCode()).as(json.body()).isEqualTo(200);
    // Reads are not writes: a form post still reads.
    HttpResponse<String> read =
        send(
            "POST",
            "/get-online-features",
            ONLINE.getBytes(StandardCharsets.UTF_8),
            "Content-Type",
            "application/x-www-form-urlencoded");
    assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
  }
}
