package dev.quiver.offline.join;

import java.nio.file.Path;
import java.time.Instant;

/**
 * What a retrieval read of one source file: enough to tell later whether the file changed.
 *
 * @param checksum CRC32C over the footer's checksum and each read row group's checksum, in order
 * @param bytesRead the bytes the checksum covers
 * @param rowGroupsRead row groups read; the others were skipped by their timestamp statistics
 */
public record SourceFileRead(
    String view,
    Path path,
    long size,
    Instant modified,
    long checksum,
    long bytesRead,
    long rowsRead,
    int rowGroupsRead,
    int rowGroups) {}
