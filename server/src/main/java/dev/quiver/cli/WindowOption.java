package dev.quiver.cli;

import dev.quiver.monitoring.stats.CurrentStatistics;
import dev.quiver.offline.stats.FeatureStatistics;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Definitions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where {@code stats} and {@code drift} read current data from: a window of views' sources ({@code
 * --views A,B START END}) or a feature service's serving logs ({@code --logs S [--since T]}).
 */
final class WindowOption {

  @Option(
      names = "--views",
      arity = "3",
      paramLabel = "VIEWS START END",
      hideParamSyntax = true,
      description =
          "The source rows of these views (comma-separated) with START <= event time <= END"
              + " (both included), each an ISO-8601 instant (no offset is UTC), a date (its"
              + " midnight, UTC) or now.")
  List<String> views;

  @Option(
      names = "--logs",
      paramLabel = "SERVICE",
      description =
          "The rows the feature service logged while serving (Parquet files in its logging"
              + " folder, data/logs/SERVICE/ unless --log-path names another).")
  String service;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description =
          "With --logs: only rows logged at or after TIME: an instant, a date or a duration before"
              + " now such as 2h (default: every logged row).")
  String since;

  @Option(
      names = "--log-path",
      paramLabel = "DIR",
      description =
          "With --logs: the service's logging folder (default: the repo's logging.path, data/logs,"
              + " then SERVICE).")
  Path logPath;

  /** Whether any of the options was given. */
  boolean given() {
    return views != null || service != null;
  }

  /** Checks the combination; a bad one is a usage error. */
  void check(CommandLine.Model.CommandSpec spec) {
    if (views != null && service != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "Give either --views or --logs, not both");
    }
    if (views != null && views.size() != 3) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "Give --views once: VIEWS (comma-separated) START END");
    }
    if (service == null && (since != null || logPath != null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--since and --log-path go with --logs");
    }
  }

  /** What the current side is, for people. */
  String describe() {
    if (views != null) {
      return "source window of " + views.get(0) + " from " + views.get(1) + " to " + views.get(2);
    }
    return "logs of feature service '" + service + "'" + (since == null ? "" : " since " + since);
  }

  /**
   * The statistics of the current data, by feature reference.
   *
   * @param features with --logs, the features wanted
   */
  Map<String, FeatureStatistics> compute(
      CommandLine.Model.CommandSpec spec, FeatureRepo repo, List<String> features) {
    Definitions definitions = repo.definitions();
    Path repoRoot = repo.config().root();
    if (views != null) {
      Instant start = MaterializeCommand.instant(spec, views.get(1), "START");
      Instant end = MaterializeCommand.instant(spec, views.get(2), "END");
      if (end.isBefore(start)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "END " + views.get(2) + " is before START " + views.get(1));
      }
      List<String> names =
          Arrays.stream(views.get(0).split(","))
              .map(String::strip)
              .filter(s -> !s.isEmpty())
              .toList();
      return CurrentStatistics.ofWindow(definitions, repoRoot, names, start, end);
    }
    Instant from = since == null ? null : ConsistencyCommand.since(spec, since, Clock.systemUTC());
    Path folder = logPath != null ? logPath.toAbsolutePath() : repo.config().logFolder(service);
    return CurrentStatistics.ofLogs(definitions, service, folder, from, features);
  }
}
