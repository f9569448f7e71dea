package dev.quiver.registry;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;

/**
 * A request named a feature view, feature or feature service the registry does not have. Servers
 * answer it with 404.
 */
public class NoSuchObjectException extends QuiverException {

  public NoSuchObjectException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.NOT_FOUND;
  }
}
