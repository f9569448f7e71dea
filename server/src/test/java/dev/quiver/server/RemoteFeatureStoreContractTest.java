package dev.quiver.server;

import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.FeatureStoreContract;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** The same contract on the remote store, talking to a real server started for it. */
class RemoteFeatureStoreContractTest extends FeatureStoreContract {

  private QuiverServer server;

  @Override
  protected FeatureStore open(Path repo) {
    server =
        QuiverServer.start(
            repo,
            0,
            Map.of(
                "quiver.server.flight-port",
                0,
                "quiver.server.training-set-chunk-rows",
                FeatureStoreContract.CHUNK_ROWS));
    return FeatureStore.connect(URI.create(server.url()));
  }

  @Override
  protected void tearDown() {
    if (server != null) {
      server.close();
    }
  }
}
