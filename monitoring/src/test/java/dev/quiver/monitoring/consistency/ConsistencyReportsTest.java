package dev.quiver.monitoring.consistency;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.OutputException;
import dev.quiver.monitoring.logging.FeatureLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConsistencyReportsTest {

  @TempDir Path dir;

  private static ConsistencyReport report(String service, long rows) {
    return new ConsistencyReport(
        service,
        rows,
        List.of(
            new ConsistencyReport.FeatureConsistency("v:a", rows, 3, 1, 0, 12.345678901234),
            new ConsistencyReport.FeatureConsistency("v:b", rows, 0, 0, 2, null)),
        List.of(
            new ConsistencyReport.Lag("v", 2, 3, Instant.parse("2026-11-30T10:00:00.123Z")),
            new ConsistencyReport.Lag("w", 1, 1, null)),
        4,
        7,
        List.of("1 file skipped: it lacks driver_id"));
  }

  @Test
  void theNewestSavedReportReadsBackEqualAndReplacesTheOneBefore() {
    Path folder = dir.resolve("logs/svc");
    assertThat(ConsistencyReports.newest(folder)).isEmpty();

    Instant first = Instant.parse("2026-11-30T12:00:00Z");
    Path file = ConsistencyReports.save(folder, report("svc", 10), first);
    assertThat(file).isEqualTo(folder.resolve("consistency-report.json"));
    ConsistencyReports.SavedConsistency saved = ConsistencyReports.newest(folder).orElseThrow();
    assertThat(saved)
        .isEqualTo(new ConsistencyReports.SavedConsistency(first, report("svc", 10), file));

    Instant second = first.plusSeconds(90);
    ConsistencyReports.save(folder, report("svc", 20), second);
    assertThat(ConsistencyReports.newest(folder).orElseThrow())
        .isEqualTo(new ConsistencyReports.SavedConsistency(second, report("svc", 20), file));
    // Nothing but the report is left in the folder, and the log readers do not list it.
    assertThat(folder.toFile().list()).containsExactly("consistency-report.json");
    assertThat(FeatureLogs.files(folder, null)).isEmpty();
  }

  @Test
  void theJsonShapeLeavesOutFilesAndLagWhichTheSavedShapeKeeps() {
    ConsistencyReport report = report("svc", 10);
    assertThat(report.toMap())
        .containsOnlyKeys("service", "rows", "features", "skipped_rows", "notes");
    assertThat(report.toSavedMap()).containsKeys("files", "lag");
    assertThat(ConsistencyReport.fromMap(report.toSavedMap())).isEqualTo(report);
    ConsistencyReport clean =
        new ConsistencyReport("svc", 1, report.features(), List.of(), 0, 0, List.of());
    assertThat(clean.toMap()).containsOnlyKeys("service", "rows", "features");
    assertThat(ConsistencyReport.fromMap(clean.toMap())).isEqualTo(clean);
  }

  @Test
  void aDamagedReportIsRefusedNamingItsFile() throws Exception {
    Path folder = dir.resolve("svc");
    Path file = ConsistencyReports.save(folder, report("svc", 10), Instant.now());
    Files.writeString(file, Files.readString(file).substring(0, 40));
    assertThatThrownBy(() -> ConsistencyReports.newest(folder))
        .isInstanceOf(OutputException.class)
        .hasMessageStartingWith("Cannot read the consistency report " + file + ": it is damaged (")
        .hasMessageEndingWith("); run 'quiver consistency' for the service again to replace it");

    Files.writeString(
        file, "{\"checked_at\": \"2026-11-30T12:00:00Z\", \"report\": {\"rows\": 1}}");
    assertThatThrownBy(() -> ConsistencyReports.newest(folder))
        .isInstanceOf(OutputException.class)
        .hasMessageContaining("it is damaged ('features' is missing or not a list)");
  }
}
