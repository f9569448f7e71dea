package dev.quiver.materializer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.example.ExampleRepo;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.InMemoryOnlineStore;
import dev.quiver.online.OnlineStore;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.store.FileRegistryStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The materializer's two ways of holding rows give the same online rows: references into the chunks
 * (encoded at the end) when they fit the budget, encoded rows written out whenever the budget fills
 * up otherwise.
 */
class MaterializerMemoryTest {

  @TempDir Path repo;

  private List<byte[]> materialize(long memoryBudget, int threads) {
    FeatureRepo loaded = FeatureRepo.load(repo, Map.of());
    InMemoryOnlineStore store = new InMemoryOnlineStore("driver_ranking");
    try (MemoryBudget memory = new MemoryBudget(Long.MAX_VALUE);
        FileRegistryStore registry =
            new FileRegistryStore(
                repo.resolve("data/registry-" + memoryBudget + ".json"),
                "driver_ranking",
                Clock.systemUTC())) {
      new Materializer(
              loaded.definitions(),
              repo,
              store,
              registry.materializationLog("memory:test"),
              new MaterializationOptions(threads, memoryBudget),
              memory)
          .materialize(
              Instant.parse("2026-03-01T00:00:00Z"),
              Instant.parse("2026-03-08T00:00:00Z"),
              List.of("driver_hourly_stats"),
              MaterializationProgress.NONE);
    }
    List<OnlineStore.Key> keys = new ArrayList<>();
    for (long driver = 1001; driver <= 3000; driver++) {
      keys.add(
          new OnlineStore.Key(
              "driver_hourly_stats",
              EntityKeyCodec.encode(
                  Map.of("driver_id", driver), Map.of("driver_id", ScalarType.INT64))));
    }
    assertThat(store.rowCount("driver_hourly_stats")).isEqualTo(2_000);
    return store.read(keys);
  }

  @Test
  void aTinyBudgetWritesOftenAndEndsWithTheSameRows() {
    ExampleRepo.createAt(repo);
    List<byte[]> roomy = materialize(Long.MAX_VALUE, 2);
    List<byte[]> tight = materialize(1, 2);
    List<byte[]> single = materialize(64_000, 1);
    for (int i = 0; i < roomy.size(); i++) {
      assertThat(tight.get(i)).as("driver %d", 1001 + i).isEqualTo(roomy.get(i));
      assertThat(single.get(i)).as("driver %d", 1001 + i).isEqualTo(roomy.get(i));
    }
  }
}
