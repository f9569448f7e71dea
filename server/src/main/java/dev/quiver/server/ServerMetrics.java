package dev.quiver.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's Prometheus metrics: request latency per endpoint and status, online lookup latency,
 * errors by kind, and per view how stale its online data is.
 */
@Singleton
public final class ServerMetrics {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Timer> requests = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> staleness = new ConcurrentHashMap<>();
  private final Timer onlineLookups;
  private final FeatureService features;

  ServerMetrics(FeatureService features) {
    this.features = features;
    this.onlineLookups =
        Timer.builder("quiver_online_lookup")
            .description("Online lookups through the SDK: checks, one store round trip, decoding")
            .publishPercentileHistogram()
            .register(registry);
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

  Timer onlineLookups() {
    return onlineLookups;
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

  /** The metrics in Prometheus' text format, staleness brought up to date first. */
  String scrape() {
    Instant now = features.clock().instant();
    for (Map.Entry<String, Instant> view : features.store().newestMaterializedEvents().entrySet()) {
      Instant newest = view.getValue();
      staleness
          .computeIfAbsent(
              view.getKey(),
              name -> {
                AtomicLong seconds = new AtomicLong();
                Gauge.builder("quiver_view_staleness_seconds", seconds, AtomicLong::get)
                    .description(
                        "Now minus the newest event time materialized into the online store:"
                            + " how old the view's freshest online row is")
                    .tag("view", name)
                    .register(registry);
                return seconds;
              })
          .set(Duration.between(newest, now).toSeconds());
    }
    return registry.scrape();
  }
}
