package dev.quiver.sdk;

import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The identity of the online store a repo's {@code feature_store.yaml} selects: its type and
 * location, the key of its materialization log in the registry. Two configurations name the same
 * store exactly when their identities are equal, so switching {@code online_store} to another type
 * or place starts from that store's own (at first empty) log, and {@code materialize-incremental}
 * copies the data again instead of assuming it is there.
 *
 * <ul>
 *   <li>a store with a {@code path} (RocksDB; {@code data/online} by default): the type and the
 *       absolute, normalized path, {@code rocksdb:/srv/repo/data/online};
 *   <li>a store with a {@code url} or {@code urls} (Redis, Redis Cluster): the type and each URL as
 *       {@code redis://host:port}, with {@code /db} when the database is not 0, without user,
 *       password or options, the cluster's sorted: {@code redis:redis://cache:6379};
 *   <li>any other store: its type alone.
 * </ul>
 *
 * <p>Options that tune a store without moving it (cache sizes, timeouts) are not part of it. The
 * path is absolute, so a repo moved to another folder re-materializes once (harmless: writes are
 * newer-wins). Until the online-store factories name their stores themselves (issue 12, point 3:
 * {@code identity(StoreConfig, ProjectConfig)}), this class is the one place that knows how each
 * type is located; {@link #of} is what to replace.
 */
final class OnlineStoreIdentity {

  private static final String DEFAULT_ROCKSDB_PATH = "data/online";
  private static final int DEFAULT_REDIS_PORT = 6379;

  private OnlineStoreIdentity() {}

  static String of(ProjectConfig config) {
    StoreConfig store = config.onlineStore();
    String type = store.type();
    Optional<String> path =
        store
            .option("path")
            .or(
                () ->
                    type.equals("rocksdb") ? Optional.of(DEFAULT_ROCKSDB_PATH) : Optional.empty());
    if (path.isPresent()) {
      return type + ":" + config.resolve(path.get()).toAbsolutePath().normalize();
    }
    List<String> urls = store.option("url").map(List::of).orElse(store.listOption("urls"));
    if (!urls.isEmpty()) {
      return type
          + ":"
          + urls.stream()
              .map(OnlineStoreIdentity::serverOf)
              .sorted()
              .distinct()
              .collect(Collectors.joining(","));
    }
    return type;
  }

  /**
   * {@code redis://host:port[/db]} of a Redis URL, whatever its scheme (TLS or not reaches the same
   * server), credentials and options.
   */
  private static String serverOf(String url) {
    URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri == null || uri.getHost() == null) {
      // The online store refuses such a URL when it opens, with a message of its own.
      return url.replaceAll("//[^@/]*@", "//");
    }
    int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_REDIS_PORT;
    String database = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
    return "redis://"
        + uri.getHost().toLowerCase(Locale.ROOT)
        + ":"
        + port
        + (database.isEmpty() || database.equals("0") ? "" : "/" + database);
  }
}
