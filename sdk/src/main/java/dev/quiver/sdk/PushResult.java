package dev.quiver.sdk;

import dev.quiver.registry.rules.ValidationReport;

/**
 * What a push wrote.
 *
 * @param onlineRowsWritten rows that replaced or added an online row (0 when not pushed online)
 * @param offlineRowsWritten rows appended to the source's folder (0 when not pushed offline)
 * @param offlineFile the name of the file appended to the source's folder, or null when none was
 * @param validation what the rows broke of the view's rules (written all the same: {@code
 *     validation: warn}); null when the view has no rules
 */
public record PushResult(
    String view,
    PushTarget to,
    long onlineRowsWritten,
    long offlineRowsWritten,
    String offlineFile,
    ValidationReport validation) {

  public PushResult(
      String view,
      PushTarget to,
      long onlineRowsWritten,
      long offlineRowsWritten,
      String offlineFile) {
    this(view, to, onlineRowsWritten, offlineRowsWritten, offlineFile, null);
  }
}
