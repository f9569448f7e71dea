package dev.quiver.offline.io;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.CRC32C;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The fingerprint of entity rows given as an Arrow table rather than a file: a CRC32C over every
 * value's hash, column by column, so equal content gives an equal checksum whatever the buffers'
 * capacity or the bytes under null slots.
 */
public final class TableChecksum {

  /** How a table stands in a manifest where a file's path would. */
  public static final Path IN_MEMORY = Path.of("(arrow table)");

  private TableChecksum() {}

  /**
   * The table as a {@link FileRead}: its path {@link #IN_MEMORY}, its size the bytes its buffers
   * hold, no modification time (the epoch), and the checksum of its content.
   */
  public static FileRead of(VectorSchemaRoot table) {
    CRC32C checksum = new CRC32C();
    ByteBuffer value = ByteBuffer.allocate(4);
    long bytes = 0;
    for (FieldVector vector : table.getFieldVectors()) {
      bytes += vector.getBufferSize();
      byte[] name = vector.getField().getName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
      checksum.update(name);
      for (int row = 0; row < table.getRowCount(); row++) {
        value.putInt(0, vector.isNull(row) ? 0x9E3779B9 : vector.hashCode(row));
        checksum.update(value.array());
      }
    }
    return new FileRead(
        IN_MEMORY, bytes, Instant.EPOCH, checksum.getValue(), bytes, table.getRowCount());
  }
}
