package dev.quiver.offline.resources;

import org.apache.arrow.memory.AllocationListener;
import org.apache.arrow.memory.AllocationOutcome;
import org.apache.arrow.memory.BufferAllocator;

/**
 * One operation's share of the {@link MemoryBudget}: its bytes, and an allocator that cannot go
 * past them. When an allocation would, the reservation grows by what the budget has free, without
 * waiting (estimates made before reading can be low: text that decodes larger than its footer says,
 * Arrow rounding buffers up); only when the budget has nothing free does the allocation fail.
 * Closing it checks that the operation freed every buffer (Arrow names the allocator, and so the
 * operation, when it did not) and gives the bytes back.
 */
public final class Reservation implements AutoCloseable {

  /** A reservation grows by at least this much at a time. */
  private static final long MIN_GROWTH = 16L << 20;

  private final MemoryBudget budget;
  private final String name;
  private final BufferAllocator allocator;
  private long bytes;
  private boolean closed;

  Reservation(MemoryBudget budget, String name, long bytes) {
    this.budget = budget;
    this.name = name;
    this.bytes = bytes;
    this.allocator = budget.root().newChildAllocator(name, new Growth(), 0, bytes);
  }

  /** Lets an allocation past the reservation retry once the reservation has grown. */
  private final class Growth implements AllocationListener {
    @Override
    public boolean onFailedAllocation(long size, AllocationOutcome outcome) {
      return tryGrow(size);
    }
  }

  /** The operation's name, numbered: {@code historical-3}. */
  public String name() {
    return name;
  }

  /** Bytes reserved now. */
  public synchronized long bytes() {
    return bytes;
  }

  /** Reserved bytes not allocated in {@link #allocator} now. */
  public synchronized long unallocated() {
    return Math.max(0, bytes - allocator.getAllocatedMemory());
  }

  /**
   * Allocates the operation's Arrow buffers; past {@link #bytes} it grows the reservation from the
   * budget's free memory, and fails only when there is not enough.
   */
  public BufferAllocator allocator() {
    return allocator;
  }

  /**
   * Grows the reservation so that {@code needed} more bytes can be allocated, taking from the
   * budget what is free now (a quarter more than asked, when free, so that growth is rare).
   *
   * @return whether it grew enough
   */
  synchronized boolean tryGrow(long needed) {
    if (closed) {
      return false;
    }
    long shortfall = allocator.getAllocatedMemory() + needed - bytes;
    if (shortfall <= 0) {
      return true;
    }
    long granted = budget.tryTake(shortfall, Math.max(MIN_GROWTH, shortfall + bytes / 4));
    if (granted == 0) {
      return false;
    }
    bytes += granted;
    allocator.setLimit(bytes);
    return true;
  }

  /**
   * Gives back what the operation turned out not to need, so that waiting operations can start.
   * Never shrinks below what is allocated now.
   */
  public synchronized void shrinkTo(long target) {
    long keep = Math.max(target, allocator.getAllocatedMemory());
    if (!closed && keep < bytes) {
      allocator.setLimit(keep);
      long freed = bytes - keep;
      bytes = keep;
      budget.release(freed);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      allocator.close();
    } finally {
      budget.release(bytes);
      budget.released(this);
    }
  }
}
