package dev.quiver.registry.store;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;

/** A registry that cannot be read or written. */
public class RegistryException extends QuiverException {

  public RegistryException(String message) {
    super(message);
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.REGISTRY;
  }
}
