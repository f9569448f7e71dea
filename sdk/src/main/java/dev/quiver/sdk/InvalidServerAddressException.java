package dev.quiver.sdk;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;

/** A feature server's address that is not {@code http://host:port}. */
public class InvalidServerAddressException extends QuiverException {

  public InvalidServerAddressException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.CONFIGURATION;
  }
}
