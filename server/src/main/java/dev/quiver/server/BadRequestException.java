package dev.quiver.server;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;

/** A request body the server cannot understand: malformed JSON or the wrong shape (400). */
class BadRequestException extends QuiverException {

  BadRequestException(String message) {
    super(message);
  }

  BadRequestException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.BAD_REQUEST;
  }
}
