package dev.quiver.online.redis;

import dev.quiver.online.OnlineStoreException;
import dev.quiver.registry.model.StoreConfig;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where a Redis online store is and how long to wait for it: {@code {type: redis, url: ...}} or
 * {@code {type: redis-cluster, urls: [...]}}, with optional {@code connect_timeout_ms} (default
 * 2000) and {@code command_timeout_ms} (default 1000). A URL may carry a password and, standalone
 * only, a database: {@code redis://:secret@host:6379/2}.
 */
public record RedisSettings(
    List<RedisURI> uris, boolean cluster, Duration connectTimeout, Duration commandTimeout) {

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(1);

  public RedisSettings {
    uris = List.copyOf(uris);
    if (uris.isEmpty()) {
      throw new IllegalArgumentException("at least one Redis URL is needed");
    }
  }

  /** One standalone server, with the default timeouts. */
  public static RedisSettings standalone(String url) {
    return new RedisSettings(
        List.of(parse(url, "url")), false, DEFAULT_CONNECT_TIMEOUT, DEFAULT_COMMAND_TIMEOUT);
  }

  /** A cluster reached through any of {@code urls}, with the default timeouts. */
  public static RedisSettings cluster(List<String> urls) {
    List<RedisURI> uris = new ArrayList<>();
    for (String url : urls) {
      uris.add(clusterUri(url));
    }
    return new RedisSettings(uris, true, DEFAULT_CONNECT_TIMEOUT, DEFAULT_COMMAND_TIMEOUT);
  }

  /**
   * {@code {type: redis, url: ...}}, with the optional timeouts.
   *
   * @throws OnlineStoreException when the URL is missing or invalid, or a timeout is invalid
   */
  public static RedisSettings standalone(StoreConfig config) {
    String url =
        config
            .option("url")
            .orElseThrow(
                () -> new OnlineStoreException("online_store of type 'redis' needs a url"));
    return standalone(url).withTimeouts(config);
  }

  /**
   * {@code {type: redis-cluster, urls: [...]}}, with the optional timeouts.
   *
   * @throws OnlineStoreException when the URLs are missing or invalid, or a timeout is invalid
   */
  public static RedisSettings cluster(StoreConfig config) {
    if (config.listOption("urls").isEmpty()) {
      throw new OnlineStoreException(
          "online_store of type 'redis-cluster' needs urls: a list such as [redis://host:7000,"
              + " redis://host:7001]");
    }
    return cluster(config.listOption("urls")).withTimeouts(config);
  }

  private RedisSettings withTimeouts(StoreConfig config) {
    return withConnectTimeout(millis(config, "connect_timeout_ms", DEFAULT_CONNECT_TIMEOUT))
        .withCommandTimeout(millis(config, "command_timeout_ms", DEFAULT_COMMAND_TIMEOUT));
  }

  public RedisSettings withConnectTimeout(Duration timeout) {
    return new RedisSettings(uris, cluster, timeout, commandTimeout);
  }

  public RedisSettings withCommandTimeout(Duration timeout) {
    return new RedisSettings(uris, cluster, connectTimeout, timeout);
  }

  /** The servers, for messages: no passwords. */
  public String describe() {
    if (!cluster) {
      // The database is part of where the rows are: a message must not drop it.
      RedisURI uri = uris.get(0);
      return server(uri) + (uri.getDatabase() == 0 ? "" : "/" + uri.getDatabase());
    }
    return uris.stream().map(RedisSettings::server).collect(Collectors.joining(", "));
  }

  /**
   * Where the rows live, without credentials, stable across equivalent spellings: a standalone
   * server's {@code redis://host:port/database}, a cluster's seed servers {@code redis://host:port}
   * sorted and joined by commas (a cluster has only database 0). The scheme is always {@code
   * redis://}, so turning TLS on ({@code rediss://}) keeps the location; host names are
   * lower-cased.
   */
  public String location() {
    if (cluster) {
      return uris.stream()
          .map(RedisSettings::server)
          .distinct()
          .sorted()
          .collect(Collectors.joining(","));
    }
    RedisURI uri = uris.get(0);
    return server(uri) + "/" + uri.getDatabase();
  }

  private static String server(RedisURI uri) {
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    return "redis://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + uri.getPort();
  }

  private static Duration millis(StoreConfig config, String key, Duration fallback) {
    String text = config.option(key).orElse(null);
    if (text == null) {
      return fallback;
    }
    try {
      long value = Long.parseLong(text.trim());
      if (value > 0) {
        return Duration.ofMillis(value);
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new OnlineStoreException(
        "online_store " + key + " must be a positive number of milliseconds, got '" + text + "'");
  }

  private static RedisURI clusterUri(String url) {
    RedisURI uri = parse(url, "urls");
    if (uri.getDatabase() != 0) {
      throw new OnlineStoreException(
          "online_store urls: Redis Cluster has only database 0, got '" + redact(url) + "'");
    }
    return uri;
  }

  private static RedisURI parse(String url, String key) {
    if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
      throw new OnlineStoreException(
          "online_store "
              + key
              + ": '"
              + redact(url)
              + "' is not a Redis URL (redis://host:port or rediss://host:port)");
    }
    try {
      return RedisURI.create(url);
    } catch (IllegalArgumentException e) {
      throw new OnlineStoreException(
          "online_store " + key + ": '" + redact(url) + "' is not a Redis URL: " + e.getMessage(),
          e);
    }
  }

  /** A URL without its password. */
  private static String redact(String url) {
    return url.replaceAll("//[^@/]*@", "//***@");
  }
}
