package dev.quiver.server;

import dev.quiver.monitoring.logging.FeatureLogger;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.registry.ondemand.OnDemandErrors;
import dev.quiver.registry.rules.ValidationReport;
import dev.quiver.registry.store.MaterializationState;
import dev.quiver.sdk.Freshness;
import dev.quiver.streaming.DeadLetterReason;
import dev.quiver.streaming.IngestionMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's Prometheus metrics: request latency per endpoint and status, online lookup latency,
 * errors by kind, per view how stale its online data is, and Kafka ingestion's when it runs here.
 */
@Singleton
public final class ServerMetrics {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Timer> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, Counter> validationCounters = new ConcurrentHashMap<>();
  private final TaggedGauges staleness =
      new TaggedGauges(
          List.of("view"),
          "quiver_view_staleness_seconds",
          "Now minus the newest event time materialized into the online store (how old the"
              + " view's freshest online row is); +Inf when none is known");
  private final TaggedGauges freshness =
      new TaggedGauges(
          List.of("view"),
          "quiver_view_fresh",
          "1 when the view's newest online event is within its freshness goal, else 0");
  private final TaggedGauges lag =
      new TaggedGauges(
          List.of("partition"),
          "quiver_ingest_lag",
          "Messages of a partition not ingested yet (consumer lag)");
  private final TaggedGauges psi =
      new TaggedGauges(
          List.of("service", "feature"),
          "quiver_feature_psi",
          "Population stability index of a feature's logged serving values against the newest"
              + " training set's (quiver serve --drift-baseline)");
  private final TaggedGauges ks =
      new TaggedGauges(
          List.of("service", "feature"),
          "quiver_feature_ks",
          "Kolmogorov-Smirnov statistic of a number feature's logged serving values against the"
              + " newest training set's (quiver serve --drift-baseline)");
  private final Map<String, FunctionCounter> onDemandErrors = new ConcurrentHashMap<>();
  private final Map<String, FunctionCounter> onDemandTrainingErrors = new ConcurrentHashMap<>();
  private volatile StreamIngestion ingestion;
  private final Timer onlineLookups;
  private final FeatureService features;

  ServerMetrics(FeatureService features) {
    this.features = features;
    this.onlineLookups =
        Timer.builder("quiver_online_lookup")
            .description("Online lookups through the SDK: checks, one store round trip, decoding")
            .publishPercentileHistogram()
            .register(registry);
    registerMemory(MemoryBudget.process());
  }

  /** The process's memory budget: its limit, what operations reserved and allocated of it. */
  private void registerMemory(MemoryBudget memory) {
    Gauge.builder("quiver_memory_limit_bytes", memory, MemoryBudget::limit)
        .description("The memory operations may reserve together (QUIVER_MEMORY_LIMIT)")
        .register(registry);
    Gauge.builder("quiver_memory_reserved_bytes", memory, MemoryBudget::reserved)
        .description("Memory reserved by the training sets and materializations running")
        .register(registry);
    Gauge.builder("quiver_memory_allocated_bytes", memory, m -> m.root().getAllocatedMemory())
        .description("Arrow memory allocated within the budget now")
        .register(registry);
    Gauge.builder(
            "quiver_memory_peak_allocated_bytes", memory, m -> m.root().getPeakMemoryAllocation())
        .description("The most Arrow memory allocated within the budget at once since start")
        .register(registry);
    Gauge.builder("quiver_memory_waiting_operations", memory, MemoryBudget::waitingOperations)
        .description("Operations waiting for memory that others hold")
        .register(registry);
    FunctionCounter.builder("quiver_memory_waits", memory, MemoryBudget::waits)
        .description("Operations that had to wait for memory others held, since start")
        .register(registry);
  }

  /**
   * Ingestion's metrics ({@code serve --ingest}): events per view, dead letters per reason, lag per
   * partition, the end-to-end delay and whether it is healthy. Every label takes a bounded set of
   * values: the views and partitions ingested, the reasons.
   */
  void registerIngestion(StreamIngestion running) {
    IngestionMetrics counts = running.metrics();
    for (String view : running.views()) {
      FunctionCounter.builder(
              "quiver_ingest_events", counts, m -> m.ingestedByView().getOrDefault(view, 0L))
          .description("Events from Kafka written to the online store, per view")
          .tag("view", view)
          .register(registry);
    }
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      FunctionCounter.builder(
              "quiver_ingest_dead_letters", counts, m -> m.deadLettersByReason().get(reason))
          .description("Messages sent to the dead-letter topic, per reason")
          .tag("reason", reason.code())
          .register(registry);
    }
    Timer delay =
        Timer.builder("quiver_ingest_delay")
            .description("From an event's time to its being visible online (end-to-end delay)")
            .publishPercentileHistogram()
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry);
    counts.onDelay(nanos -> delay.record(nanos, TimeUnit.NANOSECONDS));
    counts.onValidation(report -> validation("ingest", report));
    Gauge.builder("quiver_ingest_healthy", running, r -> r.status().healthy() ? 1 : 0)
        .description("1 while ingestion reaches Kafka and the online store, else 0")
        .register(registry);
    this.ingestion = running;
  }

  /** Records one request's latency. */
  void request(String endpoint, int status, long nanos) {
    requests
        .computeIfAbsent(
            endpoint + " " + status,
            k ->
                Timer.builder("quiver_http_requests")
                    .description("HTTP requests by endpoint and status")
                    .tag("endpoint", endpoint)
                    .tag("status", String.valueOf(status))
                    .publishPercentileHistogram()
                    .register(registry))
        .record(Duration.ofNanos(nanos));
  }

  /**
   * The feature log's counters of one service: rows logged (after sampling, in finished files),
   * rows dropped because the log's queue was full (or the logger closed) and rows lost to write
   * failures.
   */
  void featureLog(String service, FeatureLogger.Counts counts) {
    FunctionCounter.builder("quiver_feature_log_rows", counts, FeatureLogger.Counts::logged)
        .description("Served rows written to the feature log, per feature service (after sampling)")
        .tag("service", service)
        .register(registry);
    FunctionCounter.builder("quiver_feature_log_dropped", counts, FeatureLogger.Counts::dropped)
        .description(
            "Served rows not logged because the feature log's queue was full, per feature service")
        .tag("service", service)
        .register(registry);
    FunctionCounter.builder("quiver_feature_log_lost", counts, FeatureLogger.Counts::lost)
        .description(
            "Served rows taken from the feature log's queue but not in a finished file because"
                + " writing failed, per feature service")
        .tag("service", service)
        .register(registry);
  }

  Timer onlineLookups() {
    return onlineLookups;
  }

  /**
   * Counts what a written or refused batch broke: {@code quiver_validation_failures_total{view,
   * feature, rule, write}} by the rows that broke each rule (for {@code max_null_fraction}, the
   * batch's nulls), and {@code quiver_validation_rejected_total{view, write}} by batches refused.
   *
   * @param write the write path: push, materialize or ingest
   */
  void validation(String write, ValidationReport report) {
    for (ValidationReport.Failure failure : report.failures()) {
      validationCounters
          .computeIfAbsent(
              String.join("\u0000", report.view(), failure.feature(), failure.rule().yaml(), write),
              k ->
                  Counter.builder("quiver_validation_failures")
                      .description(
                          "Rows that broke a feature's expect rule, by view, feature, rule and"
                              + " write path (push, materialize, ingest)")
                      .tag("view", report.view())
                      .tag("feature", failure.feature())
                      .tag("rule", failure.rule().yaml())
                      .tag("write", write)
                      .register(registry))
          .increment(failure.rows());
    }
    if (report.rejected()) {
      validationCounters
          .computeIfAbsent(
              String.join("\u0000", report.view(), write),
              k ->
                  Counter.builder("quiver_validation_rejected")
                      .description(
                          "Batches not written because they broke a rule of a validation: reject"
                              + " view, by view and write path")
                      .tag("view", report.view())
                      .tag("write", write)
                      .register(registry))
          .increment();
    }
  }

  void error(String kind) {
    errors
        .computeIfAbsent(
            kind,
            k ->
                Counter.builder("quiver_errors")
                    .description("Errors answered, by kind")
                    .tag("kind", k)
                    .register(registry))
        .increment();
  }

  /**
   * The metrics in Prometheus' text format, staleness brought up to date first: for every view
   * materialized so far, now minus the newest event time materialized, or +Inf when no window held
   * a row yet (or it was materialized before Quiver recorded event times): its online data is of
   * unknown age, which should alarm rather than vanish. Views whose online data was deleted lose
   * their gauge.
   */
  synchronized String scrape() {
    Instant now = features.clock().instant();
    Map<String, MaterializationState> materialized = features.store().materializationStates();
    Map<String, Double> ages = new HashMap<>();
    materialized.forEach(
        (view, state) -> {
          Instant at = state.newestEvent();
          ages.put(
              view,
              at == null
                  ? Double.POSITIVE_INFINITY
                  : Duration.between(at, now).toMillis() / 1000.0);
        });
    staleness.show(ages);
    updateLag();
    countOnDemandErrors();
    updateFreshness(now);
    return registry.scrape();
  }

  /**
   * A counter per on-demand feature whose evaluation ended in a CEL error (and so gave null) at
   * least once in this process.
   */
  private void countOnDemandErrors() {
    for (String feature : OnDemandErrors.counts().keySet()) {
      onDemandErrors.computeIfAbsent(
          feature,
          f ->
              FunctionCounter.builder("quiver_on_demand_errors", f, OnDemandErrors::count)
                  .description(
                      "Online evaluations of an on-demand feature that ended in a CEL error and"
                          + " gave null (NULL_VALUE)")
                  .tag("feature", f)
                  .register(registry));
    }
    for (String feature : OnDemandErrors.trainingCounts().keySet()) {
      onDemandTrainingErrors.computeIfAbsent(
          feature,
          f ->
              FunctionCounter.builder(
                      "quiver_on_demand_training_errors", f, OnDemandErrors::trainingCount)
                  .description(
                      "Evaluations of an on-demand feature for training sets made by this server"
                          + " (Flight) that ended in a CEL error and gave null")
                  .tag("feature", f)
                  .register(registry));
    }
  }

  /** A lag gauge per partition assigned to this process now; a partition that moved loses its. */
  private void updateLag() {
    StreamIngestion running = ingestion;
    if (running == null) {
      return;
    }
    Map<String, Double> lags = new HashMap<>();
    running
        .metrics()
        .lagByPartition()
        .forEach((partition, messages) -> lags.put(partition, (double) messages));
    lag.show(lags);
  }

  /**
   * Per view with a {@code freshness:} goal, 1 when its newest materialized event is at most that
   * old, else 0 (the same computation as {@code GET /freshness}); views without a goal, or gone,
   * have no gauge.
   */
  private void updateFreshness(Instant now) {
    StreamIngestion running = ingestion;
    Map<String, Instant> ingested =
        running == null ? Map.of() : running.metrics().newestEventByView();
    Map<String, Double> fresh = new HashMap<>();
    for (Freshness.ViewFreshness view : features.freshness(now, ingested)) {
      if (view.goal() != null) {
        fresh.put(view.view(), Boolean.TRUE.equals(view.fresh()) ? 1.0 : 0.0);
      }
    }
    freshness.show(fresh);
  }

  /**
   * Shows the drift {@link DriftMonitor} measured, by (service, feature); features no longer
   * measured lose their gauges.
   */
  void drift(Map<List<String>, Double> psiValues, Map<List<String>, Double> ksValues) {
    psi.showTagged(psiValues);
    ks.showTagged(ksValues);
  }

  /**
   * One gauge per value of its tags (a view, a partition, a service and a feature): {@link #show}
   * sets those given and removes the others, so a view that is gone, or a partition assigned
   * elsewhere, loses its gauge.
   */
  private final class TaggedGauges {
    private final List<String> tags;
    private final String name;
    private final String description;
    private final Map<List<String>, TaggedGauge> gauges = new ConcurrentHashMap<>();

    TaggedGauges(List<String> tags, String name, String description) {
      this.tags = List.copyOf(tags);
      this.name = name;
      this.description = description;
    }

    /** For a gauge of one tag: its values by that tag's value. */
    void show(Map<String, Double> values) {
      Map<List<String>, Double> tagged = new HashMap<>();
      values.forEach((key, value) -> tagged.put(List.of(key), value));
      showTagged(tagged);
    }

    synchronized void showTagged(Map<List<String>, Double> values) {
      values.forEach(
          (key, value) ->
              gauges
                  .computeIfAbsent(key, this::register)
                  .value
                  .set(Double.doubleToLongBits(value)));
      gauges
          .entrySet()
          .removeIf(
              gauge -> {
                if (values.containsKey(gauge.getKey())) {
                  return false;
                }
                registry.remove(gauge.getValue().gauge);
                return true;
              });
    }

    private TaggedGauge register(List<String> values) {
      AtomicLong bits = new AtomicLong();
      Gauge.Builder<AtomicLong> builder =
          Gauge.builder(name, bits, b -> Double.longBitsToDouble(b.get())).description(description);
      for (int i = 0; i < tags.size(); i++) {
        builder.tag(tags.get(i), values.get(i));
      }
      Gauge gauge = builder.register(registry);
      return new TaggedGauge(gauge, bits);
    }
  }

  /** A gauge and the value it reads (a double's bits). */
  private record TaggedGauge(Gauge gauge, AtomicLong value) {}
}
