package dev.quiver.streaming;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/** An ingestor running on a thread of the test, stopped (gracefully) and closed by close. */
final class Running implements AutoCloseable {

  private final Ingestor ingestor;
  private final Thread thread;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private Running(Ingestor ingestor, String name) {
    this.ingestor = ingestor;
    this.thread =
        new Thread(
            () -> {
              try {
                ingestor.run();
              } catch (Throwable e) {
                failure.set(e);
              }
            },
            name);
    thread.start();
  }

  static Running start(Ingestor ingestor) {
    return new Running(ingestor, "ingest");
  }

  static Running start(Ingestor ingestor, String name) {
    return new Running(ingestor, name);
  }

  boolean isAlive() {
    return thread.isAlive();
  }

  /** Waits until {@code condition} holds, two minutes at most. */
  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for ingestion");
      }
      Thread.sleep(50);
    }
  }

  /** Stops the ingestor (its windows commit), waits for it, and reports a failure it ended with. */
  @Override
  public void close() throws InterruptedException {
    ingestor.stop();
    thread.join(30_000);
    ingestor.close();
    if (failure.get() != null) {
      throw new AssertionError("ingestion failed", failure.get());
    }
  }
}
