package dev.quiver.registry.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs the contract against a real PostgreSQL at {@code QUIVER_PG_URL} (default: the local test
 * database). Outside CI a missing server skips these tests with the reason; with {@code CI=true} it
 * fails them.
 */
class PostgresRegistryStoreTest extends RegistryStoreContract {

  static final String URL =
      System.getenv()
          .getOrDefault("QUIVER_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private String project;

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

  @BeforeEach
  void uniqueProject() {
    project = "test_" + UUID.randomUUID().toString().replace("-", "");
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

  @Override
  protected RegistryStore newStore(Clock clock) {
    return new PostgresRegistryStore(URL, project, clock);
  }

  @Test
  void projectsSharingADatabaseDoNotSeeEachOther() {
    try (RegistryStore store = newStore(CLOCK)) {
      store.commit(0, exampleDefinitions(), new CommitInfo("w", null, List.of("v1")));
    }
    String otherProject = project + "_other";
    try (RegistryStore other = new PostgresRegistryStore(URL, otherProject, CLOCK)) {
      assertThat(other.load().version()).isZero();
      assertThat(other.history()).isEmpty();
    }
  }

  @Test
  void messagesNeverShowThePassword() {
    assertThat(
            PostgresRegistryStore.redacted(
                "jdbc:postgresql://db:5432/test?user=quiver&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/test?user=quiver&password=***&ssl=true");
    assertThat(PostgresRegistryStore.redacted("postgresql://quiver:s3cret@db:5432/test"))
        .isEqualTo("postgresql://quiver:***@db:5432/test");
  }
}
