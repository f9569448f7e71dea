package dev.quiver.server;

import dev.quiver.ErrorKind;

/** An online request with more entity rows than the server's limit (400). */
final class TooManyRowsException extends BadRequestException {

  TooManyRowsException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.TOO_MANY_ROWS;
  }
}
