package dev.quiver.materializer;

import dev.quiver.offline.resources.WorkerPool;

/**
 * How a materialization may use the machine. Its memory comes from a reservation of the process's
 * {@link dev.quiver.offline.resources.MemoryBudget} per view; {@code memoryBudget} can only lower
 * it.
 *
 * @param threads how many of the process's {@link WorkerPool} threads (the caller's included) read
 *     and encode at once
 * @param memoryBudget the most bytes the rows kept per key may take before they are written out
 *     early ({@link Long#MAX_VALUE}: as much as the reservation allows)
 */
public record MaterializationOptions(int threads, long memoryBudget) {

  public MaterializationOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1");
    }
    if (memoryBudget < 1) {
      throw new IllegalArgumentException("memoryBudget must be positive");
    }
  }

  /** Every thread of the process's worker pool, as much memory as the reservation gives. */
  public static MaterializationOptions defaults() {
    return new MaterializationOptions(WorkerPool.shared().threads(), Long.MAX_VALUE);
  }
}
