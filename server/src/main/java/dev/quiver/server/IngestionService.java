package dev.quiver.server;

import dev.quiver.streaming.IngestOptions;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka ingestion inside the server ({@code quiver serve --ingest}, {@code quiver.server.ingest}):
 * started with the server on the embedded store's own online store, so lookups see each batch as
 * soon as it commits, and stopped before that store closes, the batch in hand committed. Its
 * definitions are the registry's when the server started: a new {@code apply} that changes stream
 * sources or their views takes a restart.
 */
@Context
public final class IngestionService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(IngestionService.class);

  /** How long shutdown waits for the batch in hand. */
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final StreamIngestion ingestion;

  IngestionService(ServerSettings settings, FeatureService features, ServerMetrics metrics) {
    if (!settings.ingest()) {
      this.ingestion = null;
      return;
    }
    this.ingestion =
        StreamIngestion.of(
            features.store(), settings.repo(), IngestOptions.DEFAULTS, System.getenv());
    metrics.registerIngestion(ingestion);
    ingestion.start();
    LOG.info(
        "Ingesting {} into {} (consumer group {})",
        String.join(", ", ingestion.topics()),
        String.join(", ", ingestion.views()),
        ingestion.group());
  }

  /** The ingestion running in this server, if it was asked for. */
  public Optional<StreamIngestion> ingestion() {
    return Optional.ofNullable(ingestion);
  }

  /**
   * Per view, the newest event this server's ingestion wrote online; empty when it does not ingest.
   */
  public Map<String, Instant> newestEventByView() {
    return ingestion == null ? Map.of() : ingestion.metrics().newestEventByView();
  }

  @Override
  @PreDestroy
  public void close() {
    if (ingestion == null) {
      return;
    }
    try {
      if (!ingestion.stop(STOP_TIMEOUT)) {
        LOG.warn(
            "Ingestion did not stop within {} s; its uncommitted batch is read again next time",
            STOP_TIMEOUT.toSeconds());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
