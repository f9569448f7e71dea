package dev.quiver.offline.join;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a point-in-time join may use the machine.
 *
 * @param threads threads reading Parquet and searching partitions
 * @param memoryBudget bytes of source data held in memory per view before the join spills to disk,
 *     partitioned by key
 * @param spillDirectory where spill files go; they are deleted when the join ends
 * @param chunkRows entity rows per chunk when the result is streamed ({@link
 *     PointInTimeJoin#runInChunks}); 0 for as many as take about half the memory budget
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

  /** Every core; a budget of 40% of the heap limit; spill files in the system temp folder. */
  public static JoinOptions defaults() {
    return new JoinOptions(
        Runtime.getRuntime().availableProcessors(),
        (long) (Runtime.getRuntime().maxMemory() * 0.4),
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
