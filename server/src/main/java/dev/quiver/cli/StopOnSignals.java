package dev.quiver.cli;

import dev.quiver.server.StreamIngestion;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Stops ingestion gracefully on Ctrl-C (SIGINT) or SIGTERM, so that the command returns and exits 0
 * once the batch in hand is committed; a second signal exits at once (the batch is then read again
 * next time, which exactly-once makes harmless). A shutdown hook does the same for any other way
 * the JVM is asked to exit. Closing it restores what it replaced.
 */
final class StopOnSignals implements AutoCloseable {

  private static final List<String> SIGNALS = List.of("INT", "TERM");

  private final StreamIngestion ingestion;
  private final PrintWriter err;
  private final List<Installed> installed = new ArrayList<>();
  private final Thread hook;

  private record Installed(Signal signal, SignalHandler previous) {}

  StopOnSignals(StreamIngestion ingestion, Duration timeout, PrintWriter err) {
    this.ingestion = ingestion;
    this.err = err;
    for (String name : SIGNALS) {
      try {
        Signal signal = new Signal(name);
        installed.add(new Installed(signal, Signal.handle(signal, this::stop)));
      } catch (IllegalArgumentException unsupported) {
        // A platform without the signal, or a JVM that keeps it (-Xrs): the hook stops ingestion.
      }
    }
    this.hook =
        new Thread(
            () -> {
              try {
                ingestion.stop(timeout);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "quiver-ingest-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** The first signal: ask ingestion to commit and stop; the next one takes the default way. */
  private void stop(Signal received) {
    restore();
    err.println("Stopping (SIG" + received.getName() + "): committing the batch in hand...");
    err.flush();
    // Returns at once: the command's thread sees ingestion end, closes the stores and returns.
    ingestion.requestStop();
  }

  private synchronized void restore() {
    for (Installed each : installed) {
      Signal.handle(each.signal(), each.previous());
    }
    installed.clear();
  }

  @Override
  public void close() {
    restore();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs already: it stops ingestion as this would.
    }
  }
}
