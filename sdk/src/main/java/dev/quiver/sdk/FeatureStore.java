package dev.quiver.sdk;

import dev.quiver.offline.manifest.DatasetManifest;
import java.nio.file.Path;

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
    return EmbeddedFeatureStore.open(repo);
  }

  /** The project's name. */
  String project();

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

  @Override
  void close();
}
