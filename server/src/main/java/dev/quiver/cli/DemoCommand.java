package dev.quiver.cli;

import dev.quiver.QuiverException;
import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import dev.quiver.registry.load.FeatureRepo;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Walk through Quiver on a copy of the example repo.",
      "",
      "Copies the example repo to a new folder, generates its Parquet data, plans and applies it,",
      "and lists the registry. The copy is kept, so you can go on exploring it."
    })
final class DemoCommand implements Callable<Integer> {

  @Option(
      names = "--no-serve",
      description = {
        "Stop before serving the repo over HTTP. This version has no feature server yet, so",
        "the demo always stops there."
      })
  boolean noServe;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Where to create the demo repo (default: a new temporary folder).")
  Path dir;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Path repo = dir != null ? dir.toAbsolutePath() : Files.createTempDirectory("quiver-demo-");
    if (!isEmptyOrAbsent(repo)) {
      throw new QuiverException(
          "Cannot run the demo in " + repo + ": the folder is not empty; pick a new or empty one");
    }
    step(err, "Copying the example repo to " + repo);
    ExampleRepo.copyDefinitionsTo(repo);
    step(err, "Generating its Parquet data");
    ExampleData.Summary data = ExampleData.generate(repo, ExampleData.Options.defaults());
    data.rowsByFile().forEach((file, rows) -> err.println("  " + file + ": " + rows + " rows"));

    step(err, "quiver apply: validate the definitions, plan the changes and register them");
    FeatureRepo featureRepo = FeatureRepo.load(repo);
    ApplyCommand.apply(featureRepo, out);
    out.println();
    out.flush();

    step(err, "quiver registry list: what is registered now");
    int listed =
        QuiverCli.commandLine()
            .setOut(out)
            .setErr(err)
            .execute("registry", "list", "--repo", repo.toString());
    if (listed != 0) {
      return listed;
    }
    err.println();
    err.println("The demo repo stays at " + repo + ". Try:");
    err.println("  ./quiver plan --repo " + repo);
    err.println("  ./quiver registry show driver_hourly_stats --repo " + repo);
    err.println("  ./quiver registry history --repo " + repo);
    err.flush();
    return 0;
  }

  private static boolean isEmptyOrAbsent(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return true;
    }
    if (!Files.isDirectory(folder)) {
      return false;
    }
    try (java.util.stream.Stream<Path> entries = Files.list(folder)) {
      return entries.findAny().isEmpty();
    }
  }

  private static void step(PrintWriter err, String text) {
    err.println("==> " + text);
    err.flush();
  }
}
