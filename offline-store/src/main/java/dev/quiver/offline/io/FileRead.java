package dev.quiver.offline.io;

import java.nio.file.Path;
import java.time.Instant;

/**
 * The fingerprint of a file as a retrieval read it: enough to tell later whether it changed.
 *
 * @param checksum CRC32C of the bytes read, in read order (for Parquet: the footer's checksum and
 *     each read row group's, combined in file order)
 * @param bytesRead how many bytes the checksum covers
 * @param rows the rows read from it
 */
public record FileRead(
    Path path, long size, Instant modified, long checksum, long bytesRead, long rows) {

  /** The checksum as eight hex digits, as manifests write it. */
  public String checksumHex() {
    return String.format("%08x", checksum);
  }
}
