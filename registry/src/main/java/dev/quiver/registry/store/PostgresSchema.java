package dev.quiver.registry.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.exception.FlywayValidateException;

/**
 * The PostgreSQL registry's tables and every statement on them. The tables are created and upgraded
 * by versioned migrations ({@code migrations/V*.sql} beside this class, run by Flyway, whose own
 * record is the table {@value #HISTORY_TABLE}); several projects share them, each row naming its
 * project.
 *
 * <ul>
 *   <li>V1: the tables of Quiver before migrations ({@code CREATE TABLE IF NOT EXISTS}, so a
 *       database those versions made is taken as it is): {@code quiver_registry}, {@code
 *       quiver_registry_history}, and the project-wide log {@code quiver_materialized_intervals}
 *       and {@code quiver_materialized_newest}, which nothing reads any more.
 *   <li>V2: the materialization logs, one per project and online store: {@code
 *       quiver_materialization_log} (a row per view: its newest event, and the row a record locks)
 *       and {@code quiver_materialization_log_intervals}.
 *   <li>V3: each history entry's definitions and restored version, for rollbacks.
 *   <li>V4: the latest entry of each project gets the latest definitions, so the version a database
 *       was at when this Quiver came stays restorable.
 * </ul>
 */
final class PostgresSchema {

  /** Flyway's record of the migrations applied, named so it cannot clash with an application's. */
  static final String HISTORY_TABLE = "quiver_schema_history";

  /** The advisory lock migrations take turns on; older Quivers took it to create their tables. */
  private static final long MIGRATION_LOCK = 7410512391L;

  static final String UNIQUE_VIOLATION = "23505";
  static final String UNDEFINED_TABLE = "42P01";
  static final String UNDEFINED_COLUMN = "42703";

  static final String LATEST =
      "SELECT version, definitions::text FROM quiver_registry WHERE project = ?";
  static final String VERSION = "SELECT version FROM quiver_registry WHERE project = ?";
  static final String LOCK_VERSION =
      "SELECT version FROM quiver_registry WHERE project = ? FOR UPDATE";
  static final String INSERT_LATEST =
      "INSERT INTO quiver_registry (definitions, version, updated_at, project)"
          + " VALUES (?::jsonb, ?, ?, ?)";
  static final String UPDATE_LATEST =
      "UPDATE quiver_registry SET definitions = ?::jsonb, version = ?, updated_at = ?"
          + " WHERE project = ?";
  static final String HISTORY =
      "SELECT version, committed_at, committed_by, git_commit, changes::text, restored_version"
          + " FROM quiver_registry_history WHERE project = ? ORDER BY version";

  /** The history of a database only an older Quiver wrote to: reads do not migrate. */
  static final String HISTORY_BEFORE_V3 =
      "SELECT version, committed_at, committed_by, git_commit, changes::text, NULL::bigint"
          + " FROM quiver_registry_history WHERE project = ? ORDER BY version";

  static final String DEFINITIONS_AT =
      "SELECT definitions::text FROM quiver_registry_history WHERE project = ? AND version = ?";
  static final String DEFINITIONS_AT_BEFORE_V3 =
      "SELECT NULL::text FROM quiver_registry_history WHERE project = ? AND version = ?";

  /** Gives the latest entry the latest definitions when an older Quiver committed it without. */
  static final String KEEP_LATEST_DEFINITIONS =
      "UPDATE quiver_registry_history h SET definitions = r.definitions FROM quiver_registry r"
          + " WHERE h.project = r.project AND h.version = r.version AND h.definitions IS NULL"
          + " AND h.project = ?";

  static final String INSERT_HISTORY =
      "INSERT INTO quiver_registry_history (project, version, committed_at, committed_by,"
          + " git_commit, changes, definitions, restored_version)"
          + " VALUES (?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?)";

  /** A log's views with their intervals in one statement, so the two agree. */
  static final String LOG_STATES =
      "SELECT l.view_name, l.newest_event_nanos, i.start_nanos, i.end_nanos"
          + " FROM quiver_materialization_log l"
          + " JOIN quiver_materialization_log_intervals i USING (project, online_store, view_name)"
          + " WHERE l.project = ? AND l.online_store = ?"
          + " ORDER BY l.view_name, i.start_nanos NULLS FIRST";

  /** Makes sure a view's row exists, so that {@link #LOG_LOCK} has a row to lock. */
  static final String LOG_CLAIM =
      "INSERT INTO quiver_materialization_log (project, online_store, view_name)"
          + " VALUES (?, ?, ?) ON CONFLICT DO NOTHING";

  static final String LOG_LOCK =
      "SELECT newest_event_nanos FROM quiver_materialization_log"
          + " WHERE project = ? AND online_store = ? AND view_name = ? FOR UPDATE";
  static final String LOG_INTERVALS =
      "SELECT start_nanos, end_nanos FROM quiver_materialization_log_intervals"
          + " WHERE project = ? AND online_store = ? AND view_name = ?";
  static final String LOG_DELETE_INTERVALS =
      "DELETE FROM quiver_materialization_log_intervals"
          + " WHERE project = ? AND online_store = ? AND view_name = ?";
  static final String LOG_INSERT_INTERVAL =
      "INSERT INTO quiver_materialization_log_intervals"
          + " (project, online_store, view_name, start_nanos, end_nanos) VALUES (?, ?, ?, ?, ?)";
  static final String LOG_SET_NEWEST =
      "UPDATE quiver_materialization_log SET newest_event_nanos = ?"
          + " WHERE project = ? AND online_store = ? AND view_name = ?";

  /** Deletes a view's row; its intervals go with it (ON DELETE CASCADE). */
  static final String LOG_FORGET =
      "DELETE FROM quiver_materialization_log"
          + " WHERE project = ? AND online_store = ? AND view_name = ?";

  private PostgresSchema() {}

  /**
   * Applies the migrations the database lacks, in its current schema. Processes starting together
   * take turns (a session advisory lock, the key older Quivers took to create their tables), so
   * each migration is applied once: Flyway's own locking leaves a first migration racing with
   * another process's baseline. A schema without Quiver's history table but with other tables (an
   * older Quiver's, or an application's sharing the database) is taken as version 0, so V1 still
   * runs there.
   *
   * @throws SQLException when the lock cannot be taken
   * @throws org.flywaydb.core.api.FlywayException when a migration fails
   * @throws RegistryException when the migrations applied differ from this Quiver's (a newer Quiver
   *     having migrated the database further is fine)
   */
  static void migrate(DataSource dataSource) throws SQLException {
    Flyway flyway =
        Flyway.configure(PostgresSchema.class.getClassLoader())
            .dataSource(dataSource)
            .locations("classpath:dev/quiver/registry/store/migrations")
            .table(HISTORY_TABLE)
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .baselineDescription("tables made before migrations")
            .load();
    try (Connection connection = dataSource.getConnection();
        Statement lock = connection.createStatement()) {
      lock.execute("SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")");
      try {
        flyway.migrate();
      } catch (FlywayValidateException e) {
        // Flyway's first line says only that validation failed; the next one says what differs.
        List<String> lines = e.getMessage().lines().filter(l -> !l.isBlank()).toList();
        throw new RegistryException(
            "the migrations applied to the database differ from this Quiver's: "
                + (lines.size() > 1 ? lines.get(1).strip() : lines.get(0).strip()),
            e);
      } finally {
        lock.execute("SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")");
      }
    }
  }
}
