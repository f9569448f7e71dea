package dev.quiver.cli;

import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.store.RegistryStore;
import dev.quiver.registry.store.RegistryStores;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Show what 'quiver apply' would change, without changing anything.",
      "",
      "The repo is validated first; every problem in it is reported at once.",
      "",
      "Exit codes: 0 success (with --exit-code: no changes), 1 error, 2 changes pending",
      "(with --exit-code only)."
    })
final class PlanCommand implements Callable<Integer> {

  static final int EXIT_CHANGES_PENDING = 2;

  @Mixin RepoOption repo;

  @Option(
      names = "--strict",
      description = "Treat a source path that matches no Parquet file yet as an error.")
  boolean strict;

  @Option(
      names = "--exit-code",
      description = "Exit with 2 when changes are pending and 0 when there are none.")
  boolean exitCode;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    FeatureRepo featureRepo = repo.loadWithSourceChecks(strict, spec.commandLine().getErr());
    try (RegistryStore store = RegistryStores.open(featureRepo.config())) {
      RegistryPlan plan = RegistryPlan.of(store.load(), featureRepo.definitions());
      PlanPrinter.print(plan, store.description(), spec.commandLine().getOut(), Terminal.colour());
      return exitCode && plan.hasChanges() ? EXIT_CHANGES_PENDING : 0;
    }
  }
}
