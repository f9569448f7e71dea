package dev.quiver.offline.scan;

import dev.quiver.offline.io.FileRead;
import dev.quiver.offline.parquet.ParquetField;
import dev.quiver.offline.parquet.ParquetTableReader;
import dev.quiver.offline.parquet.ReadChecksum;
import dev.quiver.offline.resources.WorkerPool;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * One reading of a {@link ScanPlan}: its row groups decoded into Arrow batches in parallel on the
 * process's {@link WorkerPool}, each handed to a {@link BatchConsumer} with its row ordinals, and
 * the checksum of what was read kept per file. A scan's counters and checksums are its own: to read
 * a plan again (a retry), start a new scan.
 */
public final class SourceScan {

  /**
   * Takes each batch read, on whichever thread read it.
   *
   * @see SourceScan#run
   */
  @FunctionalInterface
  public interface BatchConsumer {
    /**
     * @return true to keep the batch's vectors (the consumer then closes them), false to let the
     *     scan close them when this returns
     */
    boolean accept(ScanBatch batch) throws IOException;
  }

  /**
   * One row group read.
   *
   * @param root the plan's columns, named by {@link dev.quiver.offline.parquet.ColumnSpec#name()}
   * @param checksum CRC32C of the bytes read for it
   */
  public record ScanBatch(ScanPlan.Task task, VectorSchemaRoot root, long checksum) {

    /** The ordinal of row {@code row}: file-path order, then row order ({@link ScanPlan.Task}). */
    public long ordinal(int row) {
      return task.ordinal(row);
    }
  }

  /**
   * What a scan read of one file.
   *
   * @param rowGroupsRead row groups read; the others were not planned or not reached
   */
  public record ScannedFile(FileRead file, int rowGroupsRead, int rowGroups) {}

  private final ScanPlan plan;
  private final BufferAllocator allocator;
  private final List<ReadChecksum> checksums = new ArrayList<>();
  private volatile boolean stopped;

  /**
   * @param allocator where the batches' vectors are allocated
   */
  public SourceScan(ScanPlan plan, BufferAllocator allocator) {
    this.plan = plan;
    this.allocator = allocator;
    for (int f = 0; f < plan.files().size(); f++) {
      checksums.add(new ReadChecksum(plan.files().get(f), plan.rowGroups(f)));
    }
  }

  public ScanPlan plan() {
    return plan;
  }

  /**
   * Reads every planned row group, at most {@code parallelism} at a time on {@code pool}, and hands
   * each to {@code consumer}; returns when every batch was handed over or, after {@link #stop} or a
   * failure, when no reading runs any more. The first failure (of reading or of the consumer) is
   * rethrown.
   */
  public void run(WorkerPool pool, int parallelism, BatchConsumer consumer) {
    List<WorkerPool.Task> work = new ArrayList<>(plan.tasks().size());
    for (ScanPlan.Task task : plan.tasks()) {
      work.add(() -> read(task, consumer));
    }
    pool.runAll(work, parallelism);
  }

  /** Stops handing out batches: row groups not started yet are not read. */
  public void stop() {
    stopped = true;
  }

  public boolean stopped() {
    return stopped;
  }

  private void read(ScanPlan.Task task, BatchConsumer consumer) throws IOException {
    if (stopped) {
      return;
    }
    ParquetTableReader.RowGroup group;
    try (ParquetTableReader reader = ParquetTableReader.open(plan.files().get(task.file()))) {
      List<ParquetField> fields = reader.resolve(plan.columns(), plan.what());
      group = reader.read(task.rowGroup(), plan.columns(), fields, allocator);
      checksums.get(task.file()).add(reader, task.rowGroup(), group);
    }
    boolean kept = false;
    try {
      kept = consumer.accept(new ScanBatch(task, group.root(), group.checksum()));
    } finally {
      if (!kept) {
        group.root().close();
      }
    }
  }

  /** What was read, per file, in file order. */
  public List<ScannedFile> reads() {
    List<ScannedFile> reads = new ArrayList<>();
    for (ReadChecksum file : checksums) {
      reads.add(new ScannedFile(file.result(), file.rowGroupsRead(), file.rowGroups()));
    }
    return reads;
  }
}
