package dev.quiver.server;

import dev.quiver.monitoring.logging.FeatureLogger;
import dev.quiver.monitoring.logging.LogSettings;
import dev.quiver.monitoring.logging.ServedRows;
import dev.quiver.registry.model.Definitions;
import dev.quiver.sdk.OnlineResponse;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's feature logging: every online lookup of a feature service with {@code logging:} is
 * handed to the monitoring library's {@link FeatureLogger} (a bounded queue and a thread of its
 * own, so a lookup never waits for it), which writes the rows under the repo's {@code
 * logging.path}. Closed with the server (Ctrl-C, SIGTERM), after the requests in flight: the rows
 * served until then are in finished files.
 */
@Context
public final class ServedFeatureLog implements AutoCloseable {

  private final FeatureService features;
  private final ServerMetrics metrics;
  private final FeatureLogger logger;
  private final Set<String> counted = ConcurrentHashMap.newKeySet();

  ServedFeatureLog(FeatureService features, ServerMetrics metrics, FeatureLogSettings settings) {
    this.features = features;
    this.metrics = metrics;
    this.logger =
        new FeatureLogger(
            service -> features.config().logFolder(service),
            LogSettings.defaults()
                .withQueueCapacity(settings.queueCapacity())
                .withQueueRows(settings.queueRows())
                .withRollBytes(settings.rollBytes())
                .withRollInterval(settings.rollInterval()),
            features.clock());
  }

  /**
   * Logs a lookup's rows when {@code service} has {@code logging:}; never blocks.
   *
   * @param requestTime when the server answered
   */
  void served(String service, OnlineResponse response, Instant requestTime) {
    Definitions definitions = features.store().registry().definitions();
    if (FeatureLogger.loggingOf(definitions, service) == null) {
      return;
    }
    if (!counted.contains(service) && counted.add(service)) {
      metrics.featureLog(service, logger.counts(service));
    }
    logger.offer(new ServedRows(service, definitions, requestTime, response));
  }

  /** The logger, for tests that wait for its files. */
  FeatureLogger logger() {
    return logger;
  }

  @Override
  @PreDestroy
  public void close() {
    logger.close();
  }
}
