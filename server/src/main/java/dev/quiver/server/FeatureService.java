package dev.quiver.server;

import dev.quiver.Excerpt;
import dev.quiver.monitoring.consistency.ConsistencyReports;
import dev.quiver.online.OnlineStoreFactory;
import dev.quiver.online.OnlineStores;
import dev.quiver.registry.NoSuchObjectException;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.store.RegistrySnapshot;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.FeatureStoreOptions;
import dev.quiver.sdk.Freshness;
import io.micronaut.context.annotation.Context;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.TaskScheduler;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The repo the server serves: its embedded {@link FeatureStore}, opened (with the online store, for
 * writing) when the server starts, and the registry polling that picks up a new {@code quiver
 * apply} without a restart: a task on Micronaut's scheduler ({@link TaskExecutors#SCHEDULED}) every
 * {@code quiver.server.registry-poll}, cancelled when the context closes.
 */
@Context
public final class FeatureService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FeatureService.class);

  private final FeatureStore store;
  private final boolean onlineInProcess;
  private final ProjectConfig config;
  private final Clock clock;
  private final ScheduledFuture<?> poll;

  /** Whether the last registry check failed: its failure is logged once, not every poll. */
  private volatile boolean refreshFailing;

  FeatureService(ServerSettings settings, @Named(TaskExecutors.SCHEDULED) TaskScheduler scheduler) {
    this.clock = Clock.systemUTC();
    this.config = FeatureRepo.loadConfig(settings.repo(), System.getenv());
    this.onlineInProcess =
        OnlineStores.factory(config)
            .capabilities()
            .contains(OnlineStoreFactory.Capability.IN_PROCESS_READS);
    this.store =
        FeatureStore.open(settings.repo(), FeatureStoreOptions.defaults().withClock(clock));
    // Open the online store now: a store another process holds fails the start, not a request.
    try {
      store.checkOnlineStore();
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    this.poll =
        scheduler.scheduleWithFixedDelay(
            settings.registryPoll(), settings.registryPoll(), this::refresh);
  }

  public FeatureStore store() {
    return store;
  }

  /**
   * Whether online reads stay in this process (the store's type declares {@link
   * OnlineStoreFactory.Capability#IN_PROCESS_READS}: RocksDB, memory; microseconds, no waiting on a
   * network), so they may run on the server's event loop.
   */
  public boolean onlineInProcess() {
    return onlineInProcess;
  }

  /** The repo's {@code feature_store.yaml}, as read when the server started. */
  public ProjectConfig config() {
    return config;
  }

  public Clock clock() {
    return clock;
  }

  /**
   * Every online view's freshness at {@code now} (the registry's current definitions), counting the
   * events {@code ingested} wrote when the server ingests from Kafka.
   */
  public List<Freshness.ViewFreshness> freshness(Instant now, Map<String, Instant> ingested) {
    return Freshness.of(
        store.registry().definitions(), store.materializationStates(), ingested, now);
  }

  /**
   * The newest saved consistency report ({@code quiver consistency}) of each feature service with
   * {@code logging:} in the registry's current definitions that has one, by service name.
   *
   * @throws dev.quiver.OutputException naming the file when a saved report is damaged
   */
  public List<ConsistencyReports.SavedConsistency> consistencyReports() {
    List<ConsistencyReports.SavedConsistency> reports = new ArrayList<>();
    store.registry().definitions().featureServices().stream()
        .filter(service -> service.logging() != null)
        .map(dev.quiver.registry.model.FeatureService::name)
        .sorted()
        .forEach(
            service ->
                ConsistencyReports.newest(config.logFolder(service)).ifPresent(reports::add));
    return List.copyOf(reports);
  }

  /**
   * The registry snapshot, when it is {@code project}'s.
   *
   * @throws NoSuchObjectException for another project
   */
  public RegistrySnapshot registryOf(String project) {
    RegistrySnapshot snapshot = store.registry();
    if (!snapshot.project().equals(project)) {
      throw new NoSuchObjectException(
          "This server serves project '"
              + snapshot.project()
              + "', not '"
              + Excerpt.of(project)
              + "'");
    }
    return snapshot;
  }

  /** One check for a newer registry version; a failing check is logged once until one passes. */
  void refresh() {
    try {
      if (store.refreshRegistry()) {
        // A normal event: an apply was picked up.
        LOG.info("Now serving registry version {}", store.registry().version());
      }
      refreshFailing = false;
    } catch (RuntimeException e) {
      if (!refreshFailing) {
        LOG.warn("Cannot check the registry for a new version: {}", e.getMessage());
      }
      refreshFailing = true;
    }
  }

  @Override
  @PreDestroy
  public void close() {
    poll.cancel(false);
    store.close();
  }
}
