package dev.quiver.offline;

import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;

/**
 * A feature view's source data that cannot serve a request: its path matches no Parquet file, a
 * file cannot be read or listed, lacks a column or holds a column of another type, or changed while
 * it was being read. The data is the server's (or the embedding process's), not the caller's: the
 * operator fixes the files or the source's definition.
 */
public class SourceDataException extends QuiverException {

  public SourceDataException(String message) {
    super(message);
  }

  public SourceDataException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.SOURCE_DATA;
  }
}
