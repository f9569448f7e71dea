package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.cli.CliRun;
import dev.quiver.example.ExampleRepo;
import dev.quiver.registry.store.HistoryEntry;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.FeatureStoreOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry's history over HTTP ({@code GET /api/v1/projects/{project}/history}) and through the
 * remote SDK is the embedded store's: every version oldest first, nulls kept.
 */
class RegistryHistoryApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void theRemoteStoreReadsTheSameHistoryAsTheEmbeddedOne() throws Exception {
    Path repo = dir.resolve("repo");
    ExampleRepo.copyDefinitionsTo(repo);
    apply(repo);
    Path view = repo.resolve("driver_stats.yaml");
    Files.writeString(view, Files.readString(view).replace("ttl: 1d", "ttl: 2d"));
    apply(repo);

    List<HistoryEntry> embedded;
    try (FeatureStore store = FeatureStore.open(repo, FeatureStoreOptions.defaults().readOnly())) {
      embedded = store.registryHistory();
    }
    assertThat(embedded).extracting(HistoryEntry::version).containsExactly(1L, 2L);
    assertThat(embedded.get(1).changes())
        .contains("update feature view driver_hourly_stats: ttl 1d -> 2d");

    try (QuiverServer server = QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0));
        FeatureStore remote = FeatureStore.connect(URI.create(server.url()))) {
      assertThat(remote.registryHistory()).isEqualTo(embedded);

      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(server.url() + "/api/v1/projects/driver_ranking/history"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      JsonNode first = JSON.readTree(response.body()).get("history").get(0);
      assertThat(first.get("version").asLong()).isEqualTo(1);
      assertThat(first.get("committed_at").asText())
          .isEqualTo(embedded.get(0).committedAt().toString());
      // An apply restored nothing: the key is there, null.
      assertThat(first.has("restored_version")).isTrue();
      assertThat(first.get("restored_version").isNull()).isTrue();

      // A rollback shows at once (the history is read on each call), with what it restored.
      CliRun rollback = quiver("registry", "rollback", "1", "--repo", repo.toString());
      assertThat(rollback.exitCode()).as(rollback.err()).isZero();
      List<HistoryEntry> history = remote.registryHistory();
      assertThat(history).extracting(HistoryEntry::version).containsExactly(1L, 2L, 3L);
      assertThat(history.get(2).restoredVersion()).isEqualTo(1L);
      try (FeatureStore store =
          FeatureStore.open(repo, FeatureStoreOptions.defaults().readOnly())) {
        assertThat(history).isEqualTo(store.registryHistory());
      }
    }
  }

  private static void apply(Path repo) {
    CliRun run = quiver("apply", "--repo", repo.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
  }
}
