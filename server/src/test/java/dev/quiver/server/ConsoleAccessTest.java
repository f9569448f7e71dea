package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The console's sign-in: a cookie only for the server's token, signed with a key of this server's
 * own (another server, or this one restarted, refuses it), good for twelve hours; and a sign-in
 * posted from another site is refused.
 */
class ConsoleAccessTest {

  private static final ServerSettings SETTINGS =
      new ServerSettings(
          Path.of("."),
          Optional.empty(),
          Optional.of("s3cret"),
          10_000,
          Duration.ofSeconds(2),
          0,
          0,
          false);

  /** A clock the test moves. */
  private static final class Hands extends Clock {
    private Instant now = Instant.parse("2026-12-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void aSignInCookieIsGoodOnlyOnThisServerAndForTwelveHours() {
    Hands clock = new Hands();
    ConsoleAccess access = new ConsoleAccess(SETTINGS, clock);
    assertThat(access.signIn("wrong", false)).isEmpty();
    assertThat(access.signIn(null, false)).isEmpty();
    Cookie cookie = access.signIn("s3cret", false).orElseThrow();
    assertThat(cookie.getValue()).doesNotContain("s3cret");
    assertThat(cookie.isHttpOnly()).isTrue();
    assertThat(cookie.getPath()).isEqualTo("/ui");
    assertThat(cookie.getMaxAge()).isEqualTo(12 * 3600);
    assertThat(access.valid(cookie.getValue())).isTrue();

    // Tampered with, made up, or issued by another server (or this one before a restart).
    String value = cookie.getValue();
    String tampered = value.substring(0, value.length() - 1) + (value.endsWith("0") ? "1" : "0");
    assertThat(access.valid(tampered)).isFalse();
    assertThat(access.valid("1.abc")).isFalse();
    assertThat(access.valid("not a cookie")).isFalse();
    assertThat(new ConsoleAccess(SETTINGS, clock).valid(value)).isFalse();

    clock.now = clock.now.plus(Duration.ofHours(12));
    assertThat(access.valid(value)).isTrue();
    clock.now = clock.now.plusSeconds(1);
    assertThat(access.valid(value)).isFalse();
  }

  @Test
  void aSignInFromAnotherSiteIsRefused() {
    assertThat(ConsoleAccess.sameOrigin(post())).isTrue();
    assertThat(
            ConsoleAccess.sameOrigin(
                post()
                    .header("Origin", "http://127.0.0.1:6566")
                    .header("Sec-Fetch-Site", "same-origin")))
        .isTrue();
    assertThat(ConsoleAccess.sameOrigin(post().header("Origin", "http://evil.example"))).isFalse();
    assertThat(ConsoleAccess.sameOrigin(post().header("Origin", "null"))).isFalse();
    assertThat(ConsoleAccess.sameOrigin(post().header("Sec-Fetch-Site", "cross-site"))).isFalse();
    assertThat(ConsoleAccess.sameOrigin(post().header("Origin", "http://127.0.0.1:6567")))
        .isFalse();
  }

  private static io.micronaut.http.MutableHttpRequest<String> post() {
    return HttpRequest.POST("/ui/login", "token=s3cret").header("Host", "127.0.0.1:6566");
  }
}
