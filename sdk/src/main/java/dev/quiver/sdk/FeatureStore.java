package dev.quiver.sdk;

import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.registry.model.TimeInterval;
import dev.quiver.registry.store.MaterializationState;
import dev.quiver.registry.store.RegistrySnapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

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

  /**
   * Connects to a running {@code quiver serve} at {@code server} (http://host:port): the same API,
   * over HTTP for online lookups and writes and Arrow Flight for training sets. Reads send {@code
   * QUIVER_READ_TOKEN} and writes {@code QUIVER_WRITE_TOKEN} as bearer tokens when they are set.
   *
   * @throws dev.quiver.QuiverException when the server cannot be reached
   */
  static FeatureStore connect(java.net.URI server) {
    return RemoteFeatureStore.connect(server, RemoteOptions.fromEnvironment());
  }

  /** {@link #connect(java.net.URI)} with tokens of your choice. */
  static FeatureStore connect(java.net.URI server, RemoteOptions options) {
    return RemoteFeatureStore.connect(server, options);
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
   * Runs a point-in-time join and hands the training set to {@code batches} a part at a time, rows
   * in entity-row order, so that memory holds one part, not the whole: for training sets larger
   * than memory, or to start on the first rows early. {@code batches} gets at least one batch (an
   * empty one when there are no entity rows), all of one schema; a batch is valid only during the
   * call, so copy what you keep. If the retrieval fails midway (a source file changed between
   * chunks, the connection dropped), the batches already handed over are an incomplete training
   * set: discard them. The embedded store makes the parts by joining a chunk of entity rows at a
   * time ({@link dev.quiver.offline.join.JoinOptions#chunkRows()}); the remote one passes on the
   * server's batches as they arrive.
   *
   * @return the manifest of the training set (without an output file)
   * @throws dev.quiver.registry.NoSuchObjectException for an unknown view, feature or service
   * @throws dev.quiver.registry.InvalidRequestException for clashing or repeated names, or bad
   *     entity rows
   */
  DatasetManifest streamHistoricalFeatures(
      HistoricalRequest request,
      java.util.function.Consumer<org.apache.arrow.vector.VectorSchemaRoot> batches);

  /**
   * Runs a point-in-time join and writes the training set to {@code output} (.parquet, .arrow or
   * .csv) and its manifest beside it, both atomically. The training set is written as it is made
   * ({@link #streamHistoricalFeatures}), not held in memory whole.
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

  /** {@link #onlineFeatures}, without blocking the caller. */
  default java.util.concurrent.CompletableFuture<OnlineResponse> onlineFeaturesAsync(
      OnlineRequest request) {
    try {
      return java.util.concurrent.CompletableFuture.completedFuture(onlineFeatures(request));
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Writes rows straight to the online store (Feast's push): checked against the view's schema
   * first (every join key, the source's timestamp field and every feature; nothing is written when
   * a row is wrong), then written newer-wins with {@code receivedAt} as their created time (through
   * a server: the time the server received them). Rows dated more than five minutes after it are
   * refused; of rows with one key and one event time, the last given is kept.
   *
   * @param columns column name to one value per row
   * @return rows that replaced or added a stored row
   * @throws dev.quiver.registry.NoSuchObjectException for an unknown view
   * @throws InvalidEntityException for a missing or unknown column, or a value of the wrong type
   */
  long writeOnline(String view, Map<String, List<Object>> columns, Instant receivedAt);

  /**
   * Per view, what was materialized into the online store so far, read at once: the windows
   * (merged, oldest first) and the newest event time written (its online rows are at most this
   * fresh; null when no window held a row). Views never materialized into this online store are
   * absent: each online store has its own log, so a repo switched to another store starts empty.
   *
   * @throws dev.quiver.registry.store.RegistryException when the registry cannot be read
   */
  Map<String, MaterializationState> materialization();

  /** Per view, the windows materialized into the online store so far, merged, oldest first. */
  default Map<String, List<TimeInterval>> materializedIntervals() {
    Map<String, List<TimeInterval>> intervals = new TreeMap<>();
    materialization().forEach((view, state) -> intervals.put(view, state.intervals()));
    return intervals;
  }

  /**
   * Per view, the newest event time materialized into the online store so far: its online rows are
   * at most this fresh. Views with nothing materialized, or no row yet, are absent.
   */
  default Map<String, Instant> newestMaterializedEvents() {
    Map<String, Instant> newest = new TreeMap<>();
    materialization()
        .forEach(
            (view, state) -> {
              if (state.newestEvent() != null) {
                newest.put(view, state.newestEvent());
              }
            });
    return newest;
  }

  /**
   * Opens the online store when it is not open yet and reads one key from it.
   *
   * @throws dev.quiver.online.OnlineStoreException when it cannot be opened or read
   */
  void checkOnlineStore();

  /**
   * Loads the registry again when a newer version was applied since; calls in flight finish with
   * the version they started with.
   *
   * @return whether the version changed
   */
  boolean refreshRegistry();

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
