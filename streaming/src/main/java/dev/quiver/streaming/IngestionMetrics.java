package dev.quiver.streaming;

import dev.quiver.registry.rules.ValidationReport;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * What ingestion has done so far, read by the progress line, the server's Prometheus metrics and
 * its readiness check: events ingested per view, dead letters by reason, lag per partition, the
 * delay from an event's time to its being visible online, and whether the broker and the store
 * answer.
 */
public final class IngestionMetrics {

  /** Ingestion's state for readiness: running and in touch, or why not. */
  public record Status(boolean healthy, String detail, Instant since) {}

  private final Map<String, LongAdder> ingested = new ConcurrentHashMap<>();
  private final Map<String, Long> newest = new ConcurrentHashMap<>();
  private final Map<DeadLetterReason, LongAdder> deadLetters = new ConcurrentHashMap<>();
  private final Map<String, Long> lag = new ConcurrentSkipListMap<>();
  private final LongAdder batches = new LongAdder();
  private final ConcurrentHistogram delayMicros = new ConcurrentHistogram(3);
  private final AtomicReference<Status> status =
      new AtomicReference<>(new Status(false, "starting", Instant.now()));
  private volatile LongConsumer delayListener = nanos -> {};
  private volatile Consumer<ValidationReport> validationListener = report -> {};
  private final Map<String, LongAdder> rejectedBatches = new ConcurrentHashMap<>();

  /** Records that events up to {@code eventNanos} of {@code view} are online. */
  void newestOnline(String view, long eventNanos) {
    newest.merge(view, eventNanos, Math::max);
  }

  /**
   * Per view, the newest event time this ingestion wrote to the online store (since the process
   * started): how fresh a view kept by the stream is.
   */
  public Map<String, Instant> newestEventByView() {
    Map<String, Instant> out = new java.util.TreeMap<>();
    newest.forEach((view, nanos) -> out.put(view, dev.quiver.EpochNanos.toInstant(nanos)));
    return out;
  }

  void ingested(String view, long events) {
    ingested.computeIfAbsent(view, v -> new LongAdder()).add(events);
  }

  void deadLetter(DeadLetterReason reason) {
    deadLetters.computeIfAbsent(reason, r -> new LongAdder()).increment();
  }

  void lag(String topicPartition, long messages) {
    lag.put(topicPartition, messages);
  }

  void forget(String topicPartition) {
    lag.remove(topicPartition);
  }

  void committed() {
    batches.increment();
  }

  /** Records that an event dated {@code eventNanos} became visible online at {@code nowNanos}. */
  void visible(long eventNanos, long nowNanos) {
    long delay = Math.max(0, nowNanos - eventNanos);
    delayMicros.recordValue(Math.min(delay / 1000, Long.MAX_VALUE / 2));
    delayListener.accept(delay);
  }

  void status(boolean healthy, String detail) {
    Status now = status.get();
    if (now.healthy() != healthy || !now.detail().equals(detail)) {
      status.set(new Status(healthy, detail, Instant.now()));
    }
  }

  /** Records the rules a committed batch was checked against (written or, rejected, skipped). */
  void validated(ValidationReport report) {
    if (report.rejected()) {
      rejectedBatches.computeIfAbsent(report.view(), v -> new LongAdder()).increment();
    }
    if (!report.passed()) {
      validationListener.accept(report);
    }
  }

  /** Also tells each report of a batch that broke a rule to {@code listener}, such as counters. */
  public void onValidation(Consumer<ValidationReport> listener) {
    this.validationListener = listener;
  }

  /**
   * Per view, the batches (one partition's poll) not written because they broke a rule of a {@code
   * validation: reject} view: skipped, their offsets committed.
   */
  public Map<String, Long> rejectedBatchesByView() {
    Map<String, Long> out = new java.util.TreeMap<>();
    rejectedBatches.forEach((view, count) -> out.put(view, count.sum()));
    return out;
  }

  /** Also tells each end-to-end delay (nanoseconds) to {@code listener}, such as a timer. */
  public void onDelay(LongConsumer listener) {
    this.delayListener = listener;
  }

  /** Events written online per view. */
  public Map<String, Long> ingestedByView() {
    Map<String, Long> out = new java.util.TreeMap<>();
    ingested.forEach((view, count) -> out.put(view, count.sum()));
    return out;
  }

  public long ingested() {
    return ingested.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Dead letters per reason, every reason listed. */
  public Map<DeadLetterReason, Long> deadLettersByReason() {
    Map<DeadLetterReason, Long> out = new java.util.EnumMap<>(DeadLetterReason.class);
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      LongAdder count = deadLetters.get(reason);
      out.put(reason, count == null ? 0 : count.sum());
    }
    return out;
  }

  public long deadLetters() {
    return deadLetters.values().stream().mapToLong(LongAdder::sum).sum();
  }

  /** Messages not yet ingested per assigned partition ({@code topic-partition}). */
  public Map<String, Long> lagByPartition() {
    return Map.copyOf(lag);
  }

  public long lag() {
    return lag.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Batches committed (online, offline log, dead letters and offsets). */
  public long batches() {
    return batches.sum();
  }

  /** The end-to-end delay at a percentile (0-100), in milliseconds; 0 before any event. */
  public double delayMillis(double percentile) {
    return delayMicros.getTotalCount() == 0
        ? 0
        : delayMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  public Status status() {
    return status.get();
  }
}
