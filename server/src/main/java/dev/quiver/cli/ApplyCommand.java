package dev.quiver.cli;

import dev.quiver.QuiverException;
import dev.quiver.online.OnlineStoreException;
import dev.quiver.registry.GitCommit;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.store.HistoryEntry;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import dev.quiver.sdk.OnlineMaintenance;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = {
      "Register the repo's definitions as a new registry version.",
      "",
      "Objects the repo no longer declares are deleted from the registry. Nothing is written",
      "when the repo has any problem, or when someone else applied since the plan was made."
    })
final class ApplyCommand implements Callable<Integer> {

  @Mixin RepoOption repo;

  @Option(
      names = "--strict",
      description = "Treat a source path that matches no Parquet file yet as an error.")
  boolean strict;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    apply(
        repo.loadWithSourceChecks(strict, spec.commandLine().getErr()),
        spec.commandLine().getOut());
    return 0;
  }

  /** Plans against the registry's latest version and commits, printing the plan and result. */
  static void apply(FeatureRepo featureRepo, PrintWriter out) {
    try (RegistryStore store = RegistryStores.open(featureRepo.config())) {
      RegistryPlan plan = RegistryPlan.of(store.load(), featureRepo.definitions());
      PlanPrinter.print(plan, store.description(), out, Terminal.colour());
      if (!plan.hasChanges()) {
        return;
      }
      String user = System.getProperty("user.name", "unknown");
      String commit = GitCommit.of(featureRepo.config().root()).orElse(null);
      HistoryEntry entry =
          commit(
              featureRepo.config(),
              store,
              plan,
              () -> plan.apply(store, user, commit),
              "apply",
              "the repo");
      out.println("Applied: the registry is now at version " + entry.version() + ".");
      printDeletedViews(plan, out);
    }
  }

  /**
   * Commits a plan that has changes: the online rows of the views it deletes go first, since if the
   * commit then fails they can be materialized again, while rows left behind by a committed
   * deletion would never be retried.
   *
   * @param verb names the command in messages: apply, roll back
   * @param desired names what the plan's definitions come from: the repo, version 3
   */
  static HistoryEntry commit(
      ProjectConfig config,
      RegistryStore store,
      RegistryPlan plan,
      Supplier<HistoryEntry> commit,
      String verb,
      String desired) {
    List<String> cleared = new ArrayList<>(plan.deletedViews());
    cleared.addAll(plan.retiledViews());
    if (!cleared.isEmpty()) {
      try {
        OnlineMaintenance.deleteViews(config, store, cleared);
      } catch (QuiverException e) {
        throw new OnlineStoreException(
            "Cannot "
                + verb
                + ": the online rows of "
                + String.join(", ", cleared)
                + ", which "
                + desired
                + " does not have or computes differently, cannot be deleted ("
                + e.getMessage()
                + "); nothing was committed",
            e);
      }
    }
    return commit.get();
  }

  static void printDeletedViews(RegistryPlan plan, PrintWriter out) {
    if (!plan.deletedViews().isEmpty()) {
      out.println("Deleted the online rows of " + String.join(", ", plan.deletedViews()) + ".");
    }
    if (!plan.retiledViews().isEmpty()) {
      out.println(
          "Deleted the online tiles of "
              + String.join(", ", plan.retiledViews())
              + ", whose aggregations changed: run 'quiver materialize' to compute them again.");
    }
  }
}
