package dev.quiver.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** The outcome of one in-process {@code quiver} invocation. */
public record CliRun(int exitCode, String out, String err) {

  /**
   * {@code quiver} in a JVM of its own, on this test's class path, for tests that kill or signal
   * it; not started yet.
   */
  public static ProcessBuilder quiverProcess(String... args) {
    java.util.List<String> command = new java.util.ArrayList<>();
    command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(QuiverCli.class.getName());
    command.addAll(java.util.List.of(args));
    return new ProcessBuilder(command);
  }

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
