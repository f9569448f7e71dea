package dev.quiver.registry.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.testing.TestPostgres;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Runs the registry store and materialization log contracts against a real PostgreSQL at {@code
 * QUIVER_PG_URL} (default: the local test database). Outside CI a missing server skips these tests
 * with the reason; with {@code CI=true} it fails them.
 */
class PostgresRegistryStoreTest extends RegistryStoreContract {

  private static final String URL = TestPostgres.URL;

  private String project;

  @BeforeAll
  static void requirePostgres() {
    TestPostgres.require();
  }

  @BeforeEach
  void uniqueProject() {
    project = TestPostgres.uniqueProject("test");
  }

  @AfterEach
  void dropProject() throws SQLException {
    TestPostgres.deleteRegistry(project);
  }

  @Override
  protected RegistryStore newStore(Clock clock) {
    return new PostgresRegistryStore(URL, project, clock);
  }

  /** The log contract on the same database, each test under its own project. */
  @Nested
  class Log extends MaterializationLogContract {
    @Override
    protected RegistryStore newStore(Clock clock) {
      return PostgresRegistryStoreTest.this.newStore(clock);
    }
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
            PostgresConnections.redacted(
                "jdbc:postgresql://db:5432/test?user=quiver&password=s3cret&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/test?user=quiver&password=***&ssl=true");
    assertThat(PostgresConnections.redacted("postgresql://quiver:s3cret@db:5432/test"))
        .isEqualTo("postgresql://quiver:***@db:5432/test");
  }

  @Test
  void acceptsLibpqStyleUrlsWithCredentials() {
    java.util.Properties credentials = new java.util.Properties();
    assertThat(
            PostgresConnections.jdbcUrl(
                "postgresql://quiver:s%40cret@db.example:6543/features?sslmode=require",
                credentials))
        .isEqualTo("jdbc:postgresql://db.example:6543/features?sslmode=require");
    assertThat(credentials).containsEntry("user", "quiver").containsEntry("password", "s@cret");

    String libpq =
        URL.replace("jdbc:postgresql://", "postgresql://postgres@").replace("?user=postgres", "");
    try (RegistryStore store = new PostgresRegistryStore(libpq, project, CLOCK)) {
      store.commit(0, exampleDefinitions(), new CommitInfo("w", null, List.of("v1")));
      assertThat(store.load().version()).isEqualTo(1);
    }
  }
}
