package dev.quiver.registry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quiver.EpochNanos;
import dev.quiver.registry.RepoFixture;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.TimeInterval;
import dev.quiver.registry.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL registry's schema and connections: migrations on empty databases, on databases an
 * older Quiver made and on databases a newer one migrated; reads that create nothing; a pool that
 * closes with its store. Each test has a schema of its own in the test database.
 */
class PostgresSchemaTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-03-02T05:00:00Z"), ZoneOffset.UTC);
  private static final String ROCKSDB = "rocksdb:/srv/repo/data/online";
  private static final String PROJECT = "rides";

  /** The tables as Quiver created them before its schema was migrated (issue 12 changed that). */
  private static final List<String> TABLES_BEFORE_MIGRATIONS =
      List.of(
          "CREATE TABLE IF NOT EXISTS quiver_registry ( project text PRIMARY KEY, version bigint"
              + " NOT NULL, definitions jsonb NOT NULL, updated_at timestamptz NOT NULL)",
          "CREATE TABLE IF NOT EXISTS quiver_registry_history ( project text NOT NULL, version"
              + " bigint NOT NULL, committed_at timestamptz NOT NULL, committed_by text NOT NULL,"
              + " git_commit text, changes jsonb NOT NULL, PRIMARY KEY (project, version))",
          "CREATE TABLE IF NOT EXISTS quiver_materialized_intervals ( project text NOT NULL,"
              + " view_name text NOT NULL, start_nanos bigint, end_nanos bigint NOT NULL)",
          "CREATE TABLE IF NOT EXISTS quiver_materialized_newest ( project text NOT NULL,"
              + " view_name text NOT NULL, newest_event_nanos bigint NOT NULL, PRIMARY KEY"
              + " (project, view_name))");

  @TempDir Path repoDir;
  private String schema;
  private String url;

  @BeforeAll
  static void requirePostgres() {
    TestPostgres.require();
  }

  @BeforeEach
  void schemaOfItsOwn() throws SQLException {
    schema = TestPostgres.createSchema("schema_test");
    url = TestPostgres.urlWith("currentSchema=" + schema);
  }

  @AfterEach
  void dropSchema() throws SQLException {
    TestPostgres.dropSchema(schema);
  }

  private Definitions definitions() {
    return FeatureRepo.load(RepoFixture.valid(repoDir).root(), Map.of()).definitions();
  }

  private static CommitInfo info(String change) {
    return new CommitInfo("alice", null, List.of(change));
  }

  private void sql(String... statements) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  private List<String> rows(String query) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<String> row = new ArrayList<>();
        for (int c = 1; c <= columns; c++) {
          row.add(result.getString(c));
        }
        rows.add(String.join("|", row));
      }
    }
    return rows;
  }

  private List<String> tables() throws SQLException {
    return rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
            + schema
            + "' ORDER BY table_name");
  }

  private List<String> appliedMigrations() throws SQLException {
    return rows(
        "SELECT version, success FROM quiver_schema_history ORDER BY installed_rank"
            .replace("quiver_schema_history", PostgresSchema.HISTORY_TABLE));
  }

  @Test
  void readingAnEmptyDatabaseFindsAnEmptyRegistryAndCreatesNothing() throws SQLException {
    try (RegistryStore store = new PostgresRegistryStore(url, PROJECT, CLOCK)) {
      assertThat(store.load()).isEqualTo(RegistrySnapshot.empty(PROJECT));
      assertThat(store.version()).isZero();
      assertThat(store.history()).isEmpty();
      assertThat(store.materializationLog(ROCKSDB).states()).isEmpty();
    }
    assertThat(tables()).isEmpty();
  }

  @Test
  void theFirstWriteMigratesAnEmptyDatabaseToTheLatestVersion() throws SQLException {
    try (RegistryStore store = new PostgresRegistryStore(url, PROJECT, CLOCK)) {
      store
          .materializationLog(ROCKSDB)
          .record("stats", new TimeInterval(null, CLOCK.instant()), null);
    }
    assertThat(appliedMigrations()).containsExactly("1|t", "2|t", "3|t", "4|t");
    assertThat(tables())
        .containsExactly(
            "quiver_materialization_log",
            "quiver_materialization_log_intervals",
            "quiver_materialized_intervals",
            "quiver_materialized_newest",
            "quiver_registry",
            "quiver_registry_history",
            PostgresSchema.HISTORY_TABLE);
  }

  /**
   * A database an older Quiver wrote: definitions, history and a project-wide log of a view. The
   * definitions read back and commits go on; the old log tells nothing of which online store the
   * rows went to, so no online store's log includes it (an incremental run re-materializes), and it
   * stays where it was for an older Quiver still using the database.
   */
  @Test
  void aDatabaseAnOlderQuiverMadeIsUpgradedAndItsLogBelongsToNoOnlineStore() throws Exception {
    Definitions definitions = definitions();
    Instant end = Instant.parse("2026-03-08T00:00:00Z");
    sql(TABLES_BEFORE_MIGRATIONS.toArray(String[]::new));
    try (Connection connection = DriverManager.getConnection(url);
        PreparedStatement registry =
            connection.prepareStatement(
                "INSERT INTO quiver_registry VALUES (?, 1, ?::jsonb, now())");
        PreparedStatement history =
            connection.prepareStatement(
                "INSERT INTO quiver_registry_history VALUES"
                    + " (?, 1, '2026-03-01T10:00:00Z', 'bob', NULL, '[\"create all\"]')");
        PreparedStatement interval =
            connection.prepareStatement(
                "INSERT INTO quiver_materialized_intervals VALUES (?, 'driver_hourly_stats',"
                    + " NULL, ?)");
        PreparedStatement newest =
            connection.prepareStatement(
                "INSERT INTO quiver_materialized_newest VALUES (?, 'driver_hourly_stats', ?)")) {
      registry.setString(1, PROJECT);
      registry.setString(2, RegistryJson.write(RegistryJson.definitionsData(definitions)));
      registry.executeUpdate();
      history.setString(1, PROJECT);
      history.executeUpdate();
      interval.setString(1, PROJECT);
      interval.setLong(2, EpochNanos.of(end));
      interval.executeUpdate();
      newest.setString(1, PROJECT);
      newest.setLong(2, EpochNanos.of(end.minusSeconds(60)));
      newest.executeUpdate();
    }

    try (RegistryStore store = new PostgresRegistryStore(url, PROJECT, CLOCK)) {
      MaterializationLog log = store.materializationLog(ROCKSDB);
      // Reads work before any migration, and leave the database as it was.
      assertThat(CanonicalForm.of(store.load().definitions()))
          .isEqualTo(CanonicalForm.of(definitions));
      assertThat(store.history()).extracting(HistoryEntry::user).containsExactly("bob");
      // The latest definitions are there to restore; none of the versions before them were kept.
      assertThat(store.definitionsAt(1).map(CanonicalForm::of))
          .contains(CanonicalForm.of(definitions));
      assertThat(log.states()).isEmpty();
      assertThat(tables()).doesNotContain(PostgresSchema.HISTORY_TABLE);

      store.commit(1, definitions, info("again"));
      log.record("driver_hourly_stats", new TimeInterval(end, end.plusSeconds(3600)), null);

      assertThat(store.version()).isEqualTo(2);
      assertThat(store.history()).extracting(HistoryEntry::version).containsExactly(1L, 2L);
      // V4 kept the version the database was at with its entry, so it stays restorable.
      assertThat(store.definitionsAt(1).map(CanonicalForm::of))
          .contains(CanonicalForm.of(definitions));
      assertThat(log.states())
          .isEqualTo(
              Map.of(
                  "driver_hourly_stats",
                  MaterializationState.of(new TimeInterval(end, end.plusSeconds(3600)), null)));
    }
    // Baselined at 0 (the tables were there), then V1 (which found them), V2, V3 and V4.
    assertThat(appliedMigrations()).containsExactly("0|t", "1|t", "2|t", "3|t", "4|t");
    assertThat(rows("SELECT view_name, end_nanos FROM quiver_materialized_intervals"))
        .containsExactly("driver_hourly_stats|" + EpochNanos.of(end));
  }

  @Test
  void processesStartingTogetherOnAnEmptyDatabaseMigrateItOnce() throws Exception {
    int writers = 4;
    CountDownLatch ready = new CountDownLatch(writers);
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<String>> outcomes = new ArrayList<>();
    Definitions definitions = definitions();
    try {
      for (int w = 0; w < writers; w++) {
        int writer = w;
        outcomes.add(
            pool.submit(
                () -> {
                  try (RegistryStore store = new PostgresRegistryStore(url, PROJECT, CLOCK)) {
                    ready.countDown();
                    ready.await(30, TimeUnit.SECONDS);
                    if (writer % 2 == 0) {
                      store.commit(0, definitions, info("first"));
                      return "committed";
                    }
                    Instant end = CLOCK.instant().plusSeconds(writer);
                    store
                        .materializationLog(ROCKSDB)
                        .record("view" + writer, new TimeInterval(null, end), null);
                    return "recorded";
                  } catch (RegistryConflictException e) {
                    return "conflict";
                  }
                }));
      }
      List<String> results = new ArrayList<>();
      for (Future<String> outcome : outcomes) {
        try {
          results.add(outcome.get(60, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          throw new AssertionError("a writer failed: " + e.getCause(), e.getCause());
        }
      }
      assertThat(results)
          .containsExactlyInAnyOrder("committed", "conflict", "recorded", "recorded");
    } finally {
      pool.shutdownNow();
    }
    assertThat(appliedMigrations()).containsExactly("1|t", "2|t", "3|t", "4|t");
    try (RegistryStore store = new PostgresRegistryStore(url, PROJECT, CLOCK)) {
      assertThat(store.version()).isEqualTo(1);
      assertThat(store.materializationLog(ROCKSDB).states()).containsOnlyKeys("view1", "view3");
    }
  }

  /**
   * An older Quiver committed the latest version without its definitions: the next commit adds
   * them.
   */
  @Test
  void aVersionAnOlderQuiverCommittedAfterTheMigrationStaysRestorable() throws SQLException {
    Definitions definitions = definitions();
    try (RegistryStore store = new PostgresRegistryStore(url, PROJECT, CLOCK)) {
      store.commit(0, definitions, info("first"));
    }
    sql(
        "UPDATE quiver_registry SET version = 2 WHERE project = '" + PROJECT + "'",
        "INSERT INTO quiver_registry_history (project, version, committed_at, committed_by,"
            + " changes) VALUES ('"
            + PROJECT
            + "', 2, now(), 'older', '[]')");
    try (RegistryStore store = new PostgresRegistryStore(url, PROJECT, CLOCK)) {
      store.commit(2, definitions, info("third"));
      assertThat(store.definitionsAt(2).map(CanonicalForm::of))
          .contains(CanonicalForm.of(definitions));
    }
  }

  /** An older Quiver keeps writing to a database that a newer one migrated further. */
  @Test
  void migrationsOfANewerQuiverDoNotStopAnOlderOne() throws SQLException {
    try (RegistryStore store = new PostgresRegistryStore(url, PROJECT, CLOCK)) {
      store.commit(0, definitions(), info("first"));
    }
    sql(
        "CREATE TABLE quiver_from_the_future (id int)",
        "INSERT INTO "
            + PostgresSchema.HISTORY_TABLE
            + " (installed_rank, version, description, type, script, checksum, installed_by,"
            + " execution_time, success) VALUES (5, '5', 'from the future', 'SQL',"
            + " 'V5__from_the_future.sql', 42, 'newer', 1, true)");
    try (RegistryStore store = new PostgresRegistryStore(url, PROJECT, CLOCK)) {
      store.commit(1, definitions(), info("second"));
      assertThat(store.version()).isEqualTo(2);
    }
  }

  @Test
  void aDatabaseWhoseMigrationsDifferFromThisQuiversIsNotWritten() throws SQLException {
    try (RegistryStore store = new PostgresRegistryStore(url, PROJECT, CLOCK)) {
      store.commit(0, definitions(), info("first"));
    }
    sql("UPDATE " + PostgresSchema.HISTORY_TABLE + " SET checksum = 42 WHERE version = '1'");
    try (RegistryStore store = new PostgresRegistryStore(url, PROJECT, CLOCK)) {
      assertThatThrownBy(() -> store.commit(1, definitions(), info("second")))
          .isInstanceOf(RegistryException.class)
          .hasMessageStartingWith(
              "Cannot create or upgrade the tables of the PostgreSQL registry of project 'rides'"
                  + " at "
                  + url
                  + ": the migrations applied to the database differ from this Quiver's:"
                  + " Migration checksum mismatch for migration version 1");
      assertThat(store.version()).isEqualTo(1);
    }
  }

  @Test
  void aStoreReusesAFewConnectionsAndClosesThemWhenClosed() throws SQLException {
    String applicationName = TestPostgres.uniqueProject("pool");
    String pooled = url + "&ApplicationName=" + applicationName;
    try (RegistryStore store = new PostgresRegistryStore(pooled, PROJECT, CLOCK)) {
      // Opening a store connects to nothing.
      assertThat(TestPostgres.connectionsNamed(applicationName)).isZero();
      store.commit(0, definitions(), info("first"));
      MaterializationLog log = store.materializationLog(ROCKSDB);
      for (int call = 0; call < 20; call++) {
        store.version();
        log.record("stats", new TimeInterval(null, CLOCK.instant().plusSeconds(call)), null);
        log.states();
      }
      assertThat(TestPostgres.connectionsNamed(applicationName)).isBetween(1, 4);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(TestPostgres.connectionsNamed(applicationName)).isZero());
  }

  @Test
  void aStoreNamesItsConnectionsByDefault() throws SQLException {
    try (RegistryStore store = new PostgresRegistryStore(url, PROJECT, CLOCK)) {
      store.version();
      assertThat(TestPostgres.connectionsNamed(PostgresConnections.APPLICATION_NAME)).isPositive();
    }
  }

  @Test
  void anUnreachableDatabaseFailsWithAMessageWithoutThePassword() {
    String unreachable = "jdbc:postgresql://127.0.0.1:1/quiver?user=quiver&password=s3cret";
    try (RegistryStore store = new PostgresRegistryStore(unreachable, PROJECT, CLOCK)) {
      assertThatThrownBy(store::version)
          .isInstanceOf(RegistryException.class)
          .hasMessageStartingWith(
              "Cannot read the PostgreSQL registry of project 'rides' at"
                  + " jdbc:postgresql://127.0.0.1:1/quiver?user=quiver&password=***: ")
          .hasMessageContaining("Connection refused")
          .hasMessageNotContaining("s3cret");
    }
  }

  @Test
  void aUrlThatIsNotPostgreSqlIsRefusedWhenTheStoreOpens() {
    assertThatThrownBy(
            () ->
                new PostgresRegistryStore("jdbc:mysql://db/quiver?password=s3cret", PROJECT, CLOCK))
        .isInstanceOf(RegistryException.class)
        .hasMessageStartingWith(
            "Cannot open the PostgreSQL registry at jdbc:mysql://db/quiver?password=***: ")
        .hasMessageNotContaining("s3cret");
  }
}
