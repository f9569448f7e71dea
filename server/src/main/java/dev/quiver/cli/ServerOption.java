package dev.quiver.cli;

import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.FeatureStoreOptions;
import java.net.URI;
import picocli.CommandLine.Option;

/** {@code --server URL}: work through a running {@code quiver serve} instead of the repo. */
final class ServerOption {

  @Option(
      names = "--server",
      paramLabel = "URL",
      description =
          "Go through a running 'quiver serve' (http://host:6566) instead of opening --repo:"
              + " the same output, over HTTP and Arrow Flight.")
  URI server;

  /** The remote store when --server is given, else the repo's embedded store. */
  FeatureStore open(RepoOption repo, FeatureStoreOptions options) {
    return server != null ? FeatureStore.connect(server) : FeatureStore.open(repo.root(), options);
  }
}
