package dev.quiver.sdk;

import dev.quiver.ErrorKind;
import dev.quiver.registry.InvalidRequestException;

/** Entity rows that cannot be looked up: a missing join key, a value of the wrong type. */
public class InvalidEntityException extends InvalidRequestException {

  public InvalidEntityException(String message) {
    super(message);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.INVALID_ENTITY;
  }
}
