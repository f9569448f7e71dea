package dev.quiver.offline;

import dev.quiver.QuiverException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs independent tasks on a few threads and returns only when none of them is running any more,
 * even after a failure: callers free the memory the tasks use right after, so a task still running
 * then would write into freed buffers.
 */
public final class ParallelTasks {

  /** A task that may throw an {@link IOException}. */
  @FunctionalInterface
  public interface Task {
    void run() throws IOException;
  }

  private ParallelTasks() {}

  /**
   * Runs every task on up to {@code threads} threads; tasks not started when one fails are skipped.
   * Rethrows the first failure (IO failures as {@link UncheckedIOException}).
   */
  public static void run(List<? extends Task> tasks, int threads) {
    if (tasks.isEmpty()) {
      return;
    }
    if (threads == 1 || tasks.size() == 1) {
      for (Task task : tasks) {
        runOne(task);
      }
      return;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, tasks.size()));
    List<Future<?>> futures = new ArrayList<>();
    Throwable failure = null;
    try {
      for (Task task : tasks) {
        futures.add(pool.submit(() -> runOne(task)));
      }
      for (Future<?> future : futures) {
        try {
          future.get();
        } catch (ExecutionException e) {
          failure = e.getCause();
          break;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = new QuiverException("Interrupted", e);
          break;
        }
      }
    } finally {
      // Queued tasks never start; running ones are waited for, whatever happened.
      futures.forEach(f -> f.cancel(false));
      pool.shutdown();
      awaitQuietly(pool);
    }
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
  }

  private static void runOne(Task task) {
    try {
      task.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until every task of a shut-down pool has ended, however long, keeping interrupts. */
  public static void awaitQuietly(ExecutorService pool) {
    boolean interrupted = false;
    while (true) {
      try {
        if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
