package dev.quiver.cli;

import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.sdk.FeatureStore;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "reproduce",
    mixinStandardHelpOptions = true,
    description = {
      "Build a training set again from its manifest.",
      "",
      "Uses the definitions, features and entity file the manifest recorded. Refuses, naming each",
      "one, when an input file changed since (its size or its checksum); with unchanged inputs the",
      "new output equals the old one value for value. A training set the Spark engine built is",
      "built again on Spark."
    })
final class ReproduceCommand implements Callable<Integer> {

  @Parameters(paramLabel = "MANIFEST", description = "An <output>.manifest.json file.")
  Path manifest;

  @Option(
      names = "--output",
      required = true,
      paramLabel = "FILE",
      description = "Where to write the new training set: .parquet, .arrow or .csv.")
  Path output;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    DatasetManifest original = DatasetManifest.read(manifest);
    if (original.engine().equals(DatasetManifest.SPARK)) {
      // Its checksums cover whole files, as the Spark engine reads them: it reproduces it.
      return SparkLauncher.run(
          "reproduce", java.util.List.of(manifest.toString(), "--output", output.toString()));
    }
    try (FeatureStore store = FeatureStore.open(original.repoRoot())) {
      DatasetManifest written = store.reproduce(manifest, output);
      HistoricalCommand.printSummary(written, spec.commandLine().getOut());
    }
    return 0;
  }
}
