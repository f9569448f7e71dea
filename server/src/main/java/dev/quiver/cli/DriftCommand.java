package dev.quiver.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.quiver.monitoring.drift.Drift;
import dev.quiver.monitoring.drift.DriftBaselines;
import dev.quiver.monitoring.drift.DriftHtml;
import dev.quiver.monitoring.drift.DriftReport;
import dev.quiver.monitoring.drift.FeatureDrift;
import dev.quiver.offline.io.PendingFile;
import dev.quiver.offline.io.TrainingSetFiles;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.offline.stats.FeatureStatistics;
import dev.quiver.registry.InvalidRequestException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "drift",
    mixinStandardHelpOptions = true,
    description = {
      "Compare the distribution of each feature now with a training set's (its manifest's",
      "statistics): the population stability index (PSI) and, for numbers, the",
      "Kolmogorov-Smirnov statistic (KS). Exits 3 when a feature is over a threshold.",
      "",
      "PSI = sum over bins of (now - base) * ln(now / base), the shares of rows per bin; numbers",
      "are binned at the baseline's deciles, strings and bools by value; nulls are a bin of",
      "their own and an empty bin counts as a share of 0.0001. KS is the largest distance",
      "between the two cumulative distributions of the non-null values. Rules of thumb: PSI",
      "under 0.1 is stable, 0.1 to 0.2 a moderate shift, over 0.2 a significant one.",
      "",
      "Current data: --views reads a window of the views' sources, --logs a feature service's",
      "serving logs. Only the baseline's features the current data has are compared."
    })
final class DriftCommand implements Callable<Integer> {

  /** The exit code when a feature is over a threshold. */
  static final int EXIT_DRIFT = 3;

  @Option(
      names = "--baseline",
      required = true,
      paramLabel = "MANIFEST",
      description = "A training set's manifest (or the training set): the baseline.")
  Path baseline;

  @CommandLine.ArgGroup(exclusive = false, multiplicity = "1")
  WindowOption window;

  @Option(
      names = "--psi-threshold",
      paramLabel = "PSI",
      description = "A feature drifted when its PSI is over this (default: ${DEFAULT-VALUE}).")
  double psiThreshold = Drift.Thresholds.DEFAULT_PSI;

  @Option(
      names = "--ks-threshold",
      paramLabel = "KS",
      description =
          "A number drifted when its KS statistic is over this, 0 to 1 (default: KS is printed,"
              + " not checked).")
  Double ksThreshold;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description =
          "Also write a self-contained HTML page: a summary table, and per feature the two"
              + " histograms side by side with the figures.")
  Path html;

  @Option(names = "--json", description = "Print the report as JSON, and nothing else.")
  boolean json;

  @Mixin RepoOption repo;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws JsonProcessingException {
    window.check(spec);
    if (!window.given()) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "Give the current data: --views VIEWS START END or --logs SERVICE");
    }
    if (!(psiThreshold >= 0) || (ksThreshold != null && !(ksThreshold >= 0 && ksThreshold <= 1))) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--psi-threshold must be 0 or more and --ks-threshold 0 to 1");
    }
    if (html != null) {
      // Before the work: a wrong extension is a usage error.
      String name = html.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
      if (!name.endsWith(".html") && !name.endsWith(".htm")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "--html " + html + ": name the report .html");
      }
    }
    Path manifestFile = DriftBaselines.manifestOf(baseline);
    DatasetManifest manifest = DatasetManifest.read(manifestFile);
    if (manifest.statistics().isEmpty()) {
      throw new InvalidRequestException(
          "Cannot compare with "
              + manifestFile
              + ": it has no statistics ("
              + StatsCommand.whyNoStatistics(manifest)
              + "); build the training set again with 'quiver historical'");
    }
    Map<String, FeatureStatistics> current = window.compute(spec, repo.load(), manifest.features());
    Map<String, FeatureStatistics> covered = new LinkedHashMap<>(current);
    covered.keySet().retainAll(manifest.features());
    if (covered.isEmpty()) {
      throw new InvalidRequestException(
          "No feature of the baseline "
              + manifestFile
              + " ("
              + String.join(", ", manifest.features())
              + ") is in the "
              + window.describe());
    }
    DriftReport report =
        DriftReport.of(
            manifest,
            manifestFile.toString(),
            covered,
            window.describe(),
            new Drift.Thresholds(psiThreshold, ksThreshold),
            Instant.now());
    if (html != null) {
      writeHtml(report, html.toAbsolutePath());
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(StatsCommand.JSON.writeValueAsString(report.toMap()));
    } else {
      print(report, out);
      if (html != null) {
        out.println("Report: " + html.toAbsolutePath());
      }
    }
    return report.drifted() ? EXIT_DRIFT : 0;
  }

  /** Writes the page atomically: under a temporary name, then moved into place. */
  private static void writeHtml(DriftReport report, Path file) {
    try (PendingFile pending = PendingFile.beside(file)) {
      Files.writeString(pending.temp(), DriftHtml.render(report), StandardCharsets.UTF_8);
      pending.commit();
    } catch (IOException e) {
      throw TrainingSetFiles.cannotWrite(file, e);
    }
  }

  static void print(DriftReport report, PrintWriter out) {
    out.println("Drift of the " + report.current() + " against " + report.baseline() + ":");
    TextTable table = new TextTable("FEATURE", "PSI", "KS", "NULLS", "ROWS", "STATUS");
    for (FeatureDrift f : report.features()) {
      TextTable.Colour colour =
          switch (f.status()) {
            case PASS -> TextTable.Colour.GREEN;
            case DRIFT -> TextTable.Colour.RED;
            case UNCHECKED -> TextTable.Colour.YELLOW;
          };
      table.add(
          java.util.List.of(
              new TextTable.Cell(f.feature(), TextTable.Colour.NONE),
              new TextTable.Cell(
                  f.psi() == null ? "-" : String.format(java.util.Locale.ROOT, "%.4f", f.psi()),
                  f.psiOver(report.thresholds()) ? TextTable.Colour.RED : TextTable.Colour.NONE),
              new TextTable.Cell(
                  f.ks() == null ? "-" : String.format(java.util.Locale.ROOT, "%.4f", f.ks()),
                  f.ksOver(report.thresholds()) ? TextTable.Colour.RED : TextTable.Colour.NONE),
              new TextTable.Cell(nulls(f), TextTable.Colour.NONE),
              new TextTable.Cell(rows(f), TextTable.Colour.NONE),
              new TextTable.Cell(
                  f.status() == FeatureDrift.Status.UNCHECKED
                      ? "not checked: " + f.note()
                      : f.status().jsonName(),
                  colour)));
    }
    table.print(out, Terminal.colour());
    long drifted = report.count(FeatureDrift.Status.DRIFT);
    out.println(
        drifted == 0
            ? "No feature drifted (PSI threshold "
                + report.thresholds().psi()
                + (report.thresholds().ks() == null ? "" : ", KS " + report.thresholds().ks())
                + ")."
            : drifted
                + (drifted == 1 ? " feature" : " features")
                + " drifted (PSI threshold "
                + report.thresholds().psi()
                + (report.thresholds().ks() == null ? "" : ", KS " + report.thresholds().ks())
                + ").");
  }

  private static String nulls(FeatureDrift f) {
    if (f.baseline() == null || f.current() == null) {
      return "-";
    }
    return StatsCommand.percent(f.baseline().nullFraction())
        + " -> "
        + StatsCommand.percent(f.current().nullFraction());
  }

  private static String rows(FeatureDrift f) {
    return (f.baseline() == null ? "-" : Long.toString(f.baseline().count()))
        + " / "
        + (f.current() == null ? "-" : Long.toString(f.current().count()));
  }
}
