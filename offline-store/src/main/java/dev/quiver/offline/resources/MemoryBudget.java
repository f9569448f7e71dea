package dev.quiver.offline.resources;

import dev.quiver.ConfigurationException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * The memory the process lets its operations hold (training sets, materializations), shared by all
 * of them: each operation reserves a part before it allocates, and gets a child allocator whose
 * limit is its reservation, so N concurrent operations never hold more than the budget together and
 * a leak or an overrun names the operation that caused it. An operation that cannot get the least
 * it needs waits (first come, first served) until others release enough.
 *
 * <p>The process's budget ({@link #process}) is {@code -Dquiver.memory.limit}, else {@code
 * QUIVER_MEMORY_LIMIT} (bytes, or with a unit: {@code 512m}, {@code 2g}), else half the JVM's
 * maximum heap. Arrow's buffers live outside the heap; the heap's size is the measure of the memory
 * the user gave the process.
 */
public final class MemoryBudget implements AutoCloseable {

  /** The system property that sets the process's budget. */
  public static final String LIMIT_PROPERTY = "quiver.memory.limit";

  /** The environment variable that sets the process's budget when the property is not set. */
  public static final String LIMIT_VARIABLE = "QUIVER_MEMORY_LIMIT";

  /**
   * Made on first use. Not a holder class: a bad setting would fail its static initializer, after
   * which every use throws NoClassDefFoundError instead of the setting's message.
   */
  private static MemoryBudget process;

  private final long limit;
  private final RootAllocator root = new RootAllocator();
  private final Deque<Object> waiting = new ArrayDeque<>();
  private final AtomicLong sequence = new AtomicLong();
  private final ThreadLocal<int[]> heldByThisThread = ThreadLocal.withInitial(() -> new int[1]);
  private long reserved;
  private long waits;

  /**
   * A budget of its own, for tests and tools; the process should use {@link #process}.
   *
   * @param limit bytes, at least 1
   */
  public MemoryBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("A memory budget must be positive: " + limit);
    }
    this.limit = limit;
  }

  /**
   * The process's budget.
   *
   * @throws ConfigurationException when {@code -Dquiver.memory.limit} or {@code
   *     QUIVER_MEMORY_LIMIT} is not a size
   */
  public static synchronized MemoryBudget process() {
    if (process == null) {
      process =
          new MemoryBudget(
              limit(
                  System.getProperty(LIMIT_PROPERTY),
                  System.getenv(),
                  Runtime.getRuntime().maxMemory()));
    }
    return process;
  }

  public long limit() {
    return limit;
  }

  /** Bytes reserved now, by every operation together. */
  public synchronized long reserved() {
    return reserved;
  }

  /** How many operations have had to wait for memory since the budget was made. */
  public synchronized long waits() {
    return waits;
  }

  /** Operations waiting for memory now. */
  public synchronized int waitingOperations() {
    return waiting.size();
  }

  /**
   * The root of this budget's allocators, for memory that outlives an operation (a training set
   * handed to the caller): reservations' buffers can be transferred to its children.
   */
  public BufferAllocator root() {
    return root;
  }

  /**
   * Reserves memory for an operation: {@code wanted} bytes when that much is free, else as much as
   * is free once at least {@code atLeast} is, waiting for other operations to release it.
   *
   * @param operation names the operation in messages and in its allocator's name
   * @throws MemoryLimitException when {@code atLeast} exceeds the whole budget, or the wait is
   *     interrupted (the interrupt flag is kept)
   */
  public Reservation reserve(String operation, long wanted, long atLeast) {
    if (atLeast > limit) {
      throw new MemoryLimitException(
          "Cannot start "
              + operation
              + ": it needs at least "
              + megabytes(atLeast)
              + " of memory and the process's memory limit is "
              + megabytes(limit)
              + "; raise it with "
              + LIMIT_VARIABLE
              + " (for example "
              + LIMIT_VARIABLE
              + "=2g) or the JVM's -Xmx");
    }
    long granted;
    Object ticket = new Object();
    synchronized (this) {
      boolean mustWait =
          !waiting.isEmpty() || limit - reserved < Math.max(Math.min(atLeast, limit), 1);
      if (mustWait && heldByThisThread.get()[0] > 0) {
        // Waiting here would never end if the memory this thread holds is what is missing.
        throw new MemoryLimitException(
            "Cannot start "
                + operation
                + ": this thread already holds memory for another operation that has not"
                + " ended (one started from inside another, such as a training set's consumer),"
                + " and waiting for more could wait for itself; start it after the first ends");
      }
      if (mustWait) {
        waits++;
      }
      waiting.addLast(ticket);
      try {
        while (waiting.peekFirst() != ticket || limit - reserved < Math.max(atLeast, 1)) {
          wait();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MemoryLimitException(
            "Interrupted while " + operation + " waited for memory to be released", e);
      } finally {
        waiting.remove(ticket);
        notifyAll();
      }
      granted = Math.max(1, Math.min(Math.max(wanted, atLeast), limit - reserved));
      reserved += granted;
    }
    String name = operation + "-" + sequence.incrementAndGet();
    try {
      Reservation reservation = new Reservation(this, name, granted);
      heldByThisThread.get()[0]++;
      return reservation;
    } catch (RuntimeException | Error e) {
      release(granted);
      throw e;
    }
  }

  /**
   * Takes at least {@code least} and at most {@code most} bytes of what is free now, for a
   * reservation that grows; 0 when not even {@code least} is free. Never waits.
   */
  synchronized long tryTake(long least, long most) {
    long free = limit - reserved;
    if (free < least) {
      return 0;
    }
    long taken = Math.min(most, free);
    reserved += taken;
    return taken;
  }

  synchronized void release(long bytes) {
    reserved -= bytes;
    notifyAll();
  }

  /** Counts a closed reservation off the thread that made it (when that thread closes it). */
  void released(Reservation reservation) {
    int[] held = heldByThisThread.get();
    if (held[0] > 0) {
      held[0]--;
    }
  }

  /** Frees the root allocator; every reservation must be closed first. */
  @Override
  public void close() {
    root.close();
  }

  /** {@code bytes} in megabytes, rounded up, for messages: {@code 1,024 MB}. */
  public static String megabytes(long bytes) {
    return String.format(Locale.ROOT, "%,d MB", (bytes + (1 << 20) - 1) >> 20);
  }

  /**
   * The budget the property, else the environment, sets; half of {@code maxHeap} when neither does.
   *
   * @throws ConfigurationException for a value that is not a size
   */
  static long limit(String property, Map<String, String> environment, long maxHeap) {
    String text = property != null ? property : environment.get(LIMIT_VARIABLE);
    if (text == null || text.isBlank()) {
      return Math.max(1, maxHeap / 2);
    }
    String source = property != null ? "-D" + LIMIT_PROPERTY : LIMIT_VARIABLE;
    return parseSize(text, source);
  }

  /** {@code 1048576}, {@code 64k}, {@code 512m}, {@code 2g}, {@code 1t} (case-insensitive). */
  static long parseSize(String text, String source) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    if (!value.isEmpty() && "kmgt".indexOf(value.charAt(value.length() - 1)) >= 0) {
      unit = 1L << (10 * ("kmgt".indexOf(value.charAt(value.length() - 1)) + 1));
      value = value.substring(0, value.length() - 1);
    } else if (value.endsWith("b")) {
      value = value.substring(0, value.length() - 1);
    }
    try {
      long number = Long.parseLong(value);
      if (number > 0 && number <= Long.MAX_VALUE / unit) {
        return number * unit;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new ConfigurationException(
        "Cannot read the memory limit: "
            + source
            + " must be a positive size such as 512m or 2g, got '"
            + text
            + "'");
  }
}
