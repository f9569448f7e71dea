package dev.quiver.cli;

import dev.quiver.materializer.Materializer;
import dev.quiver.offline.io.EntityFiles;
import dev.quiver.sdk.FeatureStore;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "materialize",
    mixinStandardHelpOptions = true,
    description = {
      "Copy the latest feature values of a time window into the online store.",
      "",
      "Per view and entity key, the latest source row with START <= ts <= END (both",
      "inclusive) is written, whatever its age (ttl applies when reading). A stored row is only",
      "replaced by a newer one, so runs may repeat or come in any order. Views with",
      "online: false are skipped.",
      "",
      "Views with expect rules are checked first, on the window's source rows, and the report is",
      "printed (as 'quiver validate' prints it). When a view with validation: reject breaks a",
      "rule, nothing of that view is written (no log entry), the run's other views are",
      "written, the report goes to stderr and the exit code is 3; warn views are written."
    })
final class MaterializeCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "START",
      description = WINDOW_INSTANT + " e.g. 2026-03-01T00:00:00Z.")
  String start;

  @Parameters(index = "1", paramLabel = "END", description = WINDOW_INSTANT)
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
    Instant from = instant(spec, start, "START");
    Instant to = instant(spec, end, "END");
    repo.requireDurableOnlineStore(
        "materialize",
        "materialize through the server that serves it ('quiver serve', POST /materialize)");
    if (SparkLauncher.selected(repo.root())) {
      return SparkLauncher.materialize("materialize", repo.root(), List.of(from, to), views);
    }
    try (FeatureStore store = FeatureStore.open(repo.root())) {
      print(store.materialize(from, to, views, new ViewProgress()), spec.commandLine().getOut());
    }
    return 0;
  }

  /** How a window's instants are given, for --help. */
  static final String WINDOW_INSTANT =
      "An ISO-8601 instant (no offset is UTC), a date (its midnight, UTC), or now.";

  /**
   * A window's instant: ISO-8601 (without an offset, UTC), a date alone (its midnight, UTC), or
   * {@code now}; a bad one is a usage error naming the argument.
   */
  static Instant instant(CommandLine.Model.CommandSpec spec, String text, String name) {
    return instant(spec, text, name, Clock.systemUTC());
  }

  static Instant instant(
      CommandLine.Model.CommandSpec spec, String text, String name, Clock clock) {
    String value = text.strip();
    if (value.equalsIgnoreCase("now")) {
      return clock.instant();
    }
    try {
      if (value.length() == 10) {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return EntityFiles.parseInstant(value);
    } catch (DateTimeParseException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          name
              + " '"
              + text
              + "' is not an ISO-8601 instant, a date or now (e.g. 2026-03-01T00:00:00Z,"
              + " 2026-03-01)");
    }
  }

  static void print(List<Materializer.ViewResult> results, PrintWriter out) {
    Materializer.summaryLines(results, null).forEach(out::println);
  }
}
