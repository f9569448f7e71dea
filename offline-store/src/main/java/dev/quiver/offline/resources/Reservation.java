package dev.quiver.offline.resources;

import org.apache.arrow.memory.BufferAllocator;

/**
 * One operation's share of the {@link MemoryBudget}: its bytes, and an allocator that cannot go
 * past them. Closing it checks that the operation freed every buffer (Arrow names the allocator,
 * and so the operation, when it did not) and gives the bytes back.
 */
public final class Reservation implements AutoCloseable {

  private final MemoryBudget budget;
  private final String name;
  private final BufferAllocator allocator;
  private long bytes;
  private boolean closed;

  Reservation(MemoryBudget budget, String name, long bytes, BufferAllocator allocator) {
    this.budget = budget;
    this.name = name;
    this.bytes = bytes;
    this.allocator = allocator;
  }

  /** The operation's name, numbered: {@code historical-3}. */
  public String name() {
    return name;
  }

  /** Bytes reserved. */
  public synchronized long bytes() {
    return bytes;
  }

  /** Reserved bytes not allocated in {@link #allocator} now. */
  public synchronized long unallocated() {
    return Math.max(0, bytes - allocator.getAllocatedMemory());
  }

  /** Allocates the operation's Arrow buffers; it fails rather than go past {@link #bytes}. */
  public BufferAllocator allocator() {
    return allocator;
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
    }
  }
}
