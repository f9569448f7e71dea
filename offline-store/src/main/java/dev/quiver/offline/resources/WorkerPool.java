package dev.quiver.offline.resources;

import dev.quiver.ConfigurationException;
import dev.quiver.QuiverException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process's worker threads, which every scan, join, materialization and writer shares (as
 * Apache Iceberg's {@code ThreadPools}): sized once, so N concurrent operations share the same
 * threads instead of starting N pools. The size is {@code -Dquiver.worker.threads}, else {@code
 * QUIVER_WORKER_THREADS}, else the number of cores.
 *
 * <p>The thread that calls {@link #runAll} works on its own tasks too. So a call never waits on
 * threads that are all busy elsewhere (it runs its tasks itself then), and a task may itself call
 * {@link #runAll} without the risk of every worker waiting on work queued behind it.
 */
public final class WorkerPool {

  /** The system property that sizes the shared pool. */
  public static final String THREADS_PROPERTY = "quiver.worker.threads";

  /** The environment variable that sizes the shared pool when the property is not set. */
  public static final String THREADS_VARIABLE = "QUIVER_WORKER_THREADS";

  /**
   * Made on first use. Not a holder class: a bad setting would fail its static initializer, after
   * which every use throws NoClassDefFoundError instead of the setting's message.
   */
  private static WorkerPool shared;

  /** A task that may throw an {@link IOException}. */
  @FunctionalInterface
  public interface Task {
    void run() throws IOException;
  }

  private final int threads;
  private final ExecutorService executor;

  /**
   * A pool of its own, for tests and tools; the process should use {@link #shared}.
   *
   * @param threads worker threads, at least 1
   * @param name threads are named {@code name-1}, {@code name-2}...
   */
  public WorkerPool(int threads, String name) {
    if (threads < 1) {
      throw new IllegalArgumentException("A worker pool needs at least one thread: " + threads);
    }
    this.threads = threads;
    AtomicInteger count = new AtomicInteger();
    ThreadFactory factory =
        runnable -> {
          Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        };
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
    // Idle threads end, so a process that used the pool once holds no threads for it.
    pool.allowCoreThreadTimeOut(true);
    this.executor = pool;
  }

  /**
   * The process's pool.
   *
   * @throws ConfigurationException when {@code -Dquiver.worker.threads} or {@code
   *     QUIVER_WORKER_THREADS} is not a number of threads
   */
  public static synchronized WorkerPool shared() {
    if (shared == null) {
      shared =
          new WorkerPool(
              threads(System.getProperty(THREADS_PROPERTY), System.getenv(), availableCores()),
              "quiver-worker");
    }
    return shared;
  }

  /** How many threads work on one {@link #runAll} call at most, the caller included. */
  public int threads() {
    return threads;
  }

  /**
   * Runs every task, at most {@code parallelism} at a time (the calling thread is one of them), and
   * returns only when none of them runs any more, even after a failure: callers free the memory the
   * tasks use right after. Tasks not started when one fails are skipped; the first failure is
   * rethrown (an {@link IOException} as {@link UncheckedIOException}).
   */
  public void runAll(List<? extends Task> tasks, int parallelism) {
    if (tasks.isEmpty()) {
      return;
    }
    int helpers = Math.min(Math.min(parallelism, threads), tasks.size()) - 1;
    Batch batch = new Batch(tasks);
    if (helpers <= 0) {
      batch.drain();
      batch.rethrow();
      return;
    }
    List<Future<?>> futures = new ArrayList<>(helpers);
    try {
      for (int i = 0; i < helpers; i++) {
        futures.add(executor.submit(batch::drain));
      }
      batch.drain();
    } finally {
      // Helpers still queued never start; running ones finish the task in hand.
      batch.close();
      futures.forEach(future -> future.cancel(false));
      batch.awaitIdle();
    }
    batch.rethrow();
  }

  /** The tasks of one {@link #runAll} call, taken in order by whichever thread is free. */
  private static final class Batch {
    private final List<? extends Task> tasks;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean closed;
    private volatile Throwable failure;

    Batch(List<? extends Task> tasks) {
      this.tasks = tasks;
    }

    void drain() {
      while (true) {
        // Counted as active before looking at closed: awaitIdle then sees this thread, or this
        // thread sees closed.
        active.incrementAndGet();
        try {
          if (closed || failure != null) {
            return;
          }
          int index = next.getAndIncrement();
          if (index >= tasks.size()) {
            return;
          }
          tasks.get(index).run();
        } catch (IOException e) {
          fail(new UncheckedIOException(e));
        } catch (Throwable e) {
          fail(e);
        } finally {
          if (active.decrementAndGet() == 0) {
            synchronized (this) {
              notifyAll();
            }
          }
        }
      }
    }

    private synchronized void fail(Throwable e) {
      if (failure == null) {
        failure = e;
      }
    }

    void close() {
      closed = true;
    }

    /** Waits, however long and whatever interrupts come, until no task runs. */
    void awaitIdle() {
      boolean interrupted = false;
      synchronized (this) {
        while (active.get() > 0) {
          try {
            wait(1_000);
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    void rethrow() {
      Throwable e = failure;
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e instanceof Error error) {
        throw error;
      }
      if (e != null) {
        throw new QuiverException("A worker task failed: " + e, e);
      }
    }
  }

  /**
   * Runs {@code task} on a worker and returns its future; the future is also claimable by the
   * caller ({@link Claimable#join}), which runs the task itself when no worker has started it yet.
   */
  public <T> Claimable<T> submit(java.util.concurrent.Callable<T> task) {
    Claimable<T> claimable = new Claimable<>(task);
    executor.execute(claimable);
    return claimable;
  }

  /**
   * A task queued on the pool that its owner can run itself: a caller waiting for it never waits on
   * a queue behind busy workers.
   */
  public static final class Claimable<T> extends java.util.concurrent.FutureTask<T> {
    Claimable(java.util.concurrent.Callable<T> task) {
      super(task);
    }

    /**
     * The task's result: runs it here unless a worker already has, then waits for it.
     *
     * @throws RuntimeException the task's own failure, as it was thrown
     */
    public T join() {
      run();
      boolean interrupted = false;
      try {
        while (true) {
          try {
            return get();
          } catch (InterruptedException e) {
            interrupted = true;
          } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
              throw runtime;
            }
            if (cause instanceof Error error) {
              throw error;
            }
            throw new QuiverException("A worker task failed: " + cause, cause);
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  static int availableCores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** The pool size the property, else the environment, gives; {@code cores} when neither does. */
  static int threads(String property, Map<String, String> environment, int cores) {
    String text = property != null ? property : environment.get(THREADS_VARIABLE);
    String source = property != null ? "-D" + THREADS_PROPERTY : THREADS_VARIABLE;
    if (text == null || text.isBlank()) {
      return cores;
    }
    try {
      int value = Integer.parseInt(text.trim());
      if (value >= 1 && value <= 1024) {
        return value;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new ConfigurationException(
        "Cannot size the worker pool: "
            + source
            + " must be a number of threads from 1 to 1024, got '"
            + text
            + "'");
  }
}
