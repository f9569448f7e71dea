package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleRepo;
import dev.quiver.registry.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver apply} against a PostgreSQL registry named in feature_store.yaml. */
class PostgresRegistryCliTest {

  private static final String URL = TestPostgres.URL;

  @TempDir Path dir;
  private final String project = TestPostgres.uniqueProject("cli");

  @BeforeAll
  static void requirePostgres() {
    TestPostgres.require();
  }

  @AfterEach
  void dropProject() throws SQLException {
    TestPostgres.deleteRegistry(project);
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
