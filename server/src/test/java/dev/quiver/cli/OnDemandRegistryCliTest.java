package dev.quiver.cli;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleRepo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On-demand views in plan, apply, registry list, show, history and rollback. */
class OnDemandRegistryCliTest {

  static final String TRIP_RISK =
      """
      on_demand_feature_views:
        - name: trip_risk
          inputs: [driver_hourly_stats]
          request: [{name: distance_km, type: float64}]
          features:
            - name: long_trip_low_conversion
              type: bool
              expression: "distance_km > 20.0 && driver_hourly_stats.conv_rate < 0.5"
            - {name: trips_per_km, type: float64, expression: "double(driver_hourly_stats.avg_daily_trips) / distance_km"}
          description: Risk of a trip, from its distance and the driver's stats
      """;

  @TempDir Path dir;
  private Path repo;
  private String repoArg;

  @BeforeEach
  void exampleRepo() {
    repo = dir.resolve("repo");
    ExampleRepo.copyDefinitionsTo(repo);
    repoArg = repo.toString();
    assertThat(quiver("apply", "--repo", repoArg).exitCode()).isZero();
  }

  @Test
  void planAndApplyCreateAnOnDemandViewThatListAndShowPrint() throws IOException {
    Files.writeString(repo.resolve("trip_risk.yaml"), TRIP_RISK);

    CliRun plan = quiver("plan", "--repo", repoArg);
    assertThat(plan.exitCode()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("create  on-demand feature view  trip_risk");
    CliRun apply = quiver("apply", "--repo", repoArg);
    assertThat(apply.exitCode()).as(apply.err()).isZero();
    assertThat(apply.out()).contains("create  on-demand feature view  trip_risk");

    CliRun list = quiver("registry", "list", "--repo", repoArg);
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.out())
        .containsPattern(
            "on-demand feature view +trip_risk +2 computed features; inputs"
                + " driver_hourly_stats; request distance_km \\(float64\\)");

    CliRun show = quiver("registry", "show", "trip_risk", "--repo", repoArg);
    assertThat(show.exitCode()).as(show.err()).isZero();
    assertThat(show.out())
        .isEqualTo(
            """
            # on-demand feature view 'trip_risk' at registry version 2
            # long_trip_low_conversion reads distance_km, driver_hourly_stats.conv_rate
            # trips_per_km reads distance_km, driver_hourly_stats.avg_daily_trips
            name: trip_risk
            inputs:
              - driver_hourly_stats
            request:
              - name: distance_km
                type: float64
            features:
              - name: long_trip_low_conversion
                type: bool
                expression: distance_km > 20.0 && driver_hourly_stats.conv_rate < 0.5
              - name: trips_per_km
                type: float64
                expression: double(driver_hourly_stats.avg_daily_trips) / distance_km
            description: Risk of a trip, from its distance and the driver's stats
            """);
  }

  @Test
  void aChangedExpressionIsAnUpdateAndARemovedViewADeletionThatRollbackUndoes() throws IOException {
    Path file = repo.resolve("trip_risk.yaml");
    Files.writeString(file, TRIP_RISK);
    assertThat(quiver("apply", "--repo", repoArg).exitCode()).isZero();

    Files.writeString(
        file,
        TRIP_RISK
            .replace("distance_km > 20.0", "distance_km > 30.0")
            .replace(
                "request: [{name: distance_km, type: float64}]",
                "request: [{name: distance_km, type: float64}, {name: hour, type: int64}]"));
    CliRun update = quiver("apply", "--repo", repoArg);
    assertThat(update.exitCode()).as(update.err()).isZero();
    assertThat(update.out())
        .contains("update  on-demand feature view  trip_risk")
        .contains("+ request hour")
        .contains(
            "feature long_trip_low_conversion: expression \"distance_km > 20.0 &&"
                + " driver_hourly_stats.conv_rate < 0.5\" -> \"distance_km > 30.0 &&"
                + " driver_hourly_stats.conv_rate < 0.5\"");

    Files.delete(file);
    CliRun delete = quiver("apply", "--repo", repoArg);
    assertThat(delete.exitCode()).as(delete.err()).isZero();
    assertThat(delete.out()).contains("delete  on-demand feature view  trip_risk");
    assertThat(quiver("registry", "show", "trip_risk", "--repo", repoArg).exitCode()).isEqualTo(1);

    CliRun rollback = quiver("registry", "rollback", "2", "--repo", repoArg);
    assertThat(rollback.exitCode()).as(rollback.err()).isZero();
    assertThat(rollback.out())
        .contains("create  on-demand feature view  trip_risk")
        .endsWith("Rolled back: the registry is now at version 5, equal to version 2.\n");
    assertThat(quiver("registry", "show", "trip_risk", "--repo", repoArg).out())
        .contains("distance_km > 20.0");
    assertThat(quiver("registry", "history", "--repo", repoArg).out())
        .contains("rollback to version 2")
        .contains("create on-demand feature view trip_risk")
        .contains("delete on-demand feature view trip_risk");
  }

  @Test
  void anOnDemandViewIsNotMaterialized() throws IOException {
    Files.writeString(repo.resolve("trip_risk.yaml"), TRIP_RISK);
    assertThat(quiver("apply", "--repo", repoArg).exitCode()).isZero();

    CliRun run =
        quiver(
            "materialize",
            "2026-03-01T00:00:00Z",
            "2026-03-02T00:00:00Z",
            "--views",
            "trip_risk",
            "--repo",
            repoArg);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err())
        .startsWith(
            "quiver: Cannot materialize 'trip_risk': it is an on-demand feature view, computed at"
                + " request time and never stored; materialize its inputs instead"
                + " (driver_hourly_stats)");
  }
}
