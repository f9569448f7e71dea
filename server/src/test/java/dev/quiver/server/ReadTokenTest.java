package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.QuiverException;
import dev.quiver.example.ExampleRepo;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.HistoricalRequest;
import dev.quiver.sdk.OnlineRequest;
import dev.quiver.sdk.RemoteOptions;
import dev.quiver.sdk.TrainingSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server configured with a read token: lookups, the registry and Flight need it. */
class ReadTokenTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private static int status(QuiverServer server, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path));
    if (token != null) {
      // A token with a space is the whole header value.
      request.header("Authorization", token.contains(" ") ? token : "Bearer " + token);
    }
    request =
        body == null ? request.GET() : request.POST(HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void readsNeedTheReadOrTheWriteToken() throws Exception {
    Path repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    ExampleRepo.createAt(repo, end);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    Path entities =
        Files.writeString(
            dir.resolve("entities.csv"),
            "driver_id,event_timestamp\n1001," + end.minus(1, ChronoUnit.HOURS) + "\n");
    String lookup =
        "{\"features\": [\"driver_hourly_stats:conv_rate\"], \"entities\": {\"driver_id\": [1001]}}";
    try (QuiverServer server =
        QuiverServer.start(
            repo,
            0,
            Map.of(
                "quiver.server.flight-port", 0,
                "quiver.server.read-token", "r-token",
                "quiver.server.write-token", "w-token"))) {
      assertThat(status(server, "/get-online-features", lookup, null)).isEqualTo(401);
      assertThat(status(server, "/get-online-features/", lookup, null)).isEqualTo(401);
      assertThat(status(server, "/get-online-features", lookup, "bearer r-token"))
          .as("the scheme is case-insensitive")
          .isEqualTo(200);
      assertThat(status(server, "/get-online-features", lookup, "wrong")).isEqualTo(401);
      assertThat(status(server, "/get-online-features", lookup, "r-token")).isEqualTo(200);
      assertThat(status(server, "/get-online-features", lookup, "w-token")).isEqualTo(200);
      assertThat(status(server, "/api/v1/info", null, null)).isEqualTo(401);
      assertThat(status(server, "/api/v1/projects/driver_ranking/entities", null, "r-token"))
          .isEqualTo(200);
      assertThat(status(server, "/health", null, null)).isEqualTo(200);
      assertThat(status(server, "/push", "{}", "r-token"))
          .as("a read token writes nothing")
          .isEqualTo(401);

      try (RootAllocator allocator = new RootAllocator();
          FlightClient client =
              FlightClient.builder(
                      allocator, Location.forGrpcInsecure("127.0.0.1", server.flightPort()))
                  .build()) {
        assertThatThrownBy(
                () -> {
                  try (FlightClient.ExchangeReaderWriter exchange =
                      client.doExchange(
                          FlightDescriptor.command(
                              "{\"features\": [\"driver_hourly_stats:conv_rate\"]}"
                                  .getBytes(StandardCharsets.UTF_8)))) {
                    exchange.getReader().next();
                  }
                })
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                e -> {
                  assertThat(e.status().code()).isEqualTo(CallStatus.UNAUTHENTICATED.code());
                  assertThat(e)
                      .hasMessage(
                          "This server needs its token: send 'authorization: Bearer <token>'");
                });
      }

      URI url = URI.create(server.url());
      assertThatThrownBy(() -> FeatureStore.connect(url, new RemoteOptions(null, null)))
          .isInstanceOf(QuiverException.class)
          .hasMessageContaining("QUIVER_READ_TOKEN");
      try (FeatureStore remote = FeatureStore.connect(url, new RemoteOptions("r-token", null))) {
        assertThat(
                remote
                    .onlineFeatures(
                        OnlineRequest.ofFeatures(
                            List.of("driver_hourly_stats:conv_rate"),
                            Map.of("driver_id", List.of(1001L))))
                    .featureNames())
            .containsExactly("driver_id", "conv_rate");
        try (TrainingSet set =
            remote.historicalFeatures(
                HistoricalRequest.builder()
                    .entities(entities)
                    .features(List.of("driver_hourly_stats:conv_rate"))
                    .build())) {
          assertThat(set.table().getRowCount()).isEqualTo(1);
        }
      }
    }
  }
}
