package dev.quiver.registry.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.RepoFixture;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Definitions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryDiffTest {

  @TempDir Path root;

  private Definitions load(RepoFixture repo) {
    return FeatureRepo.load(repo.root(), Map.of()).definitions();
  }

  private List<String> pendingSummaries(Definitions before, Definitions after) {
    return RegistryDiff.between(before, after).stream()
        .filter(c -> c.type() != ChangeType.UNCHANGED)
        .map(ObjectChange::summary)
        .toList();
  }

  @Test
  void everyObjectIsCreatedOnAnEmptyRegistry() {
    assertThat(pendingSummaries(Definitions.EMPTY, load(RepoFixture.valid(root))))
        .containsExactly(
            "create entity customer",
            "create entity driver",
            "create source driver_stats_source",
            "create feature view driver_hourly_stats",
            "create feature service ranking");
  }

  @Test
  void anUpdateNamesEachChangedField() {
    Definitions before = load(RepoFixture.valid(root));
    String changed =
        RepoFixture.DRIVER_STATS
            .replace("ttl: 1d", "ttl: 2d")
            .replace("{team: drivers}", "{team: riders, tier: gold}")
            .replace(
                "- {name: avg_daily_trips, type: int64}",
                "- {name: avg_daily_trips, type: int32}\n      - {name: avg_rating, type: float64}")
            .replace("entities: [driver]", "entities: [driver, customer]");
    Definitions after = load(RepoFixture.valid(root).write("driver_stats.yaml", changed));

    assertThat(pendingSummaries(before, after))
        .containsExactly(
            "update feature view driver_hourly_stats: + entity customer; ttl 1d -> 2d;"
                + " feature avg_daily_trips: type int64 -> int32; + feature avg_rating;"
                + " tags.team drivers -> riders; tags.tier (none) -> gold");
  }

  @Test
  void aViewKnownByItsCreatedTimeShowsTheChangeFromTheDefault() {
    Definitions before = load(RepoFixture.valid(root));
    String known = RepoFixture.DRIVER_STATS.replace("ttl: 1d", "ttl: 1d\n    known_time: created");
    Definitions after = load(RepoFixture.valid(root).write("driver_stats.yaml", known));

    assertThat(pendingSummaries(before, after))
        .containsExactly("update feature view driver_hourly_stats: known_time event -> created");
    assertThat(pendingSummaries(after, before))
        .containsExactly("update feature view driver_hourly_stats: known_time created -> event");
  }

  @Test
  void objectsMissingFromTheRepoAreDeleted() {
    Definitions before = load(RepoFixture.valid(root));
    String withoutService =
        RepoFixture.DRIVER_STATS.substring(
            0, RepoFixture.DRIVER_STATS.indexOf("feature_services:"));
    Definitions after = load(RepoFixture.valid(root).write("driver_stats.yaml", withoutService));

    assertThat(pendingSummaries(before, after)).containsExactly("delete feature service ranking");
  }

  @Test
  void movingAnObjectToAnotherFileIsNoChange() {
    Definitions before = load(RepoFixture.valid(root));
    Definitions after =
        load(
            RepoFixture.valid(root)
                .write("entities.yaml", "")
                .write("nested/people.yaml", "\n\n" + RepoFixture.ENTITIES));

    assertThat(pendingSummaries(before, after)).isEmpty();
  }

  @Test
  void anOnDemandViewIsCreatedUpdatedAndDeletedLikeAnyObject() {
    String risk =
        """
        on_demand_feature_views:
          - name: risk
            inputs: [driver_hourly_stats]
            features:
              - {name: fast, type: bool, expression: "driver_hourly_stats.conv_rate > 0.5"}
        """;
    Definitions without = load(RepoFixture.valid(root));
    Definitions with = load(RepoFixture.valid(root).write("risk.yaml", risk));
    String changed =
        risk.replace(
                "inputs: [driver_hourly_stats]",
                "inputs: [driver_hourly_stats]\n    request: [{name: amount, type: float64}]")
            .replace("conv_rate > 0.5", "conv_rate > amount")
            .replace(
                "expression: \"driver_hourly_stats.conv_rate > amount\"}",
                "expression: \"driver_hourly_stats.conv_rate > amount\"}\n      - {name: twice,"
                    + " type: float64, expression: \"amount * 2.0\"}");
    Definitions after = load(RepoFixture.valid(root).write("risk.yaml", changed));

    assertThat(pendingSummaries(without, with))
        .containsExactly("create on-demand feature view risk");
    assertThat(pendingSummaries(with, after))
        .containsExactly(
            "update on-demand feature view risk: + request amount; feature fast: expression"
                + " \"driver_hourly_stats.conv_rate > 0.5\" -> \"driver_hourly_stats.conv_rate >"
                + " amount\"; + feature twice");
    assertThat(pendingSummaries(after, without))
        .containsExactly("delete on-demand feature view risk");
  }
}
