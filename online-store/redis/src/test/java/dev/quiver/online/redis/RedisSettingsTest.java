package dev.quiver.online.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.online.OnlineStoreException;
import dev.quiver.registry.model.StoreConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisSettingsTest {

  private static StoreConfig config(String type, Map<String, Object> options) {
    return new StoreConfig(type, options, null);
  }

  @Test
  void readsAStandaloneUrlWithPasswordDatabaseAndTimeouts() {
    RedisSettings settings =
        RedisSettings.standalone(
            config(
                "redis",
                Map.of(
                    "url",
                    "redis://:s3cret@cache:6380/2",
                    "connect_timeout_ms",
                    "300",
                    "command_timeout_ms",
                    "150")));
    assertThat(settings.cluster()).isFalse();
    assertThat(
            settings
                .uris()
                .get(0)
                .getCredentialsProvider()
                .resolveCredentials()
                .block()
                .getPassword())
        .isEqualTo("s3cret".toCharArray());
    assertThat(settings.uris().get(0).getDatabase()).isEqualTo(2);
    assertThat(settings.connectTimeout()).isEqualTo(Duration.ofMillis(300));
    assertThat(settings.commandTimeout()).isEqualTo(Duration.ofMillis(150));
    assertThat(settings.describe())
        .as("the database, not the password")
        .isEqualTo("redis://cache:6380/2");
  }

  @Test
  void readsClusterUrlsWithTheDefaultTimeouts() {
    RedisSettings settings =
        RedisSettings.cluster(
            config("redis-cluster", Map.of("urls", List.of("redis://a:7000", "redis://b:7001"))));
    assertThat(settings.cluster()).isTrue();
    assertThat(settings.describe()).isEqualTo("redis://a:7000, redis://b:7001");
    assertThat(settings.commandTimeout()).isEqualTo(RedisSettings.DEFAULT_COMMAND_TIMEOUT);
  }

  @Test
  void refusesBadUrlsAndTimeoutsWithoutShowingPasswords() {
    assertThatThrownBy(() -> RedisSettings.standalone(config("redis", Map.of("url", "http://x:1"))))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessage(
            "online_store url: 'http://x:1' is not a Redis URL (redis://host:port or"
                + " rediss://host:port)");
    assertThatThrownBy(
            () ->
                RedisSettings.cluster(
                    config("redis-cluster", Map.of("urls", List.of("redis://:pw@a:7000/3")))))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessage(
            "online_store urls: Redis Cluster has only database 0, got 'redis://***@a:7000/3'");
    assertThatThrownBy(() -> RedisSettings.cluster(config("redis-cluster", Map.of())))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageStartingWith("online_store of type 'redis-cluster' needs urls");
    assertThatThrownBy(
            () ->
                RedisSettings.standalone(
                    config("redis", Map.of("url", "redis://a:1", "command_timeout_ms", "1s"))))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessage(
            "online_store command_timeout_ms must be a positive number of milliseconds, got '1s'");
  }
}
