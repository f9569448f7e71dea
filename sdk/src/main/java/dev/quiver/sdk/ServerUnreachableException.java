package dev.quiver.sdk;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;

/** The feature server could not be reached, or did not answer in time. */
public class ServerUnreachableException extends QuiverException {

  public ServerUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.SERVER_FAILED;
  }
}
