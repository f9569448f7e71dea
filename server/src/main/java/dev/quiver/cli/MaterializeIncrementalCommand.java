package dev.quiver.cli;

import dev.quiver.sdk.FeatureStore;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "materialize-incremental",
    mixinStandardHelpOptions = true,
    description = {
      "Materialize each view from where its last materialization ended up to END.",
      "",
      "A view never materialized starts at END minus its ttl, or, without a ttl, at the",
      "beginning of its data.",
      "",
      "Expect rules are checked first, as 'quiver materialize' checks them: a view with",
      "validation: reject that breaks a rule stops the run before anything is written (exit 3)."
    })
final class MaterializeIncrementalCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "END", description = MaterializeCommand.WINDOW_INSTANT)
  String end;

  @Option(
      names = "--views",
      split = ",",
      paramLabel = "VIEW,...",
      description = "Only these views.")
  List<String> views = List.of();

  @Mixin RepoOption repo;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    repo.requireDurableOnlineStore(
        "materialize",
        "materialize through the server that serves it ('quiver serve', POST /materialize-incremental)");
    if (SparkLauncher.selected(repo.root())) {
      return SparkLauncher.materialize(
          "materialize-incremental",
          repo.root(),
          List.of(MaterializeCommand.instant(spec, end, "END")),
          views);
    }
    try (FeatureStore store = FeatureStore.open(repo.root())) {
      MaterializeCommand.print(
          store.materializeIncremental(
              MaterializeCommand.instant(spec, end, "END"), views, new ViewProgress()),
          spec.commandLine().getOut());
    }
    return 0;
  }
}
