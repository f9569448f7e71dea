package dev.quiver.cli;

import dev.quiver.server.StreamIngestion;
import dev.quiver.streaming.IngestionMetrics;
import java.io.PrintWriter;

/**
 * {@code quiver ingest}'s progress on stderr: on a terminal one line redrawn every second (events
 * ingested, their rate, dead letters, lag, p99 delay); in a pipe nothing of it, as for the other
 * commands. Either way a change of health (the broker or the store gone, then back) is a line of
 * its own, so a log shows why ingestion stalls.
 */
final class IngestProgress {

  private final PrintWriter err;
  private final boolean terminal;
  private long lastEvents;
  private long lastNanos = System.nanoTime();
  private int drawn;
  private IngestionMetrics.Status reported;

  IngestProgress(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  void update(StreamIngestion ingestion) {
    IngestionMetrics metrics = ingestion.metrics();
    IngestionMetrics.Status status = ingestion.status();
    if (changed(status)) {
      clear();
      err.println(
          (status.healthy() ? "Ingestion healthy: " : "Ingestion not healthy: ") + status.detail());
      reported = status;
    }
    long now = System.nanoTime();
    long events = metrics.ingested();
    double rate = (events - lastEvents) * 1e9 / Math.max(1, now - lastNanos);
    lastEvents = events;
    lastNanos = now;
    if (terminal) {
      String line =
          String.format(
              "%,d ingested (%,.0f/s), %,d dead letters, lag %,d, p99 delay %.2f s",
              events, rate, metrics.deadLetters(), metrics.lag(), metrics.delayMillis(99) / 1000);
      err.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
      drawn = line.length();
    }
    err.flush();
  }

  /** Whether the health changed since it was last reported ("starting" is not worth a line). */
  private boolean changed(IngestionMetrics.Status status) {
    if (reported == null) {
      return !status.healthy() && !status.detail().equals("starting");
    }
    return reported.healthy() != status.healthy()
        || (!status.healthy() && !reported.detail().equals(status.detail()));
  }

  private void clear() {
    if (drawn > 0) {
      err.print("\r" + " ".repeat(drawn) + "\r");
      drawn = 0;
    }
  }

  void finish() {
    clear();
    err.flush();
  }
}
