package dev.quiver.registry.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL the tests talk to: {@code QUIVER_PG_URL}, by default the local {@code test}
 * database. Outside CI a missing server skips the calling tests with the reason; with {@code
 * CI=true} it fails them. Shared with other modules through this module's test jar.
 */
public final class TestPostgres {

  public static final String URL =
      System.getenv()
          .getOrDefault("QUIVER_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private TestPostgres() {}

  /** Call from {@code @BeforeAll}. */
  public static void require() {
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

  /** A project name no other test uses, so tests can share the database. */
  public static String uniqueProject(String prefix) {
    return prefix + "_" + UUID.randomUUID().toString().replace("-", "");
  }

  /** Removes everything a test registered for {@code project}. */
  public static void deleteRegistry(String project) throws SQLException {
    try (Connection connection = DriverManager.getConnection(URL)) {
      for (String table :
          List.of(
              "quiver_registry",
              "quiver_registry_history",
              "quiver_materialization_log_intervals",
              "quiver_materialization_log",
              // The project-wide log of Quiver before migrations, which upgrade tests fill.
              "quiver_materialized_intervals",
              "quiver_materialized_newest")) {
        try (PreparedStatement delete =
            connection.prepareStatement("DELETE FROM " + table + " WHERE project = ?")) {
          delete.setString(1, project);
          delete.executeUpdate();
        } catch (SQLException e) {
          if (!"42P01".equals(e.getSQLState())) { // a table not created yet holds nothing
            throw e;
          }
        }
      }
    }
  }

  /**
   * {@link #URL} with one more parameter, e.g. {@code currentSchema=s} or {@code
   * ApplicationName=a}.
   */
  public static String urlWith(String parameter) {
    return URL + (URL.contains("?") ? "&" : "?") + parameter;
  }

  /**
   * Creates an empty schema no other test uses, for tests that need a database of their own shape
   * (an empty one, one an older Quiver made); reach it with {@code urlWith("currentSchema=" +
   * name)}, and drop it with {@link #dropSchema}.
   */
  public static String createSchema(String prefix) throws SQLException {
    String schema = uniqueProject(prefix);
    execute("CREATE SCHEMA " + schema);
    return schema;
  }

  public static void dropSchema(String schema) throws SQLException {
    execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  /** Runs one statement with a connection of its own. */
  public static void execute(String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(URL);
        java.sql.Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** How many connections whose application_name is {@code applicationName} are open. */
  public static int connectionsNamed(String applicationName) throws SQLException {
    try (Connection connection = DriverManager.getConnection(URL);
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = ?")) {
      query.setString(1, applicationName);
      try (java.sql.ResultSet row = query.executeQuery()) {
        row.next();
        return row.getInt(1);
      }
    }
  }
}
