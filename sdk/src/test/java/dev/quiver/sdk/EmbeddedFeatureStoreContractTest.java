package dev.quiver.sdk;

import java.nio.file.Path;

/** The contract on the embedded store. */
class EmbeddedFeatureStoreContractTest extends FeatureStoreContract {

  @Override
  protected FeatureStore open(Path repo) {
    return FeatureStore.open(repo);
  }
}
