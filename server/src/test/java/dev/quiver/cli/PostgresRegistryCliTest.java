package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver apply} against a PostgreSQL registry named in feature_store.yaml. */
class PostgresRegistryCliTest {

  static final String URL =
      System.getenv()
          .getOrDefault("QUIVER_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  @TempDir Path dir;
  private final String project = "cli_" + UUID.randomUUID().toString().replace("-", "");

  @BeforeAll
  static void requirePostgres() {
    try (Connection ignored = DriverManager.getConnection(URL)) {
      // reachable
    } catch (SQLException e) {
      String reason = "PostgreSQL is not reachable at " + URL + ": " + e.getMessage();
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(reason, e);
      }
      Assumptions.abort(reason);
    }
  }

  @AfterEach
  void dropProject() throws SQLException {
    try (Connection connection = DriverManager.getConnection(URL)) {
      for (String table : List.of("quiver_registry", "quiver_registry_history")) {
        try (PreparedStatement delete =
            connection.prepareStatement("DELETE FROM " + table + " WHERE project = ?")) {
          delete.setString(1, project);
          delete.executeUpdate();
        }
      }
    }
  }

  private Path repoOnPostgres(String name) throws IOException {
    Path repo = dir.resolve(name);
    ExampleRepo.copyDefinitionsTo(repo);
    Files.writeString(
        repo.resolve("feature_store.yaml"),
        "project: "
            + project
            + "\nregistry: {type: postgres, url: \"${QUIVER_TEST_PG_URL:-"
            + URL
            + "}\"}\n");
    return repo;
  }

  @Test
  void twoCheckoutsShareOneRegistry() throws IOException {
    Path alice = repoOnPostgres("alice");
    Path bob = repoOnPostgres("bob");

    assertThat(quiver("apply", "--repo", alice.toString()).exitCode()).isZero();
    CliRun plan = quiver("plan", "--exit-code", "--repo", bob.toString());

    assertThat(plan.exitCode()).as(plan.out() + plan.err()).isZero();
    assertThat(plan.out()).contains("PostgreSQL registry of project '" + project + "'");
    assertThat(quiver("registry", "list", "--repo", bob.toString()).out())
        .isEqualTo(quiver("registry", "list", "--repo", alice.toString()).out());
  }
}
