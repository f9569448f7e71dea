package dev.quiver.offline.parquet;

import dev.quiver.offline.SourceDataException;
import dev.quiver.offline.io.FileRead;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The checksum of what was read of one Parquet file, assembled from the footer's checksum and each
 * row group's, whichever thread read it: row groups combine in file order, so the result does not
 * depend on the order of reading. Thread-safe.
 */
public final class ReadChecksum {

  private final Path path;
  private final long[] rowGroupChecksums;
  private final long[] rowGroupBytes;
  private long footerChecksum;
  private long footerBytes;
  private long rows;
  private int rowGroupsRead;

  public ReadChecksum(Path path, int rowGroups) {
    this.path = path;
    this.rowGroupChecksums = new long[rowGroups];
    this.rowGroupBytes = new long[rowGroups];
  }

  /** Records one row group read by {@code reader}. */
  public synchronized void add(
      ParquetTableReader reader, int rowGroup, ParquetTableReader.RowGroup read) {
    footerChecksum = reader.footerChecksum();
    footerBytes = reader.footerBytes();
    rowGroupChecksums[rowGroup] = read.checksum();
    rowGroupBytes[rowGroup] = read.bytes();
    rows += read.root().getRowCount();
    rowGroupsRead++;
  }

  public synchronized int rowGroupsRead() {
    return rowGroupsRead;
  }

  public int rowGroups() {
    return rowGroupChecksums.length;
  }

  /**
   * The fingerprint of everything read so far.
   *
   * @throws SourceDataException when the file's size or modification time cannot be read
   */
  public synchronized FileRead result() {
    CRC32C combined = new CRC32C();
    ByteBuffer value = ByteBuffer.allocate(8);
    value.putLong(0, footerChecksum);
    combined.update(value.array());
    long bytes = footerBytes;
    for (int g = 0; g < rowGroupChecksums.length; g++) {
      if (rowGroupBytes[g] > 0) {
        value.putLong(0, rowGroupChecksums[g]);
        combined.update(value.array());
        bytes += rowGroupBytes[g];
      }
    }
    try {
      return new FileRead(
          path,
          Files.size(path),
          Files.getLastModifiedTime(path).toInstant(),
          combined.getValue(),
          bytes,
          rows);
    } catch (IOException e) {
      throw new SourceDataException(
          "Cannot record what was read of "
              + path
              + ": its size and modification time cannot be read ("
              + e
              + "); was it removed while it was read?",
          e);
    }
  }
}
