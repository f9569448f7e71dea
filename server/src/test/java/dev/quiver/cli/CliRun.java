package dev.quiver.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** The outcome of one in-process {@code quiver} invocation. */
public record CliRun(int exitCode, String out, String err) {

  public static CliRun quiver(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = QuiverCli.commandLine();
    PrintWriter outWriter = new PrintWriter(out, true);
    PrintWriter errWriter = new PrintWriter(err, true);
    commandLine.setOut(outWriter);
    commandLine.setErr(errWriter);
    int exitCode = commandLine.execute(args);
    outWriter.flush();
    errWriter.flush();
    return new CliRun(exitCode, out.toString(), err.toString());
  }
}
