package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.cli.CliRun;
import dev.quiver.example.ExampleRepo;
import dev.quiver.offline.testing.ParquetDamage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server's answer when a source file's pages are damaged: a problem naming them, not a 500. */
class DamagedSourceServerTest {

  private static final String TOKEN = "s3cret-token";

  @TempDir Path dir;

  @Test
  void materializeAnswersASourceDataProblemNamingTheFileRowGroupAndColumn() throws Exception {
    Path repo = dir.resolve("repo");
    ExampleRepo.createAt(repo);
    CliRun apply = quiver("apply", "--repo", repo.toString());
    assertThat(apply.exitCode()).as(apply.err()).isZero();
    Path damaged = repo.resolve("data/driver_stats.parquet");
    ParquetDamage.damageFirstDataPage(damaged, 0, "created");

    try (QuiverServer server =
        QuiverServer.start(
            repo, 0, Map.of("quiver.server.write-token", TOKEN, "quiver.server.flight-port", 0))) {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(server.url() + "/materialize"))
                      .timeout(Duration.ofSeconds(60))
                      .header("Content-Type", "application/json")
                      .header("Authorization", "Bearer " + TOKEN)
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"start_ts\": \"2026-03-01T00:00:00Z\", \"end_ts\":"
                                  + " \"2026-03-08T00:00:00Z\", \"feature_views\":"
                                  + " [\"driver_hourly_stats\"]}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertThat(response.headers().firstValue("content-type"))
          .contains("application/problem+json");
      JsonNode problem = new ObjectMapper().readTree(response.body());
      assertThat(problem.get("kind").asText()).as(response.body()).isEqualTo("source_data");
      assertThat(problem.get("detail").asText())
          .contains("Cannot read " + damaged.toAbsolutePath().normalize() + ": row group 0,")
          .contains("column 'created' cannot be decoded (")
          .doesNotContain("\tat ", "Exception");
    }
  }
}
