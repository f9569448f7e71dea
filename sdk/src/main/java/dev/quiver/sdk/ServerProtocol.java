package dev.quiver.sdk;

/**
 * Names on the wire between {@code quiver serve} and the remote store, in one place so that the two
 * sides cannot drift apart.
 */
public final class ServerProtocol {

  /** The key of a progress message's JSON, in Flight metadata and in streamed answers' lines. */
  public static final String PROGRESS = "quiver_progress";

  /** The metadata key of a Flight error that carries its kind's label. */
  public static final String FLIGHT_KIND = "quiver-kind";

  /** The media type of answers streamed as lines of JSON. */
  public static final String NDJSON = "application/x-ndjson";

  private ServerProtocol() {}
}
