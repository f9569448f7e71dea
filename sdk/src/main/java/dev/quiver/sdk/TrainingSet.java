package dev.quiver.sdk;

import dev.quiver.offline.manifest.DatasetManifest;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A training set in memory: the entity rows with their features, and what it was made from. Close
 * it to release its Arrow memory.
 */
public final class TrainingSet implements AutoCloseable {

  private final VectorSchemaRoot table;
  private final DatasetManifest manifest;

  TrainingSet(VectorSchemaRoot table, DatasetManifest manifest) {
    this.table = table;
    this.manifest = manifest;
  }

  public VectorSchemaRoot table() {
    return table;
  }

  public DatasetManifest manifest() {
    return manifest;
  }

  @Override
  public void close() {
    table.close();
  }
}
