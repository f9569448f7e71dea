package dev.quiver;

import java.util.Optional;

/**
 * The root of every failure Quiver reports to a caller. Each failure a caller can act on has its
 * own subtype, whose {@link #kind} says whether the request or the server is at fault; the message
 * always says what could not be done and why.
 */
public class QuiverException extends RuntimeException {

  public QuiverException(String message) {
    super(message);
  }

  public QuiverException(String message, Throwable cause) {
    super(message, cause);
  }

  /** What kind of failure this is; {@link ErrorKind#SERVER_FAILED} unless a subtype says. */
  public ErrorKind kind() {
    return ErrorKind.SERVER_FAILED;
  }

  /** Whether the request or the server is at fault. */
  public final ErrorKind.Fault fault() {
    return kind().fault();
  }

  /**
   * The first {@code QuiverException} among {@code failure} and its causes: Quiver's own message
   * behind a library's wrapping (a framework that wraps what a constructor threw, say).
   */
  public static Optional<QuiverException> in(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof QuiverException quiver) {
        return Optional.of(quiver);
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return Optional.empty();
  }
}
