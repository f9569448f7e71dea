package dev.quiver.offline.io;

import java.io.IOException;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A training set file written a batch at a time ({@link TrainingSetFiles#open}): {@link #write}
 * each batch in order, then {@link #finish}; {@link #close} releases what the writer holds,
 * finished or not (an unfinished file is left incomplete, for the caller to delete). Batches must
 * come from the root allocator the writer was opened with (the Arrow IPC writer shares their
 * buffers).
 */
public interface TrainingSetWriter extends AutoCloseable {

  void write(VectorSchemaRoot batch) throws IOException;

  /** Completes the file (an unfinished one is not valid). */
  void finish() throws IOException;

  @Override
  void close();
}
