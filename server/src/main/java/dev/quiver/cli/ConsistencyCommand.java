package dev.quiver.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.monitoring.consistency.ConsistencyCheck;
import dev.quiver.monitoring.consistency.ConsistencyReport;
import dev.quiver.monitoring.consistency.ConsistencyReports;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.DurationText;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.FeatureStoreOptions;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "consistency",
    mixinStandardHelpOptions = true,
    description = {
      "Check that what the server served is what training would have seen.",
      "",
      "Replays the rows the server logged for a feature service with logging: (see",
      "logging.path in feature_store.yaml) through the point-in-time join, each row's request",
      "time as its entity timestamp, and compares per feature the value served with the value",
      "the join gives: rows, mismatches (exact; floats within 1e-6 relative; a missing value on",
      "either side counts), served missing (no value served, one offline), offline missing (a",
      "value served, none offline) and, for numbers, SMAPE in percent over the rows with both.",
      "A line names materialization lag when mismatches of a view are rows served after the",
      "end of its materialization that the join, replayed at that end, agrees with.",
      "Each report is saved in the service's log folder (consistency-report.json, replacing",
      "the one before), where the server's /api/v1/projects/{project}/consistency shows it.",
      "",
      "Exit codes: 0 checked, 3 when a feature's mismatch rate is over --fail-above, 1 on an",
      "error (unknown service, a service without logging, no logs)."
    })
final class ConsistencyCommand implements Callable<Integer> {

  static final int EXIT_OVER_THRESHOLD = 3;

  @Option(
      names = "--service",
      required = true,
      paramLabel = "NAME",
      description = "The feature service whose logged rows to check.")
  String service;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description = {
        "Only rows served at or after TIME: an ISO-8601 instant (2026-05-10T12:00:00Z), a date",
        "(its midnight, UTC), or a duration before now (30m, 2h, 1d). Default: every logged row."
      })
  String since;

  @Option(
      names = "--fail-above",
      paramLabel = "RATE",
      description = "Exit 3 when a feature's mismatch rate is over RATE (0 to 1; 0 allowed).")
  Double failAbove;

  @Option(names = "--json", description = "Print the report as JSON, and nothing else.")
  boolean json;

  @Mixin RepoOption repo;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (failAbove != null && !(failAbove >= 0 && failAbove <= 1)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--fail-above " + failAbove + " is not a rate from 0 to 1");
    }
    Instant from = since == null ? null : since(spec, since, Clock.systemUTC());
    ConsistencyReport report;
    ProjectConfig config = FeatureRepo.loadConfig(repo.root(), System.getenv());
    Instant checkedAt = Instant.now();
    try (FeatureStore store =
        FeatureStore.open(repo.root(), FeatureStoreOptions.defaults().readOnly())) {
      report = new ConsistencyCheck(store, config).run(service, from);
    }
    // The server's API and console show the newest report of each service.
    Path saved = ConsistencyReports.save(config.logFolder(service), report, checkedAt);
    PrintWriter err = spec.commandLine().getErr();
    err.println("Saved the report to " + saved);
    err.flush();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(json(report));
    } else {
      print(report, out);
    }
    out.flush();
    return failAbove != null && report.anyRateAbove(failAbove) ? EXIT_OVER_THRESHOLD : 0;
  }

  /** An instant, a date, now, or a duration before now. */
  static Instant since(CommandLine.Model.CommandSpec spec, String text, Clock clock) {
    Optional<Duration> ago = DurationText.parse(text.strip());
    if (ago.isPresent()) {
      return clock.instant().minus(ago.get());
    }
    try {
      return MaterializeCommand.instant(spec, text, "--since", clock);
    } catch (CommandLine.ParameterException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--since '"
              + text
              + "' is not an ISO-8601 instant, a date, now or a duration before now (e.g."
              + " 2026-03-01T00:00:00Z, 2026-03-01, 2h)");
    }
  }

  /** The report in the shape the issue gives ({@link ConsistencyReport#toMap}). */
  static String json(ConsistencyReport report) {
    try {
      return new ObjectMapper().writeValueAsString(report.toMap());
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void print(ConsistencyReport report, PrintWriter out) {
    out.println(
        "Consistency of feature service "
            + report.service()
            + ": "
            + report.rows()
            + " logged rows replayed from "
            + report.files()
            + (report.files() == 1 ? " file" : " files"));
    TextTable table =
        new TextTable(
            "feature",
            "rows",
            "mismatches",
            "rate",
            "served missing",
            "offline missing",
            "smape %");
    for (ConsistencyReport.FeatureConsistency f : report.features()) {
      table.add(
          f.feature(),
          String.valueOf(f.rows()),
          String.valueOf(f.mismatches()),
          String.format(Locale.ROOT, "%.4f", f.mismatchRate()),
          String.valueOf(f.servedMissing()),
          String.valueOf(f.offlineMissing()),
          f.smape() == null ? "-" : String.format(Locale.ROOT, "%.4f", f.smape()));
    }
    table.print(out, Terminal.colour());
    long mismatched = report.features().stream().filter(f -> f.mismatches() > 0).count();
    out.println(
        mismatched == 0
            ? "Every feature served matches the point-in-time join."
            : mismatched + " of " + report.features().size() + " features have mismatches.");
    report.lag().forEach(lag -> out.println(lag.describe()));
    report.notes().forEach(out::println);
  }
}
