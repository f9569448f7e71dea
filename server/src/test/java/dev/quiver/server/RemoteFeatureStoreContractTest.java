package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.FeatureStoreContract;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

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

  /** Reproducing reads the repo's source files, which are on the server's host. */
  @Override
  protected boolean supportsReproduce() {
    return false;
  }

  @Test
  void reproducingIsRefusedWithWhereToRunIt() {
    assertThatThrownBy(
            () -> store.reproduce(Path.of("training.csv.manifest.json"), Path.of("out.csv")))
        .isExactlyInstanceOf(UnsupportedOperationException.class)
        .hasMessage(
            "Cannot reproduce through the feature server at "
                + server.url()
                + ": reproducing checks the repo's source files, which are on the server's host;"
                + " run 'quiver reproduce' there");
  }

  @Override
  protected void tearDown() {
    if (server != null) {
      server.close();
    }
  }
}
