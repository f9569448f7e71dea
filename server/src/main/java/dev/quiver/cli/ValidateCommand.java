package dev.quiver.cli;

import dev.quiver.registry.rules.ValidationReport;
import dev.quiver.sdk.FeatureStore;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check a window of offline data against the views' expect rules, writing nothing.",
      "",
      "Every source row with START <= ts <= END (both inclusive) of each view is checked, the rows",
      "'materialize START END' would check before writing, and the same report is printed: per",
      "feature and rule, the rows that broke it and up to three example rows (join keys, event",
      "time, value). Rules: not_null, min, max and in count rows (min, max and in skip nulls);",
      "max_null_fraction compares the window's share of nulls with its bound.",
      "",
      "Exit code: 0 when every rule holds, 3 when any rule is broken (whatever the view's",
      "validation: warn or reject), 1 on an error. The online store is not opened: it runs beside",
      "a server."
    })
final class ValidateCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "START",
      description = MaterializeCommand.WINDOW_INSTANT + " e.g. 2026-03-01T00:00:00Z.")
  String start;

  @Parameters(index = "1", paramLabel = "END", description = MaterializeCommand.WINDOW_INSTANT)
  String end;

  @Option(
      names = "--views",
      split = ",",
      paramLabel = "VIEW,...",
      description = "Only these views (default: every view with expect rules, offline-only too).")
  List<String> views = List.of();

  @Mixin RepoOption repo;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Instant from = MaterializeCommand.instant(spec, start, "START");
    Instant to = MaterializeCommand.instant(spec, end, "END");
    List<ValidationReport> reports;
    try (FeatureStore store = FeatureStore.open(repo.root())) {
      reports = store.validate(from, to, views);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (reports.isEmpty()) {
      out.println("No feature view has expect rules.");
      return 0;
    }
    boolean broken = false;
    for (ValidationReport report : reports) {
      report.lines(from + " to " + to).forEach(out::println);
      broken |= !report.passed();
    }
    return broken ? QuiverCli.EXIT_RULES_BROKEN : 0;
  }
}
