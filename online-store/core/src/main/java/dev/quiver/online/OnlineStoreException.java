package dev.quiver.online;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;

/** An online store that cannot be opened, read or written. */
public class OnlineStoreException extends QuiverException {

  public OnlineStoreException(String message) {
    super(message);
  }

  public OnlineStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.ONLINE_STORE;
  }
}
