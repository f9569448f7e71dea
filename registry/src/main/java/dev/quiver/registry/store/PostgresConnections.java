package dev.quiver.registry.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * The connections of one PostgreSQL registry store: a small HikariCP pool, opened with the store
 * and closed with it, so a long-lived store (a server polling every two seconds, an SDK process)
 * reuses a few connections instead of opening one per call. The pool connects lazily: opening a
 * store reaches no database, and a short command opens one connection.
 *
 * <p>Also what concerns every statement: URLs (JDBC, or libpq-style with credentials), messages
 * that never show the password, a table that does not exist yet read as empty, and the schema
 * migrated once before the first write.
 */
final class PostgresConnections implements AutoCloseable {

  /** Names the pool's threads and, unless the URL sets one, the connections' application_name. */
  static final String APPLICATION_NAME = "quiver-registry";

  /**
   * A registry call holds a connection for a few statements; four serve a server's concurrent
   * requests and materializations, and a command needs one.
   */
  private static final int MAX_CONNECTIONS = 4;

  /** How long a call waits for a connection before it fails, the database being unreachable. */
  private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  private final String url;
  private final String password;
  private final HikariDataSource pool;
  private final Migration migration;
  private volatile boolean migrated;

  /**
   * @param url a JDBC URL, or a libpq-style {@code postgresql://user:password@host:port/db}
   * @param migration brings the schema up to date; run once, before the first write
   * @throws RegistryException when the URL is not one the PostgreSQL driver takes
   */
  PostgresConnections(String url, Migration migration) {
    Properties credentials = new Properties();
    this.url = jdbcUrl(url, credentials);
    this.password = credentials.getProperty("password");
    this.migration = migration;
    HikariConfig config = new HikariConfig();
    config.setPoolName(APPLICATION_NAME);
    config.setDriverClassName("org.postgresql.Driver");
    config.setJdbcUrl(this.url);
    if (credentials.containsKey("user")) {
      config.setUsername(credentials.getProperty("user"));
    }
    if (password != null) {
      config.setPassword(password);
    }
    // A URL's own ApplicationName wins over this default (the driver reads the URL last).
    config.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
    config.setMaximumPoolSize(MAX_CONNECTIONS);
    config.setMinimumIdle(0);
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    // Connect on first use, not here: a store is opened before anyone knows it will be used.
    config.setInitializationFailTimeout(-1);
    try {
      this.pool = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new RegistryException(
          "Cannot open the PostgreSQL registry at "
              + redacted(this.url)
              + ": "
              + redacted(firstLine(e.getMessage())),
          e);
    }
  }

  /**
   * Accepts JDBC URLs and libpq-style {@code postgresql://user:password@host:port/db} URLs, whose
   * user and password the JDBC driver would not read from the URL.
   */
  static String jdbcUrl(String url, Properties credentials) {
    if (!url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      return url;
    }
    URI uri = URI.create(url);
    if (uri.getRawUserInfo() != null) {
      String[] parts = uri.getRawUserInfo().split(":", 2);
      credentials.setProperty("user", URLDecoder.decode(parts[0], StandardCharsets.UTF_8));
      if (parts.length == 2) {
        credentials.setProperty("password", URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
      }
    }
    String hostAndPort = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
    return "jdbc:postgresql://"
        + hostAndPort
        + (uri.getRawPath() == null ? "" : uri.getRawPath())
        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
  }

  /** The URL without a password, for messages. */
  static String redacted(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***")
        .replaceAll("://([^:/@]+):[^@/]*@", "://$1:***@");
  }

  /** The JDBC URL, without a password. */
  String url() {
    return redacted(url);
  }

  /** Sets a statement's parameters. */
  interface Parameters {
    void bind(PreparedStatement statement) throws SQLException;
  }

  /** Reads a query's rows. */
  interface Rows<T> {
    T read(ResultSet rows) throws SQLException;
  }

  /** Brings a database's schema up to date. */
  interface Migration {
    void migrate(DataSource dataSource) throws SQLException;
  }

  /** Work done on one connection. */
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * Runs one query, or answers {@code whenNoTable} when its table does not exist yet: nothing was
   * ever written to this database, and reading needs no DDL rights.
   *
   * @param what names what is read, for the message of a failure
   * @throws RegistryException when the database cannot be read
   */
  <T> T read(String what, String sql, Parameters parameters, T whenNoTable, Rows<T> rows) {
    return read(what, sql, sql, parameters, whenNoTable, rows);
  }

  /**
   * Runs one query as {@link #read(String, String, Parameters, Object, Rows)} does, or {@code
   * sqlBeforeMigration} when a column {@code sql} reads is not there yet: reads do not migrate, so
   * a database only an older Quiver wrote to keeps its older tables until the first write.
   */
  <T> T read(
      String what,
      String sql,
      String sqlBeforeMigration,
      Parameters parameters,
      T whenNoTable,
      Rows<T> rows) {
    try {
      return query(sql, parameters, rows);
    } catch (SQLException e) {
      if (PostgresSchema.UNDEFINED_COLUMN.equals(e.getSQLState())
          && !sql.equals(sqlBeforeMigration)) {
        try {
          return query(sqlBeforeMigration, parameters, rows);
        } catch (SQLException before) {
          e = before;
        }
      }
      if (PostgresSchema.UNDEFINED_TABLE.equals(e.getSQLState())) {
        return whenNoTable;
      }
      throw failure("read", what, e);
    }
  }

  private <T> T query(String sql, Parameters parameters, Rows<T> rows) throws SQLException {
    try (Connection connection = pool.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      parameters.bind(statement);
      try (ResultSet result = statement.executeQuery()) {
        return rows.read(result);
      }
    }
  }

  /**
   * Runs {@code work} in one transaction, rolled back when it throws. The schema is migrated first,
   * once per store.
   *
   * @param what names what is written, for the message of a failure
   * @throws RegistryException when the database cannot be written; nothing is
   */
  <T> T write(String what, Work<T> work) {
    migrateOnce(what);
    try (Connection connection = pool.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure("write", what, e);
    }
  }

  private void migrateOnce(String what) {
    if (migrated) {
      return;
    }
    synchronized (this) {
      if (migrated) {
        return;
      }
      try {
        migration.migrate(pool);
      } catch (SQLException | RuntimeException e) {
        throw failure("create or upgrade the tables of", what, e);
      }
      migrated = true;
    }
  }

  /** One line naming the deepest cause (the driver's own message is often generic). */
  RegistryException failure(String action, String what, Exception e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason = firstLine(e.getMessage());
    if (root != e) {
      reason += " (" + root.getClass().getSimpleName() + ": " + firstLine(root.getMessage()) + ")";
    }
    if (password != null && !password.isEmpty()) {
      reason = reason.replace(password, "***");
    }
    return new RegistryException("Cannot " + action + " the " + what + ": " + redacted(reason), e);
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("").strip();
  }

  /** Closes the pool's connections; calls after this fail. */
  @Override
  public void close() {
    pool.close();
  }
}
