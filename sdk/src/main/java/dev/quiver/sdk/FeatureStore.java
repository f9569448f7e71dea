package dev.quiver.sdk;

import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.registry.store.RegistrySnapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Quiver's Java API. {@link #open} gives the embedded store, working in this process on a feature
 * repo's registry and data.
 */
public interface FeatureStore extends AutoCloseable {

  /**
   * Opens the feature repo at {@code repo}: its {@code feature_store.yaml} and registry.
   *
   * @throws dev.quiver.registry.load.DefinitionException when {@code feature_store.yaml} is missing
   *     or invalid
   * @throws dev.quiver.registry.store.RegistryException when the registry cannot be read
   */
  static FeatureStore open(Path repo) {
    return EmbeddedFeatureStore.open(repo, FeatureStoreOptions.defaults());
  }

  /** Opens the feature repo at {@code repo} with a clock and online access of your choice. */
  static FeatureStore open(Path repo, FeatureStoreOptions options) {
    return EmbeddedFeatureStore.open(repo, options);
  }

  /** The project's name. */
  String project();

  /** The registry version this store works with. */
  RegistrySnapshot registry();

  /**
   * Runs a point-in-time join and returns the training set in memory.
   *
   * @throws dev.quiver.registry.NoSuchObjectException for an unknown view, feature or service
   * @throws dev.quiver.registry.InvalidRequestException for clashing or repeated names, or bad
   *     entity rows
   */
  TrainingSet historicalFeatures(HistoricalRequest request);

  /**
   * Runs a point-in-time join and writes the training set to {@code output} (.parquet, .arrow or
   * .csv) and its manifest beside it, both atomically.
   *
   * @return the manifest written
   */
  DatasetManifest writeHistoricalFeatures(HistoricalRequest request, Path output);

  /**
   * Runs the retrieval a manifest describes again, with the definitions it recorded, and writes the
   * result to {@code output}; given unchanged inputs the result equals the original.
   *
   * @throws InputsChangedException naming each input that differs from the manifest; nothing is
   *     written then
   */
  DatasetManifest reproduce(Path manifest, Path output);

  /**
   * The latest materialized values of the requested features for each entity row, in one round trip
   * to the online store, with a status and event time per value.
   *
   * @throws dev.quiver.registry.NoSuchObjectException for an unknown view, feature or service
   * @throws InvalidEntityException for a missing join key or a value of the wrong type
   * @throws dev.quiver.registry.InvalidRequestException for an offline-only view or clashing names
   */
  OnlineResponse onlineFeatures(OnlineRequest request);

  /**
   * Copies the latest values of source rows with {@code start <= ts <= end} into the online store,
   * for the named views (every online view when {@code views} is empty).
   */
  List<Materializer.ViewResult> materialize(
      Instant start, Instant end, List<String> views, MaterializationProgress progress);

  /** Materializes each view from where its last materialization ended up to {@code end}. */
  List<Materializer.ViewResult> materializeIncremental(
      Instant end, List<String> views, MaterializationProgress progress);

  @Override
  void close();
}
