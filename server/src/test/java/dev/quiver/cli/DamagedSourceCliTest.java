package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import dev.quiver.offline.testing.ParquetDamage;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source file whose footer is intact but whose pages are damaged: {@code historical} and {@code
 * materialize} fail with one line naming the file, the row group and the column.
 */
class DamagedSourceCliTest {

  @TempDir Path dir;
  private Path repo;
  private Path entities;
  private Path damaged;

  @BeforeEach
  void exampleRepoWithADamagedPage() {
    repo = dir.resolve("repo");
    ExampleRepo.createAt(repo);
    entities = ExampleData.writeEntityRows(repo, ExampleData.Options.defaults(), 50);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    damaged = repo.resolve("data/driver_stats.parquet");
    ParquetDamage.damageFirstDataPage(damaged, 0, "created");
  }

  private void assertOneLineNamingThePage(CliRun run) {
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err())
        .startsWith("quiver: ")
        .contains("Cannot read " + damaged.toAbsolutePath().normalize() + ": row group 0,")
        .contains("column 'created' cannot be decoded (")
        .contains("the file is damaged: write it again")
        .doesNotContain("unexpected error");
  }

  @Test
  void historicalNamesTheFileRowGroupAndColumn() {
    CliRun run =
        quiver(
            "historical",
            "--entities",
            entities.toString(),
            "--features",
            "driver_hourly_stats:conv_rate",
            "--output",
            dir.resolve("train.csv").toString(),
            "--repo",
            repo.toString());

    assertOneLineNamingThePage(run);
  }

  @Test
  void materializeNamesTheFileRowGroupAndColumn() {
    CliRun run =
        quiver(
            "materialize",
            "2026-03-01T00:00:00Z",
            "2026-03-08T00:00:00Z",
            "--views",
            "driver_hourly_stats",
            "--repo",
            repo.toString());

    assertOneLineNamingThePage(run);
  }
}
