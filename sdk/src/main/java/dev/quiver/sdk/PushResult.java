package dev.quiver.sdk;

/**
 * What a push wrote.
 *
 * @param onlineRowsWritten rows that replaced or added an online row (0 when not pushed online)
 * @param offlineRowsWritten rows appended to the source's folder (0 when not pushed offline)
 * @param offlineFile the name of the file appended to the source's folder, or null when none was
 */
public record PushResult(
    String view,
    PushTarget to,
    long onlineRowsWritten,
    long offlineRowsWritten,
    String offlineFile) {}
