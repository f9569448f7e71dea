package dev.quiver.streaming;

import dev.quiver.offline.io.OfflineLog;
import dev.quiver.registry.rules.ValidationReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * An assigned partition's work between two commits: the batches applied online since the last
 * commit, their dead letters sent in the partition's open transaction, and (for a logged stream)
 * their events gathered for one offline log file. {@link #commit} writes the file, then commits the
 * transaction with the next offset; until then nothing of the window is visible offline or to
 * {@code read_committed} readers, and a crash makes the window read again.
 */
final class PartitionWindow {

  final TopicPartition partition;
  private final StreamTopic topic;
  private final Supplier<Producer<byte[], byte[]>> producers;
  private final BufferAllocator allocator;
  private Producer<byte[], byte[]> producer;
  private CompletableFuture<Producer<byte[], byte[]>> starting;

  /** The highest offset the partition's offline log holds; -1 when none. */
  private long lastLogged = -1;

  /** Whether an earlier attempt failed, so the committed offset must be read before going on. */
  boolean resync;

  private boolean open;
  private long first = -1;
  private long last = -1;
  private long openedAt;
  private OfflineLog.Batch log;
  private long events;
  private final List<DeadLetterReason> deadLetters = new ArrayList<>();
  private final List<ValidationReport> validated = new ArrayList<>();

  PartitionWindow(
      TopicPartition partition,
      StreamTopic topic,
      Supplier<Producer<byte[], byte[]>> producers,
      BufferAllocator allocator) {
    this.partition = partition;
    this.topic = topic;
    this.producers = producers;
    this.allocator = allocator;
  }

  /**
   * The partition's producer, created on first use: creating it fences the partition's previous
   * owner and completes or aborts the transaction it left open.
   */
  Producer<byte[], byte[]> producer() {
    if (producer == null) {
      CompletableFuture<Producer<byte[], byte[]>> started = starting;
      starting = null;
      if (started == null) {
        producer = producers.get();
      } else {
        try {
          producer = started.join();
        } catch (CompletionException e) {
          throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
      }
    }
    return producer;
  }

  /**
   * Starts creating the producer on {@code executor}, so that the partitions a process is given
   * initialize their transactions together rather than one after the other in the first batches.
   */
  void startProducer(Executor executor) {
    if (producer == null && starting == null) {
      starting = CompletableFuture.supplyAsync(producers, executor);
    }
  }

  /** Reads the highest offset the partition's offline log holds from its file names. */
  void readLastLogged() {
    if (topic.logs()) {
      lastLogged = loggedOnDisk();
    }
  }

  private long loggedOnDisk() {
    return OfflineLog.lastLoggedOffset(
            topic.logDirectory(), partition.topic(), partition.partition())
        .orElse(-1);
  }

  boolean isOpen() {
    return open;
  }

  /** The first offset of the window, the one a failed window is read again from. */
  long first() {
    return first;
  }

  /**
   * Adds a batch already applied online: sends its dead letters in the window's transaction and
   * gathers its events for the log.
   *
   * @param batchEvents the batch's decoded events (counted as ingested by the views that took them)
   * @param logged those of them the offline log keeps: none when a {@code reject} view refused the
   *     batch (they went to the dead-letter topic instead)
   */
  void add(
      long batchFirst,
      long batchLast,
      List<StreamEvent> batchEvents,
      List<StreamEvent> logged,
      List<ProducerRecord<byte[], byte[]>> letters,
      List<DeadLetterReason> reasons,
      List<ValidationReport> reports) {
    if (!open) {
      producer().beginTransaction();
      open = true;
      first = batchFirst;
      openedAt = System.nanoTime();
    }
    for (ProducerRecord<byte[], byte[]> letter : letters) {
      producer.send(letter);
    }
    if (topic.logs()) {
      for (StreamEvent event : logged) {
        if (event.offset() > lastLogged) {
          if (log == null) {
            log = new OfflineLog.Batch(topic.batchSource(), topic.logColumns(), allocator);
          }
          log.add(event.eventNanos(), event.values());
        }
      }
    }
    last = batchLast;
    events += batchEvents.size();
    deadLetters.addAll(reasons);
    validated.addAll(reports);
  }

  /**
   * Whether the window should be committed now: it holds {@code logRollRows} messages, or it is
   * older than the log's roll interval (a logged stream) or the commit interval (any other).
   */
  /** The log rows the window holds in memory. */
  int logRows() {
    return log == null ? 0 : log.rows();
  }

  boolean due(IngestOptions options) {
    if (!open) {
      return false;
    }
    Duration interval = topic.logs() ? options.logRollInterval() : options.commitInterval();
    return events + deadLetters.size() >= options.logRollRows()
        || System.nanoTime() - openedAt >= interval.toNanos();
  }

  /**
   * Commits the window: its offsets join the transaction first (which fails when another process
   * owns the partition now, so a process that lost it never logs), then its log file is written
   * (named by its offset range, after the last logged offset), then the transaction with its dead
   * letters and offsets is committed.
   *
   * @throws IllegalStateException when the partition's log holds offsets this window does not know
   *     of (another owner logged them): the window is read again
   */
  void commit(ConsumerGroupMetadata group, IngestionMetrics metrics) {
    if (!open) {
      return;
    }
    producer.sendOffsetsToTransaction(Map.of(partition, new OffsetAndMetadata(last + 1)), group);
    if (topic.logs() && last > lastLogged) {
      long onDisk = loggedOnDisk();
      if (onDisk > lastLogged) {
        throw new IllegalStateException(
            "the offline log of "
                + partition
                + " reached offset "
                + onDisk
                + ", logged by another process");
      }
      if (log != null && log.rows() > 0) {
        long from = Math.max(first, lastLogged + 1);
        log.writeTo(
            topic.logDirectory(),
            OfflineLog.streamFileName(partition.topic(), partition.partition(), from, last));
      }
      lastLogged = last;
    }
    producer.commitTransaction();
    Map<String, Long> rejected = new java.util.HashMap<>();
    for (ValidationReport report : validated) {
      if (report.rejected()) {
        rejected.merge(report.view(), report.rows(), Long::sum);
      }
      metrics.validated(report);
    }
    for (OnlineApplier applier : topic.appliers()) {
      metrics.ingested(
          applier.view.name(), events - rejected.getOrDefault(applier.view.name(), 0L));
    }
    deadLetters.forEach(metrics::deadLetter);
    metrics.committed();
    reset();
  }

  /**
   * Gives the window up after a failure: aborts its transaction where the producer still can, and
   * drops what it gathered. The producer is closed; the next one completes whatever this one left
   * in doubt.
   */
  void abandon() {
    if (producer != null) {
      try {
        if (open) {
          producer.abortTransaction();
        }
      } catch (RuntimeException e) {
        // The broker is gone or the producer fenced: the transaction is aborted on its own.
      }
    }
    close();
  }

  private void reset() {
    open = false;
    first = -1;
    last = -1;
    events = 0;
    deadLetters.clear();
    validated.clear();
    if (log != null) {
      log.close();
      log = null;
    }
  }

  /**
   * Closes the producer and drops what the window gathered, leaving an open transaction to whoever
   * takes the partition next.
   */
  void close() {
    if (starting != null) {
      starting.thenAccept(started -> started.close(Duration.ZERO));
      starting = null;
    }
    if (producer != null) {
      try {
        producer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        // Closing a producer whose broker is gone.
      }
      producer = null;
    }
    reset();
  }
}
