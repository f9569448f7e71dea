package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.materializer.MaterializationProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end online tests with {@code online_store: {type: memory}}: each test materializes and
 * reads in one {@link FeatureStore}, which holds its own store.
 */
class MemoryOnlineFeaturesTest extends OnlineFeaturesTest {

  @Override
  protected void configureOnlineStore(Path repo) throws IOException {
    Files.writeString(
        repo.resolve("feature_store.yaml"),
        "project: driver_ranking\nregistry: data/registry.json\nonline_store: {type: memory}\n");
  }

  @Test
  void eachFeatureStoreHasItsOwnEmptyStoreAndNothingIsPersisted() {
    OnlineRequest request =
        OnlineRequest.ofFeatures(
            List.of("driver_hourly_stats:conv_rate"), Map.of("driver_id", List.of(1001L)));
    try (FeatureStore writer = FeatureStore.open(repo);
        FeatureStore other = FeatureStore.open(repo)) {
      writer.materialize(
          Instant.parse("2026-03-01T00:00:00Z"),
          Instant.parse("2026-03-08T00:00:00Z"),
          List.of("driver_hourly_stats"),
          MaterializationProgress.NONE);

      OnlineResponse.Column written = writer.onlineFeatures(request).column("conv_rate");
      assertThat(written.statuses().get(0)).isNotEqualTo(FeatureStatus.NOT_FOUND);
      assertThat(written.eventTimestamps().get(0))
          .isBetween(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-03-08T00:00:00Z"));
      assertThat(other.onlineFeatures(request).column("conv_rate").statuses())
          .as("another FeatureStore's memory store")
          .containsExactly(FeatureStatus.NOT_FOUND);
    }
    assertThat(repo.resolve("data/online")).doesNotExist();
    try (FeatureStore reopened = FeatureStore.open(repo)) {
      assertThat(reopened.onlineFeatures(request).column("conv_rate").statuses())
          .as("after the writer closed")
          .containsExactly(FeatureStatus.NOT_FOUND);
    }
  }

  @Test
  void whatWasMaterializedIsForgottenWithTheStore() {
    try (FeatureStore writer = FeatureStore.open(repo)) {
      writer.materializeIncremental(
          Instant.parse("2026-03-08T00:00:00Z"),
          List.of("driver_hourly_stats"),
          MaterializationProgress.NONE);
      assertThat(writer.materializationStates()).containsOnlyKeys("driver_hourly_stats");
    }
    try (FeatureStore reopened = FeatureStore.open(repo)) {
      assertThat(reopened.materializationStates())
          .as("a new memory store is empty, and its log says so")
          .isEmpty();
      List<dev.quiver.materializer.Materializer.ViewResult> again =
          reopened.materializeIncremental(
              Instant.parse("2026-03-08T00:00:00Z"),
              List.of("driver_hourly_stats"),
              MaterializationProgress.NONE);
      assertThat(again.get(0).rowsWritten()).as("written again, not skipped").isPositive();
    }
  }
}
