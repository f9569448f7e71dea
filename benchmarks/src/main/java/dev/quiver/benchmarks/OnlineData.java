package dev.quiver.benchmarks;

import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineRow;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.ValueCodec;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The online benchmarks' repo and data: one view {@code stats} of {@code driver} (int64 key {@code
 * driver_id}) with features {@code f0..fN} alternating float64 and int64, rows for keys {@code
 * 0..keys-1}, all dated 2026-02-25.
 */
final class OnlineData {

  private static final long EVENT_TS = 1_772_000_000_000_000_000L;

  private OnlineData() {}

  static List<Feature> features(int count) {
    List<Feature> features = new ArrayList<>();
    for (int f = 0; f < count; f++) {
      ScalarType type = f % 2 == 0 ? ScalarType.FLOAT64 : ScalarType.INT64;
      features.add(Feature.of("f" + f, ValueType.scalar(type)));
    }
    return features;
  }

  /** Writes the repo's files and registers its definitions. */
  static void writeRepo(Path repo, String featureStoreYaml, List<Feature> features)
      throws IOException {
    writeRepo(repo, featureStoreYaml, features, "");
  }

  /** Writes the repo's files, with more definitions after the view's, and registers them. */
  static void writeRepo(
      Path repo, String featureStoreYaml, List<Feature> features, String moreDefinitions)
      throws IOException {
    writeRepo(repo, featureStoreYaml, List.of("stats"), features, moreDefinitions);
  }

  /**
   * Writes the repo's files, {@code views} each of {@code features} over {@code driver}, then
   * {@code moreDefinitions}, and registers them.
   */
  static void writeRepo(
      Path repo,
      String featureStoreYaml,
      List<String> views,
      List<Feature> features,
      String moreDefinitions)
      throws IOException {
    StringBuilder yaml =
        new StringBuilder(
            "entities:\n  - {name: driver, join_key: driver_id, type: int64}\n"
                + "sources:\n  - {name: src, path: data/none.parquet, timestamp_field: ts}\n"
                + "feature_views:\n");
    for (String view : views) {
      yaml.append("  - name: ")
          .append(view)
          .append("\n    entities: [driver]\n    source: src\n    features:\n");
      for (Feature feature : features) {
        yaml.append("      - {name: ")
            .append(feature.name())
            .append(", type: ")
            .append(feature.type())
            .append("}\n");
      }
    }
    Files.createDirectories(repo);
    Files.writeString(repo.resolve("feature_store.yaml"), featureStoreYaml);
    Files.writeString(repo.resolve("defs.yaml"), yaml.append(moreDefinitions).toString());
    register(repo);
  }

  /** Registers the repo's definitions, when they changed. */
  static void register(Path repo) {
    FeatureRepo loaded = FeatureRepo.load(repo, Map.of());
    try (RegistryStore registry = RegistryStores.open(loaded.config())) {
      RegistryPlan plan = RegistryPlan.of(registry.load(), loaded.definitions());
      if (plan.hasChanges()) {
        plan.apply(registry, "benchmark", null);
      }
    }
  }

  /** Writes a row of random values for every key {@code 0..keys-1} of view {@code stats}. */
  static void load(OnlineStore store, int keys, List<Feature> features) {
    load(store, "stats", new Random(42), keys, features);
  }

  /** Writes a row of random values for every key {@code 0..keys-1} of {@code view}. */
  static void load(
      OnlineStore store, String view, Random random, int keys, List<Feature> features) {
    List<OnlineStore.Record> batch = new ArrayList<>();
    for (long k = 0; k < keys; k++) {
      Map<String, Object> values = new HashMap<>();
      for (Feature feature : features) {
        values.put(
            feature.name(),
            feature.type().element() == ScalarType.FLOAT64
                ? (Object) random.nextDouble()
                : (Object) random.nextLong());
      }
      batch.add(
          new OnlineStore.Record(
              key(k), ValueCodec.encode(new OnlineRow(EVENT_TS, 0, values), features)));
      if (batch.size() == 10_000) {
        store.write(view, batch);
        batch.clear();
      }
    }
    store.write(view, batch);
  }

  static byte[] key(long id) {
    return EntityKeyCodec.encode(Map.of("driver_id", id), Map.of("driver_id", ScalarType.INT64));
  }
}
