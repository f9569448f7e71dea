package dev.quiver.sdk;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.TransferPair;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

/**
 * Gathers a training set's batches into one table, in an allocator of its own: the first batch's
 * buffers are moved in (no copy, so a one-chunk training set costs nothing), later ones appended.
 */
final class TableCollector implements Consumer<VectorSchemaRoot>, AutoCloseable {

  private final BufferAllocator allocator;
  private VectorSchemaRoot table;

  TableCollector(BufferAllocator allocator) {
    this.allocator = allocator;
  }

  @Override
  public void accept(VectorSchemaRoot batch) {
    if (table == null) {
      List<FieldVector> vectors = new ArrayList<>();
      for (FieldVector vector : batch.getFieldVectors()) {
        TransferPair transfer = vector.getTransferPair(allocator);
        transfer.transfer();
        vectors.add((FieldVector) transfer.getTo());
      }
      table = new VectorSchemaRoot(vectors);
      table.setRowCount(batch.getRowCount());
    } else if (batch.getRowCount() > 0) {
      VectorSchemaRootAppender.append(table, batch);
    }
  }

  /** The table gathered; the caller owns it, and closing this no longer frees it. */
  VectorSchemaRoot take() {
    VectorSchemaRoot taken = table;
    table = null;
    return taken;
  }

  @Override
  public void close() {
    if (table != null) {
      table.close();
    }
  }
}
