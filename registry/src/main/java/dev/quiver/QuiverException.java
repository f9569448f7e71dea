package dev.quiver;

/**
 * The root of every failure Quiver reports to a caller. Each failure a caller can act on has its
 * own subtype; the message always says what could not be done and why.
 */
public class QuiverException extends RuntimeException {

  public QuiverException(String message) {
    super(message);
  }

  public QuiverException(String message, Throwable cause) {
    super(message, cause);
  }
}
