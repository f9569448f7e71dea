package dev.quiver.offline.join;

import dev.quiver.offline.resources.WorkerPool;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a point-in-time join may use the machine. Its memory comes from the operation's {@link
 * dev.quiver.offline.resources.Reservation}; {@code memoryBudget} can only lower what that gives.
 *
 * @param threads how many of the process's {@link WorkerPool} threads (the caller's included) read
 *     Parquet and search partitions at once
 * @param memoryBudget the most bytes the join holds beside its entity rows ({@link Long#MAX_VALUE}:
 *     as much as its reservation allows); source rows beyond their share spill to disk, partitioned
 *     by key
 * @param spillDirectory where spill files go; they are deleted when the join ends
 * @param chunkRows entity rows per chunk when the result is streamed ({@link
 *     PointInTimeJoin#runInChunks}); 0 for as many as take about half the working memory
 */
public record JoinOptions(int threads, long memoryBudget, Path spillDirectory, int chunkRows) {

  public JoinOptions(int threads, long memoryBudget, Path spillDirectory) {
    this(threads, memoryBudget, spillDirectory, 0);
  }

  public JoinOptions {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1");
    }
    if (memoryBudget < 1) {
      throw new IllegalArgumentException("memoryBudget must be positive");
    }
    Objects.requireNonNull(spillDirectory, "spillDirectory");
    if (chunkRows < 0) {
      throw new IllegalArgumentException("chunkRows cannot be negative");
    }
  }

  /**
   * Every thread of the process's worker pool, the memory the operation's reservation gives, spill
   * files in the system temp folder.
   */
  public static JoinOptions defaults() {
    return new JoinOptions(
        WorkerPool.shared().threads(),
        Long.MAX_VALUE,
        Path.of(System.getProperty("java.io.tmpdir")));
  }

  public JoinOptions withMemoryBudget(long bytes) {
    return new JoinOptions(threads, bytes, spillDirectory, chunkRows);
  }

  public JoinOptions withThreads(int count) {
    return new JoinOptions(count, memoryBudget, spillDirectory, chunkRows);
  }

  public JoinOptions withSpillDirectory(Path directory) {
    return new JoinOptions(threads, memoryBudget, directory, chunkRows);
  }

  public JoinOptions withChunkRows(int rows) {
    return new JoinOptions(threads, memoryBudget, spillDirectory, rows);
  }
}
