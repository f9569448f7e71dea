package dev.quiver.sdk;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;

/** The feature server refused the call: no token, or not its token, for what was asked. */
public class UnauthorizedException extends QuiverException {

  public UnauthorizedException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.UNAUTHORIZED;
  }
}
