package dev.quiver.offline.resources;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;

/** An operation that cannot get the memory it needs within the process's memory limit. */
public class MemoryLimitException extends QuiverException {

  public MemoryLimitException(String message) {
    super(message);
  }

  public MemoryLimitException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.MEMORY_LIMIT;
  }
}
