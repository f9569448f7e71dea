package dev.quiver.server;

import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may see the console when a read token is set. A browser cannot send {@code Authorization:
 * Bearer} on its own, so the console's sign-in page takes the token once and sets a cookie: the
 * time it was issued and an HMAC of that time under a key drawn when this server started, never the
 * token or anything derived from it alone. The cookie is HTTP-only, same-site strict, scoped to
 * {@code /ui}, and good for {@link #LIFETIME} or until the server restarts, whichever comes first.
 * A request with the bearer header passes as it does everywhere else.
 */
@Singleton
public final class ConsoleAccess {

  /** The cookie's name. */
  public static final String COOKIE = "quiver_console";

  /** How long a sign-in lasts. */
  static final Duration LIFETIME = Duration.ofHours(12);

  private static final String ALGORITHM = "HmacSHA256";

  private final BearerTokens tokens;
  private final byte[] key = new byte[32];
  private final Clock clock;

  @Inject
  ConsoleAccess(ServerSettings settings) {
    this(settings, Clock.systemUTC());
  }

  ConsoleAccess(ServerSettings settings, Clock clock) {
    this.tokens = new BearerTokens(settings);
    this.clock = clock;
    new SecureRandom().nextBytes(key);
  }

  /** Whether the console is open to anyone: no read token is set. */
  public boolean open() {
    return tokens.readsOpen();
  }

  /** Whether {@code request} may see the console: open, the bearer header, or a valid cookie. */
  public boolean allows(HttpRequest<?> request, String authorization) {
    if (tokens.allowsRead(authorization)) {
      return true;
    }
    Optional<Cookie> cookie = request.getCookies().findCookie(COOKIE);
    return cookie.isPresent() && valid(cookie.get().getValue());
  }

  /**
   * The cookie that lets a browser in, when {@code token} is the server's read (or write) token;
   * empty otherwise.
   */
  public Optional<Cookie> signIn(String token, boolean secure) {
    if (token == null || !tokens.allowsRead("Bearer " + token)) {
      return Optional.empty();
    }
    long issued = clock.instant().getEpochSecond();
    return Optional.of(
        Cookie.of(COOKIE, issued + "." + signature(issued))
            .path("/ui")
            .maxAge(LIFETIME.toSeconds())
            .httpOnly(true)
            .secure(secure)
            .sameSite(SameSite.Strict));
  }

  /**
   * Whether a sign-in comes from the console's own page. A form on another site could otherwise
   * sign a visitor's browser in with that site's choice of token: refused when the browser says the
   * request is cross-site ({@code Sec-Fetch-Site}) or names another origin ({@code Origin}).
   */
  public static boolean sameOrigin(HttpRequest<?> request) {
    String site = request.getHeaders().get("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return false;
    }
    String origin = request.getHeaders().get(HttpHeaders.ORIGIN);
    if (origin == null || origin.equals("null")) {
      return origin == null;
    }
    String host = request.getHeaders().get(HttpHeaders.HOST);
    try {
      URI uri = URI.create(origin);
      String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
      return host != null && host.equalsIgnoreCase(authority);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether a cookie's value is one this server issued, within its lifetime. */
  boolean valid(String value) {
    int dot = value.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    long issued;
    try {
      issued = Long.parseLong(value.substring(0, dot));
    } catch (NumberFormatException e) {
      return false;
    }
    long age = clock.instant().getEpochSecond() - issued;
    if (age < 0 || age > LIFETIME.toSeconds()) {
      return false;
    }
    // Compared in constant time, as the bearer tokens are.
    return MessageDigest.isEqual(
        value.substring(dot + 1).getBytes(StandardCharsets.US_ASCII),
        signature(issued).getBytes(StandardCharsets.US_ASCII));
  }

  private String signature(long issued) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return HexFormat.of()
          .formatHex(mac.doFinal(("console:" + issued).getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Every Java runtime has " + ALGORITHM, e);
    }
  }
}
