package dev.quiver.sdk;

import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.materializer.Materializer;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.registry.store.HistoryEntry;
import dev.quiver.registry.store.MaterializationState;
import dev.quiver.registry.store.RegistrySnapshot;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Quiver's Java API. {@link #open} gives the embedded store, working in this process on a feature
 * repo's registry and data.
 */
public interface FeatureStore
    extends OnlineFeatures, HistoricalFeatures, Materialization, AutoCloseable {

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

  /** The registry version this store works with now; each operation reads it once. */
  RegistrySnapshot registry();

  /**
   * Loads the registry again when a newer version was applied since; calls in flight finish with
   * the version they started with.
   *
   * @return whether the version changed
   */
  boolean refreshRegistry();

  /**
   * Every registry version committed so far, oldest first: when, by whom, from which Git commit,
   * what changed, and for a rollback the version it restored. Read anew on each call.
   *
   * @throws dev.quiver.registry.store.RegistryException when the registry cannot be read
   */
  List<HistoryEntry> registryHistory();

  /** The online role: lookups and pushes. */
  OnlineFeatures online();

  /** The offline role: training sets and their reproduction. */
  HistoricalFeatures historical();

  /** The materialization role: copies into the online store, and what was copied. */
  Materialization materialization();

  @Override
  default OnlineResponse onlineFeatures(OnlineRequest request) {
    return online().onlineFeatures(request);
  }

  @Override
  default CompletableFuture<OnlineResponse> onlineFeaturesAsync(OnlineRequest request) {
    return online().onlineFeaturesAsync(request);
  }

  @Override
  default long writeOnline(String view, Map<String, List<Object>> columns, Instant receivedAt) {
    return online().writeOnline(view, columns, receivedAt);
  }

  @Override
  default PushResult push(
      String view, Map<String, List<Object>> columns, Instant receivedAt, PushTarget to) {
    return online().push(view, columns, receivedAt, to);
  }

  @Override
  default void checkOnlineStore() {
    online().checkOnlineStore();
  }

  @Override
  default TrainingSet historicalFeatures(HistoricalRequest request) {
    return historical().historicalFeatures(request);
  }

  @Override
  default DatasetManifest streamHistoricalFeatures(
      HistoricalRequest request, Consumer<VectorSchemaRoot> batches) {
    return historical().streamHistoricalFeatures(request, batches);
  }

  @Override
  default DatasetManifest writeHistoricalFeatures(HistoricalRequest request, Path output) {
    return historical().writeHistoricalFeatures(request, output);
  }

  @Override
  default DatasetManifest reproduce(Path manifest, Path output) {
    return historical().reproduce(manifest, output);
  }

  @Override
  default List<Materializer.ViewResult> materialize(
      Instant start, Instant end, List<String> views, MaterializationProgress progress) {
    return materialization().materialize(start, end, views, progress);
  }

  @Override
  default List<Materializer.ViewResult> materializeIncremental(
      Instant end, List<String> views, MaterializationProgress progress) {
    return materialization().materializeIncremental(end, views, progress);
  }

  @Override
  default List<dev.quiver.registry.rules.ValidationReport> validate(
      Instant start, Instant end, List<String> views) {
    return materialization().validate(start, end, views);
  }

  @Override
  default Map<String, MaterializationState> materializationStates() {
    return materialization().materializationStates();
  }

  @Override
  void close();
}
