package dev.quiver.offline.io;

import java.io.IOException;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * A training set file written a batch at a time ({@link TrainingSetFiles#open}): {@link #write}
 * each batch in order, then {@link #finish}; {@link #close} releases what the writer holds,
 * finished or not. Batches must come from the allocator the writer was opened with.
 */
public interface TrainingSetWriter extends AutoCloseable {

  void write(VectorSchemaRoot batch) throws IOException;

  /** Completes the file (an unfinished one is not valid). */
  void finish() throws IOException;

  @Override
  void close();
}
