package dev.quiver.cli;

import dev.quiver.online.OnlineStoreException;
import dev.quiver.online.OnlineStoreFactory;
import dev.quiver.online.OnlineStores;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.load.Problem;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.sdk.SourceValidation;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --repo DIR}, shared by every command that works on a feature repo. */
final class RepoOption {

  @Option(
      names = "--repo",
      paramLabel = "DIR",
      description = "The feature repo: a folder with feature_store.yaml (default: current folder).")
  Path repo = Path.of("");

  Path root() {
    return repo.toAbsolutePath().normalize();
  }

  /** Reads and validates the repo; every problem in it is reported at once. */
  FeatureRepo load() {
    return FeatureRepo.load(root());
  }

  /**
   * Reads and validates the repo, then checks its sources' Parquet files against the views;
   * warnings go to {@code err}.
   */
  FeatureRepo loadWithSourceChecks(boolean strict, PrintWriter err) {
    FeatureRepo repo = load();
    for (Problem warning : SourceValidation.check(repo, strict)) {
      err.println("warning: " + warning);
    }
    err.flush();
    return repo;
  }

  /**
   * Refuses to {@code action} in this process when the repo's online store keeps its rows only in
   * the process that opens it ({@code type: memory}): the rows would be gone when the command ends,
   * with nothing to show for the work.
   *
   * @param instead what to do instead, for the message
   */
  void requireDurableOnlineStore(String action, String instead) {
    ProjectConfig config = FeatureRepo.loadConfig(root(), System.getenv());
    if (!OnlineStores.factory(config)
        .capabilities()
        .contains(OnlineStoreFactory.Capability.DURABLE)) {
      throw new OnlineStoreException(
          "Cannot "
              + action
              + " from the command line: the online store is of type '"
              + config.onlineStore().type()
              + "', whose rows live only in the process that opens it; "
              + instead);
    }
  }
}
