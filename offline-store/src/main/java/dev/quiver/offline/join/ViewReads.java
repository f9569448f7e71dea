package dev.quiver.offline.join;

import java.util.List;

/**
 * What one view's join read.
 *
 * @param skippedNullKeyRows source rows skipped for a null join key
 * @param skippedNullTimestampRows source rows skipped for a null event timestamp
 */
record ViewReads(
    List<SourceFileRead> files, long skippedNullKeyRows, long skippedNullTimestampRows) {}
