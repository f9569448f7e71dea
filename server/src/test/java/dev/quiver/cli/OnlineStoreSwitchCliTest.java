package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.example.ExampleRepo;
import dev.quiver.online.redis.TestRedis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repo switched to another online store: {@code materialize-incremental} fills the new store
 * instead of assuming the old store's rows are there. (Issue 12: after a switch from RocksDB to
 * Redis, incremental runs wrote 0 rows and lookups answered NOT_FOUND.)
 */
class OnlineStoreSwitchCliTest {

  private static final String END = "2026-03-08T00:00:00Z";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HOURLY_STATS =
      Pattern.compile("driver_hourly_stats: (\\S+) to (\\S+): .* (\\d+) online rows written");

  @TempDir Path dir;

  @BeforeAll
  static void requireRedis() {
    TestRedis.require();
  }

  /** Points the repo's feature_store.yaml at an online store, the registry staying a file. */
  static void useOnlineStore(Path repo, String project, String onlineStore) throws IOException {
    Files.writeString(
        repo.resolve("feature_store.yaml"),
        "project: "
            + project
            + "\nregistry: data/registry.json\nonline_store: "
            + onlineStore
            + "\n");
  }

  /** driver_hourly_stats' window and rows written by {@code materialize-incremental END}. */
  private static List<String> materializeIncremental(Path repo) {
    CliRun run =
        quiver(
            "materialize-incremental",
            END,
            "--views",
            "driver_hourly_stats",
            "--repo",
            repo.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    Matcher matcher = HOURLY_STATS.matcher(run.out());
    assertThat(matcher.find()).as(run.out()).isTrue();
    return List.of(matcher.group(1), matcher.group(2), matcher.group(3));
  }

  /** conv_rate's statuses for drivers 1001, 1002 (in the data) and 9999 (not). */
  private static List<String> lookUp(Path repo) throws IOException {
    CliRun read =
        quiver(
            "online",
            "--features",
            "driver_hourly_stats:conv_rate",
            "--entity",
            "driver_id=1001,1002,9999",
            "--json",
            "--repo",
            repo.toString());
    assertThat(read.exitCode()).as(read.err()).isZero();
    List<String> statuses = new ArrayList<>();
    for (JsonNode status : JSON.readTree(read.out()).path("results").path(1).path("statuses")) {
      statuses.add(status.asText());
    }
    return statuses;
  }

  private static void assertFound(List<String> statuses) {
    // The rows are older than the view's ttl of 1d by now: found, but OUTSIDE_MAX_AGE.
    assertThat(statuses).hasSize(3);
    assertThat(statuses.subList(0, 2)).doesNotContain("NOT_FOUND");
    assertThat(statuses.get(2)).isEqualTo("NOT_FOUND");
  }

  @Test
  void materializeIncrementalFillsEachOnlineStoreTheRepoSwitchesTo() throws IOException {
    String project = TestRedis.uniqueProject("switch");
    Path repo = dir.resolve("repo");
    ExampleRepo.createAt(repo);
    try {
      useOnlineStore(repo, project, "{type: rocksdb, path: data/online-a}");
      assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
      List<String> first = materializeIncremental(repo);
      // Never materialized, with a ttl of 1d: from END - 1d.
      assertThat(first.subList(0, 2)).containsExactly("2026-03-07T00:00:00Z", END);
      assertThat(Long.parseLong(first.get(2))).isPositive();
      assertFound(lookUp(repo));

      useOnlineStore(
          repo,
          project,
          "{type: redis, url: \"" + TestRedis.URL + "\", command_timeout_ms: 10000}");
      assertThat(materializeIncremental(repo)).isEqualTo(first);
      assertFound(lookUp(repo));

      useOnlineStore(repo, project, "{type: rocksdb, path: data/online-b}");
      assertThat(materializeIncremental(repo)).isEqualTo(first);
      assertFound(lookUp(repo));

      // Back to the first store: its own log says it is filled up to END.
      useOnlineStore(repo, project, "{type: rocksdb, path: data/online-a}");
      assertThat(materializeIncremental(repo)).containsExactly(END, END, "0");
      assertFound(lookUp(repo));
    } finally {
      TestRedis.deleteProjects(TestRedis.URL, project);
    }
  }
}
