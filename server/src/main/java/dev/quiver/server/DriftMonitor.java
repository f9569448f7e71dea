package dev.quiver.server;

import dev.quiver.monitoring.drift.Drift;
import dev.quiver.monitoring.drift.DriftBaselines;
import dev.quiver.monitoring.drift.DriftReport;
import dev.quiver.monitoring.drift.FeatureDrift;
import dev.quiver.monitoring.logging.FeatureLogs;
import dev.quiver.monitoring.stats.CurrentStatistics;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.offline.stats.FeatureStatistics;
import dev.quiver.registry.model.Definitions;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures, in the background, how far what the server serves has drifted from the training set it
 * should resemble: every {@link DriftSettings#interval}, per feature service with {@code logging:},
 * the rows it logged in the last {@link DriftSettings#window} against the newest baseline's
 * statistics, with the computation of {@code quiver drift --logs} ({@link DriftReport}). The
 * results are the gauges {@code quiver_feature_psi{service, feature}} and {@code
 * quiver_feature_ks{service, feature}} (numbers only), and the whole last computation ({@link
 * #latest}) that {@code GET /api/v1/projects/{project}/drift} and the console show; a scrape or a
 * request reads the last results and never waits for a computation.
 */
@Context
public final class DriftMonitor implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DriftMonitor.class);

  private final FeatureService features;
  private final ServerMetrics metrics;
  private final DriftSettings settings;
  private final ScheduledExecutorService executor;

  /** The last computation, swapped whole; null before the first (or without a baseline). */
  private volatile DriftState latest;

  /**
   * One computation of the drift.
   *
   * @param computedAt when it ran
   * @param manifestFile the baseline: the newest training-set manifest with statistics found
   * @param manifest that manifest, read then
   * @param reportsByService per logged feature service with rows in the window, by name
   */
  public record DriftState(
      Instant computedAt,
      Path manifestFile,
      DatasetManifest manifest,
      Map<String, DriftReport> reportsByService) {

    public DriftState {
      Objects.requireNonNull(computedAt, "computedAt");
      Objects.requireNonNull(manifestFile, "manifestFile");
      Objects.requireNonNull(manifest, "manifest");
      reportsByService = Collections.unmodifiableMap(new TreeMap<>(reportsByService));
    }
  }

  DriftMonitor(FeatureService features, ServerMetrics metrics, DriftSettings settings) {
    this.features = features;
    this.metrics = metrics;
    this.settings = settings;
    if (settings.baseline().isEmpty()) {
      this.executor = null;
      return;
    }
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "quiver-drift");
              thread.setDaemon(true);
              return thread;
            });
    executor.scheduleWithFixedDelay(
        this::update, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The last computation of the drift: empty without a baseline ({@code quiver serve
   * --drift-baseline}) and until a training set with statistics is found under it. A computation
   * that fails keeps the one before (its {@link DriftState#computedAt} says how old it is); a
   * baseline that no longer has a training set with statistics empties it.
   */
  public Optional<DriftState> latest() {
    return Optional.ofNullable(latest);
  }

  /** The baseline the server compares with (a manifest, a training set or a folder of them). */
  public Optional<Path> baseline() {
    return settings.baseline().map(path -> features.config().resolve(path));
  }

  /** Computes every logged service's drift and shows it; a failure is logged, never thrown. */
  void update() {
    Path baseline = baseline().orElseThrow();
    Map<List<String>, Double> psi = new HashMap<>();
    Map<List<String>, Double> ks = new HashMap<>();
    try {
      Optional<Path> file = DriftBaselines.newest(baseline);
      if (file.isEmpty()) {
        LOG.debug("No training set with statistics under {} yet: no drift to show", baseline);
        latest = null;
      } else {
        DatasetManifest manifest = DatasetManifest.read(file.get());
        Definitions definitions = features.store().registry().definitions();
        Instant now = features.clock().instant();
        Map<String, DriftReport> reports = new HashMap<>();
        for (dev.quiver.registry.model.FeatureService service : definitions.featureServices()) {
          if (service.logging() != null) {
            measure(definitions, service.name(), manifest, file.get(), now, psi, ks)
                .ifPresent(report -> reports.put(service.name(), report));
          }
        }
        latest = new DriftState(now, file.get(), manifest, reports);
      }
    } catch (RuntimeException e) {
      LOG.warn("Cannot measure drift against {}: {}", baseline, e.getMessage());
    }
    metrics.drift(psi, ks);
  }

  private Optional<DriftReport> measure(
      Definitions definitions,
      String service,
      DatasetManifest manifest,
      Path manifestFile,
      Instant now,
      Map<List<String>, Double> psi,
      Map<List<String>, Double> ks) {
    Path folder = features.config().logFolder(service);
    Instant since = now.minus(settings.window());
    if (FeatureLogs.files(folder, since).isEmpty()) {
      return Optional.empty();
    }
    try {
      Map<String, FeatureStatistics> current =
          CurrentStatistics.ofLogs(definitions, service, folder, since, manifest.features());
      DriftReport report =
          DriftReport.of(
              manifest,
              manifestFile.toString(),
              current,
              "logs of feature service '" + service + "' since " + since,
              new Drift.Thresholds(Drift.Thresholds.DEFAULT_PSI, null),
              now);
      for (FeatureDrift feature : report.features()) {
        List<String> tags = List.of(service, feature.feature());
        if (feature.psi() != null) {
          psi.put(tags, feature.psi());
        }
        if (feature.ks() != null) {
          ks.put(tags, feature.ks());
        }
      }
      return Optional.of(report);
    } catch (RuntimeException e) {
      LOG.warn("Cannot measure the drift of feature service '{}': {}", service, e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  @PreDestroy
  public void close() {
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
