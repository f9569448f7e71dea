package dev.quiver.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** Checks {@code Authorization: Bearer <token>} headers, in constant time. */
final class BearerTokens {

  private final Optional<byte[]> write;
  private final Optional<byte[]> read;

  BearerTokens(ServerSettings settings) {
    this.write = settings.writeToken().map(t -> t.getBytes(StandardCharsets.UTF_8));
    this.read = settings.readToken().map(t -> t.getBytes(StandardCharsets.UTF_8));
  }

  boolean writesOpen() {
    return write.isEmpty();
  }

  boolean readsOpen() {
    return read.isEmpty();
  }

  /** Whether the header carries the write token (or no write token is set). */
  boolean allowsWrite(String authorization) {
    return write.isEmpty() || matches(authorization, write.get());
  }

  /** Whether the header carries the read or the write token (or no read token is set). */
  boolean allowsRead(String authorization) {
    return read.isEmpty()
        || matches(authorization, read.get())
        || write.isPresent() && matches(authorization, write.get());
  }

  /** The token of an {@code Authorization} header, or null when it has no bearer token. */
  static byte[] bearer(String authorization) {
    // The scheme is case-insensitive (RFC 9110).
    return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8)
        : null;
  }

  private static boolean matches(String authorization, byte[] token) {
    byte[] given = bearer(authorization);
    // Compared in constant time, so timing does not reveal how much of a guess was right.
    return given != null && MessageDigest.isEqual(given, token);
  }
}
