package dev.quiver.server;

import dev.quiver.ConfigurationException;
import dev.quiver.QuiverException;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature server of one repo: Micronaut's HTTP server over the SDK's embedded {@code
 * FeatureStore}. {@link #close} stops taking requests, lets those in flight finish and closes the
 * stores.
 */
public final class QuiverServer implements AutoCloseable {

  /** Where the server listens unless {@code micronaut.server.host} says otherwise: this machine. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** The Micronaut setting of the address to listen on, which Arrow Flight follows too. */
  public static final String HOST = "micronaut.server.host";

  private static final Logger LOG = LoggerFactory.getLogger(QuiverServer.class);

  private final ApplicationContext context;
  private final EmbeddedServer server;

  private QuiverServer(ApplicationContext context, EmbeddedServer server) {
    this.context = context;
    this.server = server;
  }

  /**
   * Starts serving {@code repo} on {@code port} (0 picks a free one), HTTP and Arrow Flight alike
   * on {@code micronaut.server.host} ({@value #DEFAULT_HOST} unless {@code settings} give one).
   * Listening beyond loopback with no write token is logged as a warning: anyone who reaches the
   * address can then write.
   *
   * @param settings more {@code quiver.server.*} or {@code micronaut.*} settings
   * @throws ConfigurationException naming the key of a setting that is not valid
   * @throws dev.quiver.QuiverException when the repo or its stores cannot be opened
   */
  public static QuiverServer start(Path repo, int port, Map<String, Object> settings) {
    Map<String, Object> properties = new HashMap<>();
    properties.put("micronaut.server.port", port);
    properties.put(HOST, DEFAULT_HOST);
    // Requests in flight finish before the stores close.
    properties.put("micronaut.lifecycle.graceful-shutdown.enabled", true);
    properties.put(ServerSettings.REPO, repo.toAbsolutePath().normalize().toString());
    properties.putAll(settings);
    ApplicationContext context;
    try {
      context = ApplicationContext.builder().properties(properties).banner(false).start();
    } catch (RuntimeException e) {
      throw quiverCause(e);
    }
    try {
      EmbeddedServer server = context.getBean(EmbeddedServer.class);
      if (!server.isRunning()) {
        server.start();
      }
      QuiverServer started = new QuiverServer(context, server);
      if (!started.onLoopback() && context.getBean(ServerSettings.class).writeToken().isEmpty()) {
        LOG.warn(
            "Listening on {}, beyond this machine, with no write token: anyone who reaches it can"
                + " push, write and materialize; set --write-token (or QUIVER_WRITE_TOKEN), or"
                + " serve on 127.0.0.1",
            started.host());
      }
      return started;
    } catch (RuntimeException e) {
      context.close();
      throw quiverCause(e);
    }
  }

  /**
   * Quiver's own error behind Micronaut's wrapping (a repo that cannot be read, a store another
   * process holds, a setting out of range), so the command line prints its one clear line.
   */
  private static RuntimeException quiverCause(RuntimeException e) {
    Optional<ConfigurationException> setting = ServerSettingsCheck.of(e);
    if (setting.isPresent()) {
      return setting.get();
    }
    return QuiverException.in(e).<RuntimeException>map(quiver -> quiver).orElse(e);
  }

  /**
   * Serves until the process is asked to stop (Ctrl-C, SIGTERM), then closes gracefully: requests
   * in flight finish and the stores close before the process exits.
   */
  public void serveUntilStopped() throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  close();
                  stopped.countDown();
                },
                "quiver-shutdown"));
    stopped.await();
  }

  public int port() {
    return server.getPort();
  }

  /** The address the server listens on ({@code micronaut.server.host}), as configured. */
  public String host() {
    return server.getHost();
  }

  /** Whether only this machine can reach the server. */
  boolean onLoopback() {
    try {
      return InetAddress.getByName(host()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      // It listens, so the name resolved once: count the unknown as open.
      return false;
    }
  }

  /** The Arrow Flight port for training sets. */
  public int flightPort() {
    return context.getBean(FlightEndpoint.class).port();
  }

  /** The server's URL: on loopback when it listens on every interface, else on its host. */
  public String url() {
    return "http://" + reachableHost() + ":" + port();
  }

  private String reachableHost() {
    try {
      if (InetAddress.getByName(host()).isAnyLocalAddress()) {
        return DEFAULT_HOST;
      }
    } catch (UnknownHostException e) {
      // Not an address: a name, which a URL takes as it is.
    }
    return hostInUrl();
  }

  /** The host the server listens on as a URL writes it: an IPv6 address in brackets. */
  public String hostInUrl() {
    return host().contains(":") ? "[" + host() + "]" : host();
  }

  public boolean isRunning() {
    return server.isRunning();
  }

  /** The Kafka ingestion running in this server ({@code quiver.server.ingest}), if any. */
  public Optional<StreamIngestion> ingestion() {
    return context.getBean(IngestionService.class).ingestion();
  }

  /** The repo being served, for tests of this package. */
  FeatureService features() {
    return context.getBean(FeatureService.class);
  }

  /** The server's feature logging, for tests of this package. */
  ServedFeatureLog servedLog() {
    return context.getBean(ServedFeatureLog.class);
  }

  @Override
  public void close() {
    server.stop();
    context.close();
  }
}
