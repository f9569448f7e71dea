package dev.quiver.monitoring.logging;

import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureLogging;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the rows served for feature services with {@code logging:} to Parquet, one folder per
 * service ({@link FeatureLogSchema} gives the columns). The request path only {@link #offer}s an
 * answered request to a bounded queue, which never blocks: when the queue is full the request's
 * rows are dropped and counted. One thread of the logger's own drains the queue, draws each row
 * with its service's sample rate (a generator seeded once per logger, so a run can be replayed from
 * its seed), and writes the files, finishing one when it reaches {@link LogSettings#rollBytes} or
 * {@link LogSettings#rollInterval}. {@link #close} writes every row offered before it and finishes
 * the files.
 */
public final class FeatureLogger implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FeatureLogger.class);
  private static final long TICK_MILLIS = 100;

  /** What happened to one service's rows since the logger started. */
  public static final class Counts {
    final LongAdder logged = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder lost = new LongAdder();

    /** Rows in a finished log file (after sampling), counted when the file is committed. */
    public long logged() {
      return logged.sum();
    }

    /** Rows not logged because the queue was full (requests or rows) or the logger closed. */
    public long dropped() {
      return dropped.sum();
    }

    /**
     * Rows taken from the queue (and sampled) but in no finished file: a row that could not be
     * written, or the rows of a file whose writing or finishing failed.
     */
    public long lost() {
      return lost.sum();
    }
  }

  private final Function<String, Path> folderOf;
  private final LogSettings settings;
  private final Clock clock;
  private final BlockingQueue<ServedRows> queue;
  private final Map<String, Counts> counts = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<CountDownLatch> flushes = new ConcurrentLinkedQueue<>();
  private final BufferAllocator allocator =
      MemoryBudget.process().root().newChildAllocator("feature-log", 0, Long.MAX_VALUE);
  private final AtomicLong queuedRows = new AtomicLong();
  // offer() holds the read lock while it checks closing and queues, close() takes the write lock to
  // set closing: the drain's last pass, which starts after, sees every request queued.
  private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
  private final String run;
  private final Thread thread;
  private volatile boolean closing;

  // Used by the logger's thread only.
  private final Map<String, ServiceLog> logs = new HashMap<>();
  private final Map<String, Definitions> schemaVersions = new HashMap<>();
  private final SplittableRandom random;
  private long requests;

  /**
   * Starts the logger's thread.
   *
   * @param folderOf the folder of a service's logs ({@code ProjectConfig#logFolder})
   */
  public FeatureLogger(Function<String, Path> folderOf, LogSettings settings, Clock clock) {
    this.folderOf = Objects.requireNonNull(folderOf, "folderOf");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
    this.random = new SplittableRandom(settings.seed());
    this.run = HexFormat.of().toHexDigits((int) new SplittableRandom().nextInt());
    this.thread = new Thread(this::drain, "quiver-feature-log");
    thread.setDaemon(true);
    thread.start();
    LOG.debug("Feature logging started (run {}, sampling seed {})", run, settings.seed());
  }

  /** Whether {@code service} logs its rows under {@code definitions}, and how. */
  public static FeatureLogging loggingOf(Definitions definitions, String service) {
    return definitions.featureService(service).map(s -> s.logging()).orElse(null);
  }

  /**
   * Hands an answered request over to be logged, without waiting: when the queue is full (its
   * {@link LogSettings#queueCapacity} requests or its {@link LogSettings#queueRows} rows), or the
   * logger is closing, its rows are counted as dropped instead.
   *
   * @return whether it was queued
   */
  public boolean offer(ServedRows served) {
    Counts count = counts(served.service());
    int rows = served.rows();
    closeLock.readLock().lock();
    try {
      if (!closing) {
        if (queuedRows.addAndGet(rows) <= settings.queueRows() && queue.offer(served)) {
          return true;
        }
        queuedRows.addAndGet(-rows);
      }
    } finally {
      closeLock.readLock().unlock();
    }
    count.dropped.add(rows);
    return false;
  }

  /** The counts of a service, made on first use. */
  public Counts counts(String service) {
    return counts.computeIfAbsent(service, s -> new Counts());
  }

  /**
   * Waits until every request offered before the call is written and every file finished (moved
   * into place under its final name).
   *
   * @throws IllegalStateException when the logger is closed
   */
  public void flush() throws InterruptedException {
    if (!thread.isAlive()) {
      throw new IllegalStateException("The feature logger is closed");
    }
    CountDownLatch done = new CountDownLatch(1);
    flushes.add(done);
    while (!done.await(TICK_MILLIS, TimeUnit.MILLISECONDS)) {
      if (!thread.isAlive()) {
        return;
      }
    }
  }

  /** Writes what was offered, finishes the files and stops the thread. */
  @Override
  public void close() {
    closeLock.writeLock().lock();
    try {
      closing = true;
    } finally {
      closeLock.writeLock().unlock();
    }
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    allocator.close();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void drain() {
    long rollMillis = settings.rollInterval().toMillis();
    List<ServedRows> taken = new ArrayList<>();
    while (true) {
      try {
        ServedRows next = queue.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
        if (next != null) {
          take(next);
        }
        long now = clock.millis();
        for (ServiceLog log : logs.values()) {
          finishing(log, () -> log.rollIfOlder(now, rollMillis));
        }
        CountDownLatch flush = flushes.poll();
        boolean stop = closing;
        if (flush != null || stop) {
          taken.clear();
          queue.drainTo(taken);
          taken.forEach(this::take);
          if (stop && !queue.isEmpty()) {
            continue;
          }
          logs.values().forEach(log -> finishing(log, log::finish));
          if (flush != null) {
            flush.countDown();
          }
          if (stop) {
            logs.values().forEach(ServiceLog::close);
            logs.clear();
            flushes.forEach(CountDownLatch::countDown);
            return;
          }
        }
      } catch (InterruptedException e) {
        // Only close() stops the thread, after the rows are written.
      } catch (RuntimeException e) {
        LOG.warn("Feature logging: {}", e.toString(), e);
      }
    }
  }

  private interface FileStep {
    void run() throws IOException;
  }

  /**
   * Runs a step that may finish a file; a failure drops that file (its rows are counted lost) and
   * is reported.
   */
  private void finishing(ServiceLog log, FileStep step) {
    try {
      step.run();
    } catch (IOException | RuntimeException e) {
      log.close();
      LOG.warn(
          "Cannot write the feature log of service '{}' in {}: {}; its rows since the last file are"
              + " lost",
          log.schema().service(),
          folderOf.apply(log.schema().service()),
          e.toString());
    }
  }

  private void take(ServedRows served) {
    queuedRows.addAndGet(-served.rows());
    write(served);
  }

  private void write(ServedRows served) {
    String requestId = run + "-" + Long.toHexString(requests++);
    FeatureLogging logging = loggingOf(served.definitions(), served.service());
    if (logging == null) {
      return;
    }
    Counts count = counts(served.service());
    ServiceLog log = logOf(served, count);
    int[] indexes = log == null ? null : log.keyIndexes(served.response());
    if (indexes == null) {
      return;
    }
    long now = clock.millis();
    double rate = logging.sampleRate();
    for (int row = 0; row < served.rows(); row++) {
      if (rate < 1.0 && random.nextDouble() >= rate) {
        continue;
      }
      int r = row;
      // A row that cannot be written is counted lost by append, and the file goes on; a failure to
      // write or finish the file loses the file's rows (counted by the log).
      finishing(
          log,
          () -> log.append(requestId, served.requestTime(), served.response(), indexes, r, now));
    }
  }

  /** The service's log for the request's registry version: a new file when the columns changed. */
  private ServiceLog logOf(ServedRows served, Counts count) {
    String service = served.service();
    ServiceLog log = logs.get(service);
    if (log != null && schemaVersions.get(service) == served.definitions()) {
      return log;
    }
    FeatureLogSchema schema;
    try {
      schema = FeatureLogSchema.of(served.definitions(), service);
    } catch (RuntimeException e) {
      LOG.warn("Cannot log feature service '{}': {}", service, e.getMessage());
      return null;
    }
    schemaVersions.put(service, served.definitions());
    if (log != null && log.schema().arrow().equals(schema.arrow())) {
      return log;
    }
    if (log != null) {
      ServiceLog old = log;
      finishing(old, old::finish);
      old.close();
    }
    ServiceLog made =
        new ServiceLog(
            folderOf.apply(service), schema, allocator, run, settings.rollBytes(), count);
    logs.put(service, made);
    return made;
  }
}
