package dev.quiver.server;

import dev.quiver.QuiverException;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.store.RegistrySnapshot;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.SharesOnlineStore;
import dev.quiver.streaming.IngestOptions;
import dev.quiver.streaming.IngestionMetrics;
import dev.quiver.streaming.Ingestor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka ingestion into an embedded store's online store, on a thread of its own: what {@code quiver
 * ingest} runs in the foreground and {@code quiver serve --ingest} beside the server. {@link #stop}
 * lets the batch in hand finish and commit.
 */
public final class StreamIngestion {

  private static final Logger LOG = LoggerFactory.getLogger(StreamIngestion.class);

  private final Ingestor ingestor;
  private final IngestionMetrics metrics;
  private final List<String> views;
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private Thread thread;

  private StreamIngestion(Ingestor ingestor, IngestionMetrics metrics, List<String> views) {
    this.ingestor = ingestor;
    this.metrics = metrics;
    this.views = views;
  }

  /**
   * Ingestion of {@code store}'s views on stream sources, as its registry defines them now; not
   * started yet. {@code ${VAR}} in the sources' connection fields take {@code environment}'s
   * values.
   *
   * @throws QuiverException when nothing is registered, a view is unknown or not on a stream, no
   *     view is on a stream, or a variable is unset
   * @throws dev.quiver.online.OnlineStoreException when the online store cannot be opened
   */
  public static StreamIngestion of(
      FeatureStore store, Path repo, IngestOptions options, Map<String, String> environment) {
    if (!(store instanceof SharesOnlineStore local)) {
      throw new UnsupportedOperationException(
          store.getClass().getSimpleName() + " does not support ingestion: it has no online store");
    }
    RegistrySnapshot snapshot = store.registry();
    if (snapshot.version() == 0) {
      throw new QuiverException(
          "Cannot ingest: nothing is registered in project '"
              + store.project()
              + "' yet; run 'quiver apply' first");
    }
    Definitions definitions = snapshot.definitions();
    IngestionMetrics metrics = new IngestionMetrics();
    Ingestor ingestor =
        new Ingestor(
            store.project(), definitions, local.onlineStore(), repo, options, environment, metrics);
    List<String> views =
        options.views().isEmpty()
            ? definitions.featureViews().stream()
                .filter(v -> definitions.streamSourceOf(v).isPresent())
                .map(FeatureView::name)
                .toList()
            : options.views().stream().sorted().distinct().toList();
    return new StreamIngestion(ingestor, metrics, views);
  }

  /** Starts consuming on a thread of its own, which holds the process up until {@link #stop}. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("ingestion already started");
    }
    thread =
        new Thread(
            () -> {
              try {
                ingestor.run();
              } catch (RuntimeException e) {
                failure.set(e);
                LOG.error("Ingestion stopped: {}", e.getMessage());
              }
            },
            "quiver-ingest");
    thread.start();
  }

  /** Asks ingestion to finish and commit the batch in hand, and returns at once. */
  public void requestStop() {
    ingestor.stop();
  }

  /**
   * Asks ingestion to finish and commit the batch in hand, waits for it at most {@code timeout} and
   * releases what it holds.
   *
   * @return whether it stopped within {@code timeout}
   */
  public boolean stop(Duration timeout) throws InterruptedException {
    ingestor.stop();
    boolean stopped = !started() || ingestor.awaitStopped(timeout);
    if (stopped) {
      ingestor.close();
    }
    return stopped;
  }

  private synchronized boolean started() {
    return thread != null;
  }

  /** Waits at most {@code timeout} for ingestion to end (after {@link #stop}, or a failure). */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    return ingestor.awaitStopped(timeout);
  }

  /** Why ingestion ended on its own, if it did: the consumer could not be created or run. */
  public Optional<RuntimeException> failure() {
    return Optional.ofNullable(failure.get());
  }

  /** Ingestion's health: the ingestor's own, or the failure that ended it. */
  public IngestionMetrics.Status status() {
    RuntimeException failed = failure.get();
    if (failed != null) {
      return new IngestionMetrics.Status(false, failed.getMessage(), metrics.status().since());
    }
    return metrics.status();
  }

  public IngestionMetrics metrics() {
    return metrics;
  }

  public String group() {
    return ingestor.group();
  }

  public List<String> topics() {
    return ingestor.topics();
  }

  /** The views kept fresh, by name. */
  public List<String> views() {
    return views;
  }
}
