package dev.quiver.registry.store;

import dev.quiver.EpochNanos;
import dev.quiver.registry.model.TimeInterval;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A materialization log in PostgreSQL: the rows of {@code quiver_materialization_log} and {@code
 * quiver_materialization_log_intervals} of one project and online store. A record locks the view's
 * row, reads its state, and writes the merged one in the same transaction, so concurrent records
 * (from any process) are all kept; reads take the views and their intervals in one statement.
 */
final class PostgresMaterializationLog implements MaterializationLog {

  private final PostgresConnections connections;
  private final String project;
  private final String onlineStore;
  private final String registry;

  PostgresMaterializationLog(
      PostgresConnections connections, String project, String onlineStore, String registry) {
    if (onlineStore == null || onlineStore.isBlank()) {
      throw new IllegalArgumentException("a materialization log needs an online store identity");
    }
    this.connections = connections;
    this.project = project;
    this.onlineStore = onlineStore;
    this.registry = registry;
  }

  @Override
  public String onlineStore() {
    return onlineStore;
  }

  @Override
  public Map<String, MaterializationState> states() {
    return connections.read(
        description(),
        PostgresSchema.LOG_STATES,
        statement -> {
          statement.setString(1, project);
          statement.setString(2, onlineStore);
        },
        Map.of(),
        row -> {
          Map<String, List<TimeInterval>> intervals = new LinkedHashMap<>();
          Map<String, Instant> newest = new LinkedHashMap<>();
          while (row.next()) {
            String view = row.getString(1);
            long nanos = row.getLong(2);
            newest.put(view, row.wasNull() ? null : EpochNanos.toInstant(nanos));
            intervals.computeIfAbsent(view, v -> new ArrayList<>()).add(interval(row, 3));
          }
          // Java's order of names, not the database's collation: both stores list views alike.
          Map<String, MaterializationState> states = new TreeMap<>();
          intervals.forEach(
              (view, list) -> states.put(view, new MaterializationState(list, newest.get(view))));
          return Collections.unmodifiableMap(states);
        });
  }

  @Override
  public void record(String view, TimeInterval interval, Instant newestEvent) {
    connections.write(
        description(),
        connection -> {
          MaterializationState current = lockedState(connection, view);
          MaterializationState next =
              current == null
                  ? MaterializationState.of(interval, newestEvent)
                  : current.with(interval, newestEvent);
          update(connection, view, PostgresSchema.LOG_DELETE_INTERVALS);
          try (PreparedStatement insert =
              connection.prepareStatement(PostgresSchema.LOG_INSERT_INTERVAL)) {
            for (TimeInterval merged : next.intervals()) {
              bindView(insert, view);
              if (merged.start() == null) {
                insert.setNull(4, Types.BIGINT);
              } else {
                insert.setLong(4, EpochNanos.of(merged.start()));
              }
              insert.setLong(5, EpochNanos.of(merged.end()));
              insert.addBatch();
            }
            insert.executeBatch();
          }
          if (next.newestEvent() != null) {
            try (PreparedStatement set =
                connection.prepareStatement(PostgresSchema.LOG_SET_NEWEST)) {
              set.setLong(1, EpochNanos.of(next.newestEvent()));
              set.setString(2, project);
              set.setString(3, onlineStore);
              set.setString(4, view);
              set.executeUpdate();
            }
          }
          return null;
        });
  }

  /**
   * Locks the view's row (creating it when the view is new to this log) and reads its state; null
   * when nothing was recorded for it.
   */
  private MaterializationState lockedState(Connection connection, String view) throws SQLException {
    update(connection, view, PostgresSchema.LOG_CLAIM);
    Instant newest;
    try (PreparedStatement lock = connection.prepareStatement(PostgresSchema.LOG_LOCK)) {
      bindView(lock, view);
      try (ResultSet row = lock.executeQuery()) {
        row.next();
        long nanos = row.getLong(1);
        newest = row.wasNull() ? null : EpochNanos.toInstant(nanos);
      }
    }
    List<TimeInterval> intervals = new ArrayList<>();
    try (PreparedStatement query = connection.prepareStatement(PostgresSchema.LOG_INTERVALS)) {
      bindView(query, view);
      try (ResultSet row = query.executeQuery()) {
        while (row.next()) {
          intervals.add(interval(row, 1));
        }
      }
    }
    return intervals.isEmpty() ? null : new MaterializationState(intervals, newest);
  }

  @Override
  public void forget(String view) {
    connections.write(
        description(),
        connection -> {
          update(connection, view, PostgresSchema.LOG_FORGET);
          return null;
        });
  }

  /** Runs a statement whose parameters name this log's view. */
  private void update(Connection connection, String view, String sql) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bindView(statement, view);
      statement.executeUpdate();
    }
  }

  private void bindView(PreparedStatement statement, String view) throws SQLException {
    statement.setString(1, project);
    statement.setString(2, onlineStore);
    statement.setString(3, view);
  }

  private static TimeInterval interval(ResultSet row, int column) throws SQLException {
    long start = row.getLong(column);
    boolean open = row.wasNull();
    return new TimeInterval(
        open ? null : EpochNanos.toInstant(start), EpochNanos.toInstant(row.getLong(column + 1)));
  }

  @Override
  public String description() {
    return "materialization log of online store " + onlineStore + " in the " + registry;
  }
}
