package dev.quiver.registry.store;

import dev.quiver.EpochNanos;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import dev.quiver.registry.model.TimeInterval;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * A registry in PostgreSQL, shared by everyone who applies to the same project from any machine.
 * One row per project holds the latest version; a second table keeps the history. A commit runs in
 * one transaction that locks the project's row, checks its version and writes both tables, so a
 * concurrent commit either waits and then sees the new version, or fails; it never interleaves.
 */
public final class PostgresRegistryStore implements RegistryStore {

  private static final String UNIQUE_VIOLATION = "23505";
  private static final String UNDEFINED_TABLE = "42P01";

  private final String url;
  private final Properties credentials = new Properties();
  private final String project;
  private final Clock clock;
  private volatile boolean schemaReady;

  public PostgresRegistryStore(String url, String project, Clock clock) {
    this.url = jdbcUrl(url, credentials);
    this.project = project;
    this.clock = clock;
  }

  /** Opens {@code {type: postgres, url: jdbc:postgresql://...}} registries. */
  public static final class Factory implements RegistryStoreFactory {
    @Override
    public String type() {
      return "postgres";
    }

    @Override
    public List<String> requiredOptions() {
      return List.of("url");
    }

    @Override
    public List<String> optionalOptions() {
      return List.of();
    }

    @Override
    public RegistryStore open(StoreConfig config, ProjectConfig project, Clock clock) {
      return new PostgresRegistryStore(
          config.option("url").orElseThrow(), project.project(), clock);
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

  @Override
  public RegistrySnapshot load() {
    // Before any commit there is no table: nothing was ever committed to this database, and
    // reading needs no DDL rights.
    return read(
        "SELECT version, definitions::text FROM quiver_registry WHERE project = ?",
        RegistrySnapshot.empty(project),
        row -> {
          if (!row.next()) {
            return RegistrySnapshot.empty(project);
          }
          Definitions definitions =
              RegistryJson.definitions(
                  RegistryJson.readObject(row.getString(2), description()), description());
          return new RegistrySnapshot(project, row.getLong(1), definitions);
        });
  }

  @Override
  public long version() {
    return read(
        "SELECT version FROM quiver_registry WHERE project = ?",
        0L,
        row -> row.next() ? row.getLong(1) : 0L);
  }

  @Override
  public List<HistoryEntry> history() {
    return read(
        "SELECT version, committed_at, committed_by, git_commit, changes::text"
            + " FROM quiver_registry_history WHERE project = ? ORDER BY version",
        List.of(),
        row -> {
          List<HistoryEntry> entries = new ArrayList<>();
          while (row.next()) {
            entries.add(
                new HistoryEntry(
                    row.getLong(1),
                    row.getTimestamp(2).toInstant(),
                    row.getString(3),
                    row.getString(4),
                    RegistryJson.changes(row.getString(5), description())));
          }
          return entries;
        });
  }

  @Override
  public HistoryEntry commit(long expectedVersion, Definitions definitions, CommitInfo info) {
    try (Connection connection = connect()) {
      if (!schemaReady) {
        createSchema(connection);
        schemaReady = true;
      }
      connection.setAutoCommit(false);
      try {
        long actual = lockedVersion(connection);
        if (actual != expectedVersion) {
          throw new RegistryConflictException(description(), expectedVersion, actual);
        }
        HistoryEntry entry =
            new HistoryEntry(
                actual + 1,
                clock.instant().truncatedTo(ChronoUnit.MILLIS),
                info.user(),
                info.gitCommit(),
                info.changes());
        writeLatest(connection, actual, entry.version(), definitions, entry);
        try (PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO quiver_registry_history"
                    + " (project, version, committed_at, committed_by, git_commit, changes)"
                    + " VALUES (?, ?, ?, ?, ?, ?::jsonb)")) {
          insert.setString(1, project);
          insert.setLong(2, entry.version());
          insert.setTimestamp(3, Timestamp.from(entry.committedAt()));
          insert.setString(4, entry.user());
          insert.setString(5, entry.gitCommit());
          insert.setString(6, RegistryJson.changesJson(entry.changes()));
          insert.executeUpdate();
        }
        connection.commit();
        return entry;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        if (e instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
          // Two first commits raced to insert the project's row; the other one won.
          throw new RegistryConflictException(description(), expectedVersion, expectedVersion + 1);
        }
        throw e;
      }
    } catch (SQLException e) {
      throw failure("write", e);
    }
  }

  @Override
  public Map<String, List<TimeInterval>> materializedIntervals() {
    return read(
        "SELECT view_name, start_nanos, end_nanos FROM quiver_materialized_intervals"
            + " WHERE project = ? ORDER BY view_name, start_nanos NULLS FIRST",
        Map.of(),
        row -> {
          Map<String, List<TimeInterval>> intervals = new TreeMap<>();
          while (row.next()) {
            intervals
                .computeIfAbsent(row.getString(1), v -> new ArrayList<>())
                .add(interval(row, 2));
          }
          return intervals;
        });
  }

  @Override
  public Map<String, Instant> newestMaterializedEvents() {
    return read(
        "SELECT view_name, newest_event_nanos FROM quiver_materialized_newest WHERE project = ?",
        Map.of(),
        row -> {
          Map<String, Instant> newest = new TreeMap<>();
          while (row.next()) {
            newest.put(row.getString(1), EpochNanos.toInstant(row.getLong(2)));
          }
          return newest;
        });
  }

  /** Reads a query's rows. */
  private interface Rows<T> {
    T read(ResultSet rows) throws SQLException;
  }

  /**
   * Runs {@code sql} (its one parameter: this project) and reads its rows; answers {@code
   * whenNoTable} when the table does not exist yet (nothing was ever written to this database).
   */
  private <T> T read(String sql, T whenNoTable, Rows<T> rows) {
    try (Connection connection = connect();
        PreparedStatement query = connection.prepareStatement(sql)) {
      query.setString(1, project);
      try (ResultSet result = query.executeQuery()) {
        return rows.read(result);
      }
    } catch (SQLException e) {
      if (UNDEFINED_TABLE.equals(e.getSQLState())) {
        return whenNoTable;
      }
      throw failure("read", e);
    }
  }

  @Override
  public void recordMaterialized(String view, TimeInterval interval, Instant newestEvent) {
    replaceIntervals(
        view,
        current -> {
          List<TimeInterval> all = new ArrayList<>(current);
          all.add(interval);
          return TimeInterval.merge(all);
        },
        connection -> {
          if (newestEvent == null) {
            return;
          }
          try (PreparedStatement upsert =
              connection.prepareStatement(
                  "INSERT INTO quiver_materialized_newest (project, view_name, newest_event_nanos)"
                      + " VALUES (?, ?, ?) ON CONFLICT (project, view_name) DO UPDATE SET"
                      + " newest_event_nanos = GREATEST(quiver_materialized_newest"
                      + ".newest_event_nanos, EXCLUDED.newest_event_nanos)")) {
            upsert.setString(1, project);
            upsert.setString(2, view);
            upsert.setLong(3, EpochNanos.of(newestEvent));
            upsert.executeUpdate();
          }
        });
  }

  @Override
  public void forgetMaterialized(String view) {
    replaceIntervals(
        view,
        current -> List.of(),
        connection -> {
          try (PreparedStatement delete =
              connection.prepareStatement(
                  "DELETE FROM quiver_materialized_newest WHERE project = ? AND view_name = ?")) {
            delete.setString(1, project);
            delete.setString(2, view);
            delete.executeUpdate();
          }
        });
  }

  /** More work in the transaction of {@link #replaceIntervals}. */
  private interface InTransaction {
    void run(Connection connection) throws SQLException;
  }

  /**
   * Rewrites a view's intervals, and does {@code alsoDo}, in one transaction, serialised per
   * project and view.
   */
  private void replaceIntervals(
      String view,
      java.util.function.UnaryOperator<List<TimeInterval>> change,
      InTransaction alsoDo) {
    try (Connection connection = connect()) {
      if (!schemaReady) {
        createSchema(connection);
        schemaReady = true;
      }
      connection.setAutoCommit(false);
      try {
        try (PreparedStatement lock =
            connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
          lock.setString(1, "quiver_materialized:" + project + ":" + view);
          lock.execute();
        }
        List<TimeInterval> current = new ArrayList<>();
        try (PreparedStatement query =
            connection.prepareStatement(
                "SELECT start_nanos, end_nanos FROM quiver_materialized_intervals"
                    + " WHERE project = ? AND view_name = ?")) {
          query.setString(1, project);
          query.setString(2, view);
          try (ResultSet row = query.executeQuery()) {
            while (row.next()) {
              current.add(interval(row, 1));
            }
          }
        }
        try (PreparedStatement delete =
            connection.prepareStatement(
                "DELETE FROM quiver_materialized_intervals WHERE project = ? AND view_name = ?")) {
          delete.setString(1, project);
          delete.setString(2, view);
          delete.executeUpdate();
        }
        try (PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO quiver_materialized_intervals"
                    + " (project, view_name, start_nanos, end_nanos) VALUES (?, ?, ?, ?)")) {
          for (TimeInterval interval : change.apply(current)) {
            insert.setString(1, project);
            insert.setString(2, view);
            if (interval.start() == null) {
              insert.setNull(3, java.sql.Types.BIGINT);
            } else {
              insert.setLong(3, EpochNanos.of(interval.start()));
            }
            insert.setLong(4, EpochNanos.of(interval.end()));
            insert.addBatch();
          }
          insert.executeBatch();
        }
        alsoDo.run(connection);
        connection.commit();
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure("write", e);
    }
  }

  private static TimeInterval interval(ResultSet row, int column) throws SQLException {
    long start = row.getLong(column);
    boolean open = row.wasNull();
    return new TimeInterval(
        open ? null : EpochNanos.toInstant(start), EpochNanos.toInstant(row.getLong(column + 1)));
  }

  private long lockedVersion(Connection connection) throws SQLException {
    try (PreparedStatement query =
        connection.prepareStatement(
            "SELECT version FROM quiver_registry WHERE project = ? FOR UPDATE")) {
      query.setString(1, project);
      try (ResultSet row = query.executeQuery()) {
        return row.next() ? row.getLong(1) : 0;
      }
    }
  }

  private void writeLatest(
      Connection connection, long previous, long next, Definitions definitions, HistoryEntry entry)
      throws SQLException {
    String json = RegistryJson.write(RegistryJson.definitionsData(definitions));
    String sql =
        previous == 0
            ? "INSERT INTO quiver_registry (definitions, version, updated_at, project)"
                + " VALUES (?::jsonb, ?, ?, ?)"
            : "UPDATE quiver_registry SET definitions = ?::jsonb, version = ?, updated_at = ?"
                + " WHERE project = ?";
    try (PreparedStatement write = connection.prepareStatement(sql)) {
      write.setString(1, json);
      write.setLong(2, next);
      write.setTimestamp(3, Timestamp.from(entry.committedAt()));
      write.setString(4, project);
      write.executeUpdate();
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(url, credentials);
  }

  private static void createSchema(Connection connection) throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (Statement ddl = connection.createStatement()) {
      // CREATE TABLE IF NOT EXISTS races with itself across sessions; serialise it.
      ddl.execute("SELECT pg_advisory_xact_lock(7410512391)");
      ddl.execute(
          "CREATE TABLE IF NOT EXISTS quiver_registry ("
              + " project text PRIMARY KEY,"
              + " version bigint NOT NULL,"
              + " definitions jsonb NOT NULL,"
              + " updated_at timestamptz NOT NULL)");
      ddl.execute(
          "CREATE TABLE IF NOT EXISTS quiver_registry_history ("
              + " project text NOT NULL,"
              + " version bigint NOT NULL,"
              + " committed_at timestamptz NOT NULL,"
              + " committed_by text NOT NULL,"
              + " git_commit text,"
              + " changes jsonb NOT NULL,"
              + " PRIMARY KEY (project, version))");
      ddl.execute(
          // Nanoseconds since the epoch: timestamptz would round interval ends to microseconds.
          "CREATE TABLE IF NOT EXISTS quiver_materialized_intervals ("
              + " project text NOT NULL,"
              + " view_name text NOT NULL,"
              + " start_nanos bigint,"
              + " end_nanos bigint NOT NULL)");
      ddl.execute(
          "CREATE TABLE IF NOT EXISTS quiver_materialized_newest ("
              + " project text NOT NULL,"
              + " view_name text NOT NULL,"
              + " newest_event_nanos bigint NOT NULL,"
              + " PRIMARY KEY (project, view_name))");
      connection.commit();
    } catch (SQLException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /** One line naming the deepest cause (the driver's own message is often generic). */
  private RegistryException failure(String action, SQLException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason = firstLine(e.getMessage());
    if (root != e) {
      reason += " (" + root.getClass().getSimpleName() + ": " + firstLine(root.getMessage()) + ")";
    }
    String password = credentials.getProperty("password");
    if (password != null && !password.isEmpty()) {
      reason = reason.replace(password, "***");
    }
    return new RegistryException(
        "Cannot " + action + " the " + description() + ": " + redacted(reason), e);
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("").strip();
  }

  @Override
  public String description() {
    return "PostgreSQL registry of project '" + project + "' at " + redacted(url);
  }

  /** The URL without a password, for messages. */
  static String redacted(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***")
        .replaceAll("://([^:/@]+):[^@/]*@", "://$1:***@");
  }

  @Override
  public void close() {}
}
