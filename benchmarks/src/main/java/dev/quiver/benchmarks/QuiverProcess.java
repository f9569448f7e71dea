package dev.quiver.benchmarks;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The {@code quiver} command in its own JVM, as a user runs it: to completion, or as a server. */
final class QuiverProcess {

  private QuiverProcess() {}

  /**
   * {@code ./quiver ARGS...} of the project at {@code root}: the launcher a user runs, with its JVM
   * flags (class data sharing among them); it execs the JVM, so the process is the JVM's.
   */
  static List<String> command(Path root, String... args) {
    return command(root, List.of(), args);
  }

  /** {@link #command(Path, String...)} with JVM options ({@code -Xmx1g}, say). */
  static List<String> command(Path root, List<String> jvmOptions, String... args) {
    List<String> command = new ArrayList<>();
    if (!jvmOptions.isEmpty()) {
      command.addAll(List.of("env", "QUIVER_JAVA_OPTS=" + String.join(" ", jvmOptions)));
    }
    command.add(root.resolve("quiver").toString());
    command.addAll(List.of(args));
    return command;
  }

  /** Runs a command to completion; its stdout is dropped, its stderr shown. */
  static void run(Path root, String... args) throws IOException, InterruptedException {
    List<String> command = command(root, args);
    Process process =
        new ProcessBuilder(command)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (process.waitFor() != 0) {
      throw new IllegalStateException("failed: " + String.join(" ", command));
    }
  }

  /**
   * Starts {@code quiver serve} (its output into {@code log}) and returns once it listens on {@code
   * port}.
   */
  static Process serve(Path root, Path log, int port, String... args) throws Exception {
    return serve(root, List.of(), log, port, args);
  }

  /** {@link #serve(Path, Path, int, String...)} with JVM options. */
  static Process serve(Path root, List<String> jvmOptions, Path log, int port, String... args)
      throws Exception {
    List<String> command = command(root, jvmOptions, "serve", "--port", String.valueOf(port));
    command.addAll(List.of(args));
    Process server =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (!server.isAlive()) {
        throw new IllegalStateException("quiver serve exited; see " + log);
      }
      try (Socket socket = new Socket("127.0.0.1", port)) {
        return server;
      } catch (IOException e) {
        Thread.sleep(200);
      }
    }
    server.destroy();
    throw new IllegalStateException("quiver serve did not listen on " + port + " within 60 s");
  }

  /** A process's peak resident set in MB, from /proc (Linux). */
  static long peakResidentMegabytes(Process process) throws IOException {
    for (String line :
        java.nio.file.Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    throw new IllegalStateException("no VmHWM in /proc/" + process.pid() + "/status");
  }
}
