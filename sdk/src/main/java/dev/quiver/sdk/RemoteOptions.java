package dev.quiver.sdk;

/**
 * How {@link FeatureStore#connect} authenticates to a server that requires tokens.
 *
 * @param readToken sent as the bearer token of reads (lookups, the registry, training sets), or
 *     null
 * @param writeToken sent as the bearer token of writes and materialization, or null
 */
public record RemoteOptions(String readToken, String writeToken) {

  /** The tokens of {@code QUIVER_READ_TOKEN} and {@code QUIVER_WRITE_TOKEN}, when set. */
  public static RemoteOptions fromEnvironment() {
    return new RemoteOptions(
        blankToNull(System.getenv("QUIVER_READ_TOKEN")),
        blankToNull(System.getenv("QUIVER_WRITE_TOKEN")));
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
