package dev.quiver;

/**
 * A file Quiver writes for itself, or reads back, that the file system refused: a training set or
 * its manifest, a temporary file beside an output, a spill file of a join too large for memory, the
 * example repo and its data. The cause is the {@link java.io.IOException}; the message names the
 * file. Nothing the request asked for is wrong: the disk is full, a folder is not writable or has
 * gone, so the operator (or the caller who chose the output path) frees space, fixes the permission
 * or names another place.
 */
public class OutputException extends QuiverException {

  public OutputException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.SERVER_FAILED;
  }
}
