package dev.quiver.offline.join;

import dev.quiver.offline.io.FileRead;

/**
 * What a retrieval read of one source file of one view.
 *
 * @param rowGroupsRead row groups read; the others were skipped by their timestamp statistics
 */
public record SourceFileRead(String view, FileRead file, int rowGroupsRead, int rowGroups) {}
