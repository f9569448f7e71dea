package dev.quiver.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.quiver.QuiverException;
import dev.quiver.QuiverVersion;
import dev.quiver.registry.load.DefinitionException;
import dev.quiver.registry.load.Problem;
import dev.quiver.registry.rules.ValidationRejectedException;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code quiver} command line. */
@Command(
    name = "quiver",
    mixinStandardHelpOptions = true,
    versionProvider = QuiverCli.Version.class,
    description = {
      "Quiver, a feature store for the JVM.",
      "",
      "Feature definitions live as YAML in Git and are registered centrally with 'apply'.",
      "Results go to stdout; notices, progress and logs go to stderr."
    },
    subcommands = {
      ApplyCommand.class,
      PlanCommand.class,
      RegistryCommand.class,
      MaterializeCommand.class,
      MaterializeIncrementalCommand.class,
      ValidateCommand.class,
      IngestCommand.class,
      OnlineCommand.class,
      HistoricalCommand.class,
      ReproduceCommand.class,
      StatsCommand.class,
      DriftCommand.class,
      ServeCommand.class,
      SchemaCommand.class,
      ConsistencyCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "Run 'quiver COMMAND --help' for the options of a command."})
public final class QuiverCli implements Runnable {

  /** The width help is laid out in; every description line is written to fit it. */
  static final int USAGE_WIDTH = 100;

  /** Commands that write, whose refusal says that nothing was written. */
  static final java.util.Set<String> WRITING_COMMANDS =
      java.util.Set.of("apply", "materialize", "materialize-incremental", "rollback");

  /** Exit code of a refused command: bad input, a failed check, an unreachable store. */
  public static final int EXIT_ERROR = 1;

  /**
   * Exit code when data breaks validation rules: {@code validate} found a broken rule, or a
   * materialization was refused because a {@code validation: reject} view's window broke one.
   */
  public static final int EXIT_RULES_BROKEN = 3;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Log at INFO and print stack traces with errors.")
  void verbose(boolean value) {
    verbose = value;
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(value ? Level.INFO : Level.WARN);
  }

  private boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command");
  }

  public static void main(String[] args) {
    // Arrow checks every buffer access; Quiver's tests run with the checks, the CLI without them
    // (a profile of a large join showed 7% of its time in them).
    if (System.getProperty("arrow.enable_unsafe_memory_access") == null) {
      System.setProperty("arrow.enable_unsafe_memory_access", "true");
    }
    // Libraries logging through java.util.logging obey the same WARN-to-stderr rule.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    CommandLine commandLine = commandLine();
    int exitCode = commandLine.execute(args);
    commandLine.getOut().flush();
    commandLine.getErr().flush();
    System.exit(exitCode);
  }

  /** A configured command line; tests run commands in-process through it. */
  public static CommandLine commandLine() {
    QuiverCli cli = new QuiverCli();
    CommandLine commandLine = new CommandLine(cli);
    // Descriptions are written as lines of up to USAGE_WIDTH: at picocli's 80 columns they would
    // be wrapped again, mid-phrase.
    commandLine.setUsageHelpWidth(USAGE_WIDTH);
    CommandLine.IParameterExceptionHandler usage = commandLine.getParameterExceptionHandler();
    commandLine.setParameterExceptionHandler(
        (exception, args) -> {
          usage.handleParseException(exception, args);
          return EXIT_ERROR;
        });
    commandLine.setExecutionExceptionHandler(
        (exception, failed, parseResult) -> {
          if (QuiverException.in(exception).orElse(null)
                  instanceof ValidationRejectedException rejected
              && !rejected.reports().isEmpty()) {
            PrintWriter err = failed.getErr();
            rejected.reports().forEach(r -> r.lines(null).forEach(err::println));
            err.println(
                "quiver: nothing of "
                    + rejected.reports().stream()
                        .map(r -> r.view())
                        .collect(java.util.stream.Collectors.joining(", "))
                    + " was written: "
                    + (rejected.reports().size() == 1 ? "a view" : "views")
                    + " with validation: reject broke "
                    + (rejected.reports().size() == 1 ? "its" : "their")
                    + " rules (quiver validate shows the same report)");
            err.flush();
            return EXIT_RULES_BROKEN;
          }
          report(
              exception,
              failed.getErr(),
              cli.verbose,
              WRITING_COMMANDS.contains(failed.getCommandName()));
          return EXIT_ERROR;
        });
    return commandLine;
  }

  /**
   * One clear line per problem; the stack trace only when asked for. Every {@link QuiverException},
   * whatever its kind and however deep a library wrapped it, is its message on one line; anything
   * else is an unexpected error.
   */
  static void report(Exception exception, PrintWriter err, boolean verbose, boolean writes) {
    QuiverException quiver = QuiverException.in(exception).orElse(null);
    if (quiver instanceof DefinitionException definitions) {
      for (Problem problem : definitions.problems()) {
        err.println(problem);
      }
      int count = definitions.problems().size();
      // Only a command that writes says that it did not.
      err.println(
          "quiver: "
              + count
              + (count == 1 ? " problem" : " problems")
              + (writes ? "; nothing was written" : ""));
    } else if (quiver != null) {
      err.println("quiver: " + quiver.getMessage());
    } else {
      err.println(
          "quiver: unexpected error: "
              + exception
              + (verbose ? "" : " (run with --verbose for the stack trace)"));
    }
    if (verbose) {
      exception.printStackTrace(err);
    }
    err.flush();
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "quiver " + QuiverVersion.current(), "Java " + System.getProperty("java.version")
      };
    }
  }
}
