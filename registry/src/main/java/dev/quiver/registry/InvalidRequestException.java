package dev.quiver.registry;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;

/** A request that cannot be answered as asked: a repeated feature, clashing output names. */
public class InvalidRequestException extends QuiverException {

  public InvalidRequestException(String message) {
    super(message);
  }

  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.INVALID_REQUEST;
  }
}
