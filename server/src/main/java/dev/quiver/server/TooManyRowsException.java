package dev.quiver.server;

/** An online request with more entity rows than the server's limit (400). */
final class TooManyRowsException extends BadRequestException {

  TooManyRowsException(String message) {
    super(message);
  }
}
