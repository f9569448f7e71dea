package dev.quiver.sdk;

import dev.quiver.offline.manifest.DatasetManifest;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The offline role of a {@link FeatureStore}: point-in-time correct training sets, and reproducing
 * one from its manifest ({@link FeatureStore#historical()}). Every retrieval's manifest records the
 * registry version it used.
 */
public interface HistoricalFeatures {

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
      HistoricalRequest request, Consumer<VectorSchemaRoot> batches);

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
   * @throws UnsupportedOperationException through a server, which has the source files on its host
   */
  DatasetManifest reproduce(Path manifest, Path output);
}
