package dev.quiver.registry.store;

import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A registry in PostgreSQL, shared by everyone who applies to the same project from any machine.
 * One row per project holds the latest version; a second table keeps the history. A commit runs in
 * one transaction that locks the project's row, checks its version and writes both tables, so a
 * concurrent commit either waits and then sees the new version, or fails; it never interleaves.
 *
 * <p>The store holds a connection pool ({@link PostgresConnections}) until it is closed; its
 * statements and migrations are in {@link PostgresSchema}; the materialization logs it hands out
 * ({@link PostgresMaterializationLog}) share the pool.
 */
public final class PostgresRegistryStore implements RegistryStore {

  private final PostgresConnections connections;
  private final String project;
  private final Clock clock;

  /**
   * Opens a pool on the database at {@code url}; no connection is made until the first call.
   *
   * @param url a JDBC URL, or a libpq-style {@code postgresql://user:password@host:port/db}
   * @throws RegistryException when the URL is not one the PostgreSQL driver takes
   */
  public PostgresRegistryStore(String url, String project, Clock clock) {
    this.connections = new PostgresConnections(url, PostgresSchema::migrate);
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

  @Override
  public RegistrySnapshot load() {
    return connections.read(
        description(),
        PostgresSchema.LATEST,
        this::bindProject,
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
    return connections.read(
        description(),
        PostgresSchema.VERSION,
        this::bindProject,
        0L,
        row -> row.next() ? row.getLong(1) : 0L);
  }

  @Override
  public List<HistoryEntry> history() {
    return connections.read(
        description(),
        PostgresSchema.HISTORY,
        PostgresSchema.HISTORY_BEFORE_V3,
        this::bindProject,
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
                    RegistryJson.changes(row.getString(5), description()),
                    (Long) row.getObject(6)));
          }
          return entries;
        });
  }

  @Override
  public Optional<Definitions> definitionsAt(long version) {
    Optional<Definitions> kept = keptDefinitions(version);
    if (kept.isPresent()) {
      return kept;
    }
    // A registry an older Quiver committed to kept only the latest version's definitions.
    RegistrySnapshot latest = load();
    return latest.version() == version && version > 0
        ? Optional.of(latest.definitions())
        : Optional.empty();
  }

  private Optional<Definitions> keptDefinitions(long version) {
    return connections.read(
        description(),
        PostgresSchema.DEFINITIONS_AT,
        PostgresSchema.DEFINITIONS_AT_BEFORE_V3,
        statement -> {
          bindProject(statement);
          statement.setLong(2, version);
        },
        Optional.empty(),
        row -> {
          String json = row.next() ? row.getString(1) : null;
          return json == null
              ? Optional.empty()
              : Optional.of(
                  RegistryJson.definitions(
                      RegistryJson.readObject(json, description()), description()));
        });
  }

  private void bindProject(PreparedStatement statement) throws SQLException {
    statement.setString(1, project);
  }

  @Override
  public HistoryEntry commit(long expectedVersion, Definitions definitions, CommitInfo info) {
    return connections.write(
        description(),
        connection -> {
          long actual = lockedVersion(connection);
          HistoryEntry entry = info.entryAfter(expectedVersion, actual, clock, description());
          String json = RegistryJson.write(RegistryJson.definitionsData(definitions));
          try (PreparedStatement keep =
              connection.prepareStatement(PostgresSchema.KEEP_LATEST_DEFINITIONS)) {
            keep.setString(1, project);
            keep.executeUpdate();
          }
          try {
            writeLatest(connection, actual, json, entry);
          } catch (SQLException e) {
            if (PostgresSchema.UNIQUE_VIOLATION.equals(e.getSQLState())) {
              // Two first commits raced to insert the project's row; the other one won.
              throw new RegistryConflictException(
                  description(), expectedVersion, expectedVersion + 1);
            }
            throw e;
          }
          try (PreparedStatement insert =
              connection.prepareStatement(PostgresSchema.INSERT_HISTORY)) {
            insert.setString(1, project);
            insert.setLong(2, entry.version());
            insert.setTimestamp(3, Timestamp.from(entry.committedAt()));
            insert.setString(4, entry.user());
            insert.setString(5, entry.gitCommit());
            insert.setString(6, RegistryJson.changesJson(entry.changes()));
            insert.setString(7, json);
            if (entry.restoredVersion() == null) {
              insert.setNull(8, java.sql.Types.BIGINT);
            } else {
              insert.setLong(8, entry.restoredVersion());
            }
            insert.executeUpdate();
          }
          return entry;
        });
  }

  private long lockedVersion(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement(PostgresSchema.LOCK_VERSION)) {
      query.setString(1, project);
      try (ResultSet row = query.executeQuery()) {
        return row.next() ? row.getLong(1) : 0;
      }
    }
  }

  private void writeLatest(Connection connection, long previous, String json, HistoryEntry entry)
      throws SQLException {
    try (PreparedStatement write =
        connection.prepareStatement(
            previous == 0 ? PostgresSchema.INSERT_LATEST : PostgresSchema.UPDATE_LATEST)) {
      write.setString(1, json);
      write.setLong(2, entry.version());
      write.setTimestamp(3, Timestamp.from(entry.committedAt()));
      write.setString(4, project);
      write.executeUpdate();
    }
  }

  @Override
  public MaterializationLog materializationLog(String onlineStore) {
    return new PostgresMaterializationLog(connections, project, onlineStore, description());
  }

  @Override
  public String description() {
    return "PostgreSQL registry of project '" + project + "' at " + connections.url();
  }

  /** Closes the connection pool; this store and its logs cannot be used after. */
  @Override
  public void close() {
    connections.close();
  }
}
