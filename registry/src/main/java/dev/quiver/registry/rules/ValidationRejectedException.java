package dev.quiver.registry.rules;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;
import java.util.List;

/**
 * A write refused because its batch broke a rule of a {@code validation: reject} view: nothing of
 * the batch was written. The server answers it with HTTP 422 and the reports in the body.
 */
public class ValidationRejectedException extends QuiverException {

  private final transient List<ValidationReport> reports;

  /**
   * @param action what was refused, e.g. {@code write to feature view 'v'}
   */
  public ValidationRejectedException(String action, List<ValidationReport> reports) {
    super(message(action, reports));
    this.reports = List.copyOf(reports);
  }

  /**
   * A run of several views (materialization) where the rejected views were skipped, nothing of them
   * written, and {@code written} (possibly none) were written.
   */
  public static ValidationRejectedException skipped(
      String action, List<ValidationReport> reports, List<String> written) {
    String message = message(action, reports);
    if (!written.isEmpty()) {
      message =
          message.substring(0, message.length() - "; nothing was written".length())
              + "; nothing of "
              + (reports.size() == 1 ? "it" : "them")
              + " was written; the run's other views were written: "
              + String.join(", ", written);
    }
    return new ValidationRejectedException(message, reports, true);
  }

  /** A refusal whose reports are known only as text (a remote server's answer). */
  public ValidationRejectedException(String message) {
    this(message, List.of(), true);
  }

  /** A refusal as a remote server answered it: its message and its reports. */
  public static ValidationRejectedException answered(
      String message, List<ValidationReport> reports) {
    return new ValidationRejectedException(message, reports, true);
  }

  private ValidationRejectedException(
      String message, List<ValidationReport> reports, boolean answered) {
    super(message);
    this.reports = List.copyOf(reports);
  }

  /** The reports of the views that broke a rule; empty when only the message is known. */
  public List<ValidationReport> reports() {
    return reports;
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.VALIDATION_REJECTED;
  }

  private static String message(String action, List<ValidationReport> reports) {
    StringBuilder text = new StringBuilder("Cannot ").append(action).append(": ");
    for (int i = 0; i < reports.size(); i++) {
      ValidationReport report = reports.get(i);
      text.append(i == 0 ? "" : "; ")
          .append("feature view '")
          .append(report.view())
          .append("' rejects rows that break its rules (validation: reject): ")
          .append(report.summary());
    }
    return text.append("; nothing was written").toString();
  }
}
