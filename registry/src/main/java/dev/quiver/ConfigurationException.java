package dev.quiver;

/**
 * A setting of the process that is not valid: a server setting ({@code quiver.server.*} or its
 * flag), an environment variable or system property Quiver reads ({@code QUIVER_MEMORY_LIMIT},
 * {@code QUIVER_WORKER_THREADS}), or the store plugins on the class path. The message names the
 * setting, the value found and what it must be; the operator fixes the setting and starts again.
 * Definitions and {@code feature_store.yaml} are checked where they are read, as a {@code
 * DefinitionException} with their file and line.
 */
public class ConfigurationException extends QuiverException {

  public ConfigurationException(String message) {
    super(message);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public ErrorKind kind() {
    return ErrorKind.CONFIGURATION;
  }
}
