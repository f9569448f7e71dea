package dev.quiver.server;

import dev.quiver.ConfigurationException;
import dev.quiver.QuiverException;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * The feature server of one repo: Micronaut's HTTP server over the SDK's embedded {@code
 * FeatureStore}. {@link #close} stops taking requests, lets those in flight finish and closes the
 * stores.
 */
public final class QuiverServer implements AutoCloseable {

  private final ApplicationContext context;
  private final EmbeddedServer server;

  private QuiverServer(ApplicationContext context, EmbeddedServer server) {
    this.context = context;
    this.server = server;
  }

  /**
   * Starts serving {@code repo} on {@code port} (0 picks a free one).
   *
   * @param settings more {@code quiver.server.*} or {@code micronaut.*} settings
   * @throws ConfigurationException naming the key of a setting that is not valid
   * @throws dev.quiver.QuiverException when the repo or its stores cannot be opened
   */
  public static QuiverServer start(Path repo, int port, Map<String, Object> settings) {
    Map<String, Object> properties = new HashMap<>();
    properties.put("micronaut.server.port", port);
    properties.put("micronaut.server.host", "0.0.0.0");
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
      return new QuiverServer(context, server);
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

  /** The Arrow Flight port for training sets. */
  public int flightPort() {
    return context.getBean(FlightEndpoint.class).port();
  }

  public String url() {
    return "http://127.0.0.1:" + port();
  }

  public boolean isRunning() {
    return server.isRunning();
  }

  /** The repo being served, for tests of this package. */
  FeatureService features() {
    return context.getBean(FeatureService.class);
  }

  @Override
  public void close() {
    server.stop();
    context.close();
  }
}
