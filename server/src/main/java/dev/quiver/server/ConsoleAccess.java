package dev.quiver.server;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Who may see the console when a read token is set. A browser cannot send {@code Authorization:
 * Bearer} on its own, so the console's sign-in page takes the token once and sets a cookie holding
 * a digest of it (never the token itself): HTTP-only, same-site strict, scoped to {@code /ui}. A
 * request with the bearer header passes as it does everywhere else.
 */
@Singleton
public final class ConsoleAccess {

  /** The cookie's name. */
  public static final String COOKIE = "quiver_console";

  private final BearerTokens tokens;
  private final byte[] readDigest;
  private final byte[] writeDigest;

  ConsoleAccess(ServerSettings settings) {
    this.tokens = new BearerTokens(settings);
    this.readDigest = settings.readToken().map(ConsoleAccess::digest).orElse(null);
    this.writeDigest = settings.writeToken().map(ConsoleAccess::digest).orElse(null);
  }

  /** Whether the console is open to anyone: no read token is set. */
  public boolean open() {
    return tokens.readsOpen();
  }

  /** Whether {@code request} may see the console: open, the bearer header, or the cookie. */
  public boolean allows(HttpRequest<?> request, String authorization) {
    if (tokens.allowsRead(authorization)) {
      return true;
    }
    Optional<Cookie> cookie = request.getCookies().findCookie(COOKIE);
    if (cookie.isEmpty()) {
      return false;
    }
    byte[] given = cookie.get().getValue().getBytes(StandardCharsets.US_ASCII);
    // Compared in constant time, as the bearer tokens are.
    return readDigest != null && MessageDigest.isEqual(given, readDigest)
        || writeDigest != null && MessageDigest.isEqual(given, writeDigest);
  }

  /**
   * The cookie that lets a browser in, when {@code token} is the server's read (or write) token;
   * empty otherwise.
   */
  public Optional<Cookie> signIn(String token, boolean secure) {
    if (token == null || !tokens.allowsRead("Bearer " + token.strip())) {
      return Optional.empty();
    }
    return Optional.of(
        Cookie.of(COOKIE, new String(digest(token.strip()), StandardCharsets.US_ASCII))
            .path("/ui")
            .httpOnly(true)
            .secure(secure)
            .sameSite(SameSite.Strict));
  }

  /** The hex SHA-256 of the token, as the cookie carries it. */
  private static byte[] digest(String token) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256")
              .digest(("quiver-console:" + token).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash).getBytes(StandardCharsets.US_ASCII);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime has SHA-256", e);
    }
  }
}
