package dev.quiver.streaming;

import dev.quiver.QuiverException;
import dev.quiver.online.OnlineStore;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KafkaSource;
import dev.quiver.registry.rules.ValidationReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Keeps views on stream sources fresh: a consumer group reads their topics and each partition's
 * messages are applied in batches, exactly once in effect.
 *
 * <p>Each batch of a partition is written online at once (idempotent: newer-wins rows with the
 * offset as created time, tiles that record the offsets they hold) and joins the partition's {@link
 * PartitionWindow}: its dead letters go into the window's Kafka transaction and its events into the
 * window's offline log file. A due window commits: offsets join the transaction, the log file is
 * written (named by the window's offset range, holding only offsets after the partition's last
 * logged one), the transaction commits. A crash anywhere before the commit leaves the offset where
 * it was: the window is read again, the online writes and the log skip what they hold, and the
 * aborted dead letters are sent again. The producer of a partition has a transactional id of its
 * own ({@code <group>.<topic>.<partition>}), so whoever takes the partition over, after a crash or
 * a rebalance, aborts what the previous owner left open.
 */
public final class Ingestor implements AutoCloseable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Ingestor.class);

  private static final Duration POLL = Duration.ofMillis(200);

  /** How long ingestion may hear nothing before it asks the broker whether it is there. */
  private static final Duration PROBE_AFTER = Duration.ofSeconds(5);

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  private final String group;
  private final OnlineStore store;
  private final IngestOptions options;
  private final IngestionMetrics metrics;
  private final Map<String, String> connection;
  private final Map<String, StreamTopic> topics = new LinkedHashMap<>();
  private final Map<TopicPartition, PartitionWindow> partitions = new HashMap<>();

  /** Partitions whose last attempt failed, with why: ingestion is unhealthy while any is. */
  private final Map<TopicPartition, String> failing = new LinkedHashMap<>();

  /** Counted down by {@link #stop}, so a pause between retries ends at once. */
  private final CountDownLatch stopRequested = new CountDownLatch(1);

  private final BufferAllocator allocator = new RootAllocator();
  private final ExecutorService producerStarts =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "quiver-ingest-producer-start");
            thread.setDaemon(true);
            return thread;
          });
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private UnaryOperator<Producer<byte[], byte[]>> producerWrapper = UnaryOperator.identity();
  private volatile boolean stopping;

  /**
   * @param project the project, naming the default consumer group
   * @param repoRoot the repo, which batch sources' paths are relative to
   * @param environment what {@code ${VAR}} in the sources' connection fields takes
   * @throws QuiverException when a view is unknown or on no stream source, or the sources cannot
   *     share one consumer
   */
  public Ingestor(
      String project,
      Definitions definitions,
      OnlineStore store,
      Path repoRoot,
      IngestOptions options,
      Map<String, String> environment,
      IngestionMetrics metrics) {
    this.group = options.groupOf(project);
    this.store = store;
    this.options = options;
    this.metrics = metrics;
    Map<KafkaSource, List<FeatureView>> fed = new LinkedHashMap<>();
    for (FeatureView view : viewsToIngest(definitions, options.views())) {
      fed.computeIfAbsent(definitions.streamSourceOf(view).orElseThrow(), s -> new ArrayList<>())
          .add(view);
    }
    Map<String, String> shared = null;
    for (Map.Entry<KafkaSource, List<FeatureView>> entry : fed.entrySet()) {
      KafkaSource source = entry.getKey();
      Map<String, String> settings = source.connection(environment);
      if (shared != null && !shared.equals(settings)) {
        throw new QuiverException(
            "Cannot ingest source '"
                + source.name()
                + "' with the others in one process: its bootstrap_servers or consumer_config"
                + " differ; ingest its views separately (--views)");
      }
      shared = settings;
      topics.put(
          source.topic(), StreamTopic.of(source, entry.getValue(), definitions, store, repoRoot));
    }
    this.connection = shared;
  }

  private static List<FeatureView> viewsToIngest(Definitions definitions, List<String> names) {
    List<String> streamViews =
        definitions.featureViews().stream()
            .filter(v -> definitions.streamSourceOf(v).isPresent())
            .map(FeatureView::name)
            .toList();
    if (streamViews.isEmpty()) {
      throw new QuiverException(
          "Nothing to ingest: no feature view reads a stream source (a source of type kafka)");
    }
    if (names.isEmpty()) {
      return streamViews.stream().map(n -> definitions.featureView(n).orElseThrow()).toList();
    }
    List<FeatureView> views = new ArrayList<>();
    for (String name : new TreeSet<>(names)) {
      FeatureView view =
          definitions
              .featureView(name)
              .orElseThrow(
                  () ->
                      new QuiverException(
                          "Cannot ingest feature view '"
                              + name
                              + "': it is not registered; views on stream sources: "
                              + String.join(", ", streamViews)));
      if (definitions.streamSourceOf(view).isEmpty()) {
        throw new QuiverException(
            "Cannot ingest feature view '"
                + name
                + "': its source '"
                + view.source()
                + "' is not a stream; views on stream sources: "
                + String.join(", ", streamViews));
      }
      views.add(view);
    }
    return views;
  }

  /** Wraps each producer ingestion creates, before it is used: for tests that inject faults. */
  void wrapProducers(UnaryOperator<Producer<byte[], byte[]>> wrapper) {
    this.producerWrapper = wrapper;
  }

  public String group() {
    return group;
  }

  /** The topics read, in definition order. */
  public List<String> topics() {
    return List.copyOf(topics.keySet());
  }

  /**
   * Consumes until {@link #stop}: the batch in hand is finished and committed first.
   *
   * @throws QuiverException when the consumer cannot be created (bad settings)
   */
  public void run() {
    try (KafkaConsumer<byte[], byte[]> kafka = new KafkaConsumer<>(consumerSettings())) {
      consumer = kafka;
      kafka.subscribe(topics.keySet(), new Rebalance());
      Duration backoff = options.retryBackoff();
      // The first quiet poll asks the broker at once, so readiness does not wait for a message.
      long lastContact = System.nanoTime() - PROBE_AFTER.toNanos();
      while (!stopping) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = kafka.poll(POLL);
        } catch (WakeupException e) {
          break;
        } catch (InterruptException e) {
          break;
        } catch (KafkaException e) {
          metrics.status(false, "cannot read from Kafka: " + e.getMessage());
          backoff = pause(backoff);
          continue;
        }
        if (!records.isEmpty()) {
          lastContact = System.nanoTime();
        } else if (System.nanoTime() - lastContact > PROBE_AFTER.toNanos()) {
          // A poll says nothing of a broker that is gone: ask it for metadata.
          lastContact = System.nanoTime();
          if (!probe(kafka)) {
            continue;
          }
        }
        boolean failed = false;
        for (TopicPartition tp : records.partitions()) {
          if (!process(tp, records.records(tp))) {
            failed = true;
          }
        }
        for (PartitionWindow window : List.copyOf(partitions.values())) {
          if (window.due(options) && !commit(window)) {
            failed = true;
          }
        }
        if (!commitLargestWhileOverBudget()) {
          failed = true;
        }
        recordLag(kafka);
        if (failed) {
          backoff = pause(backoff);
        } else {
          backoff = options.retryBackoff();
        }
      }
      // Stopping: the windows in hand are committed before the consumer leaves its group.
      for (PartitionWindow window : List.copyOf(partitions.values())) {
        commit(window);
      }
    } catch (KafkaException e) {
      throw new QuiverException("Cannot consume from Kafka: " + e.getMessage(), e);
    } finally {
      partitions.values().forEach(PartitionWindow::close);
      partitions.clear();
      consumer = null;
      metrics.status(false, "stopped");
      finished.countDown();
    }
  }

  /** Whether the broker answers; reports it in the status either way. */
  private boolean probe(KafkaConsumer<byte[], byte[]> kafka) {
    try {
      kafka.listTopics(PROBE_TIMEOUT);
      reportHealth();
      return true;
    } catch (WakeupException e) {
      stopping = true;
      return false;
    } catch (KafkaException e) {
      metrics.status(
          false,
          "cannot reach Kafka at "
              + connection.get("bootstrap.servers")
              + " within "
              + PROBE_TIMEOUT.toSeconds()
              + " s");
      return false;
    }
  }

  /** Asks {@link #run} to finish its batch in hand, commit it and return. */
  public void stop() {
    stopping = true;
    stopRequested.countDown();
    KafkaConsumer<byte[], byte[]> running = consumer;
    if (running != null) {
      running.wakeup();
    }
  }

  /** Waits until {@link #run} returned (after {@link #stop}), at most {@code timeout}. */
  public boolean awaitStopped(Duration timeout) throws InterruptedException {
    return finished.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private Duration pause(Duration backoff) {
    try {
      stopRequested.await(backoff.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    }
    Duration next = backoff.multipliedBy(2);
    return next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next;
  }

  /**
   * Applies one partition's batch online and adds it to the partition's window.
   *
   * @return false when it failed: the window is read again from its first offset
   */
  private boolean process(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
    StreamTopic topic = topics.get(tp.topic());
    long first = records.get(0).offset();
    PartitionWindow window;
    try {
      window = window(tp);
    } catch (RuntimeException e) {
      // The offline log's folder could not be read: read the batch again after a pause.
      metrics.status(false, "cannot ingest " + tp + ": " + e.getMessage());
      consumer.seek(tp, first);
      return false;
    }
    try {
      if (window.resync) {
        // An earlier attempt failed, maybe while committing: the new producer completes or
        // aborts its transaction, and the committed offset says where the partition really is.
        window.producer();
        window.readLastLogged();
        OffsetAndMetadata committed = consumer.committed(Set.of(tp)).get(tp);
        window.resync = false;
        if (committed != null && committed.offset() != first) {
          // The attempt's commit went through after all (or the partition moved on): go on
          // from the committed offset, dropping what this poll read before or after it.
          consumer.seek(tp, committed.offset());
          return true;
        }
      }
      List<StreamEvent> events = new ArrayList<>(records.size());
      List<ConsumerRecord<byte[], byte[]>> eventRecords = new ArrayList<>(records.size());
      List<ProducerRecord<byte[], byte[]>> letters = new ArrayList<>();
      List<DeadLetterReason> reasons = new ArrayList<>();
      List<EventDecoder.Decoded> decoded =
          Parallel.map(
              records,
              record ->
                  topic
                      .decoder()
                      .decode(
                          tp.partition(),
                          record.offset(),
                          record.value(),
                          record.timestampType() == TimestampType.NO_TIMESTAMP_TYPE
                              ? -1
                              : record.timestamp()));
      for (int i = 0; i < records.size(); i++) {
        if (decoded.get(i) instanceof EventDecoder.Event event) {
          events.add(event.event());
          eventRecords.add(records.get(i));
        } else {
          EventDecoder.DeadLetter dead = (EventDecoder.DeadLetter) decoded.get(i);
          letters.add(deadLetter(topic.source(), records.get(i), dead));
          reasons.add(dead.reason());
        }
      }
      long newestEvent = Long.MIN_VALUE;
      for (StreamEvent event : events) {
        newestEvent = Math.max(newestEvent, event.eventNanos());
      }
      List<ValidationReport> reports = new ArrayList<>();
      List<String> refusals = new ArrayList<>();
      for (OnlineApplier applier : topic.appliers()) {
        List<StreamEvent> accepted = events;
        ValidationReport report = applier.validate(events);
        if (report != null) {
          reports.add(report);
          if (report.rejected()) {
            // Skipped, never retried: the same rows would break the same rules, and a stream
            // must not stall on them. The offset moves on; the events go to the dead-letter
            // topic instead of the offline log (training must not see what serving refused).
            LOG.warn(
                "{} offsets {} to {}: not written to {}: {}",
                tp,
                first,
                records.get(records.size() - 1).offset(),
                applier.view.name(),
                report.summary());
            accepted = List.of();
            refusals.add(applier.view.name() + ": " + report.summary());
          }
        }
        applier.apply(accepted);
        if (!accepted.isEmpty()) {
          metrics.newestOnline(applier.view.name(), newestEvent);
        }
      }
      long visibleAt = System.currentTimeMillis() * 1_000_000L;
      for (StreamEvent event : events) {
        metrics.visible(event.eventNanos(), visibleAt);
      }
      List<StreamEvent> logged = events;
      if (!refusals.isEmpty()) {
        // A batch any reject view refused stays out of the offline log, which is the source's
        // (shared by every view of the topic): otherwise training would read rows serving
        // refused, and each materialize over that window would be refused again.
        logged = List.of();
        EventDecoder.DeadLetter refused =
            new EventDecoder.DeadLetter(
                DeadLetterReason.VALIDATION_REJECTED, String.join("; ", refusals));
        for (ConsumerRecord<byte[], byte[]> record : eventRecords) {
          letters.add(deadLetter(topic.source(), record, refused));
          reasons.add(refused.reason());
        }
      }
      window.add(
          records.get(0).offset(),
          records.get(records.size() - 1).offset(),
          events,
          logged,
          letters,
          reasons,
          reports);
      return true;
    } catch (WakeupException e) {
      // Stopping while reading the committed offset: nothing of this batch was applied.
      stopping = true;
      window.abandon();
      window.resync = true;
      consumer.seek(tp, first);
      return true;
    } catch (RuntimeException e) {
      return failed(window, first, e);
    }
  }

  /**
   * Keeps the log rows all windows hold in memory under {@code logRollRows}: while they are over
   * it, the largest window commits (a process holding many partitions would otherwise hold a
   * window's rows for each).
   *
   * @return false when a commit failed
   */
  private boolean commitLargestWhileOverBudget() {
    while (true) {
      long held = 0;
      PartitionWindow largest = null;
      for (PartitionWindow window : partitions.values()) {
        held += window.logRows();
        if (largest == null || window.logRows() > largest.logRows()) {
          largest = window;
        }
      }
      if (held < options.logRollRows() || largest == null || largest.logRows() == 0) {
        return true;
      }
      if (!commit(largest)) {
        return false;
      }
    }
  }

  /**
   * Commits a window.
   *
   * @return false when it failed: the window is read again from its first offset
   */
  private boolean commit(PartitionWindow window) {
    if (!window.isOpen()) {
      return true;
    }
    long first = window.first();
    try {
      window.commit(consumer.groupMetadata(), metrics);
      failing.remove(window.partition);
      reportHealth();
      return true;
    } catch (RuntimeException e) {
      return failed(window, first, e);
    }
  }

  /**
   * Gives a window up after a failure: the partition is read again from the window's first offset,
   * or the failed batch's (its first uncommitted offset as far as this process knows; the committed
   * offset decides, see {@link #process}).
   */
  private boolean failed(PartitionWindow window, long batchFirst, RuntimeException e) {
    long first = window.isOpen() ? window.first() : batchFirst;
    window.abandon();
    // Fenced (another process took the partition, or the broker aborted a transaction that ran
    // past its timeout) or any other failure: the window is read again, from the committed
    // offset, unless the partition has gone, which the next poll says.
    window.resync = true;
    boolean fenced =
        e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException;
    if (!consumer.assignment().contains(window.partition)) {
      partitions.remove(window.partition);
      return true;
    }
    consumer.seek(window.partition, first);
    failing.put(
        window.partition,
        (fenced ? "fenced while committing " : "cannot ingest ")
            + window.partition
            + ": "
            + e.getMessage());
    reportHealth();
    return fenced;
  }

  /** Healthy while no assigned partition is failing; else the first failure. */
  private void reportHealth() {
    failing.keySet().retainAll(partitions.keySet());
    if (failing.isEmpty()) {
      metrics.status(true, "ingesting " + String.join(", ", topics.keySet()));
    } else {
      metrics.status(false, failing.values().iterator().next());
    }
  }

  private PartitionWindow window(TopicPartition tp) {
    return partitions.computeIfAbsent(
        tp,
        p -> {
          StreamTopic topic = topics.get(tp.topic());
          PartitionWindow window = new PartitionWindow(tp, topic, () -> newProducer(tp), allocator);
          window.readLastLogged();
          return window;
        });
  }

  private Producer<byte[], byte[]> newProducer(TopicPartition tp) {
    Properties settings = new Properties();
    connection.forEach(
        (key, value) -> {
          if (key.equals("bootstrap.servers") || isSecurity(key)) {
            settings.put(key, value);
          }
        });
    settings.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, group + "." + tp.topic() + "." + tp.partition());
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    settings.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
    // A window's transaction stays open up to its roll interval, plus a commit delayed by the
    // longest pause between retries: the broker must not abort it meanwhile.
    settings.put(
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
        Long.toString(transactionTimeout(options).toMillis()));
    settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    Producer<byte[], byte[]> producer = producerWrapper.apply(new KafkaProducer<>(settings));
    try {
      // Fences the partition's previous owner and completes or aborts what it left open.
      producer.initTransactions();
    } catch (RuntimeException e) {
      producer.close(Duration.ZERO);
      throw e;
    }
    return producer;
  }

  /** The transactions' timeout: the longest window, plus two of the longest pauses. */
  static Duration transactionTimeout(IngestOptions options) {
    Duration window =
        options.logRollInterval().compareTo(options.commitInterval()) > 0
            ? options.logRollInterval()
            : options.commitInterval();
    return window.plus(MAX_BACKOFF.multipliedBy(2));
  }

  private static boolean isSecurity(String key) {
    return key.startsWith("security.")
        || key.startsWith("sasl.")
        || key.startsWith("ssl.")
        || key.startsWith("client.dns.");
  }

  private ProducerRecord<byte[], byte[]> deadLetter(
      KafkaSource source, ConsumerRecord<byte[], byte[]> record, EventDecoder.DeadLetter dead) {
    Headers headers = new RecordHeaders(record.headers().toArray());
    headers.add("quiver.dlq.reason", bytes(dead.reason().code()));
    headers.add("quiver.dlq.detail", bytes(dead.detail()));
    headers.add("quiver.dlq.topic", bytes(record.topic()));
    headers.add("quiver.dlq.partition", bytes(Integer.toString(record.partition())));
    headers.add("quiver.dlq.offset", bytes(Long.toString(record.offset())));
    return new ProducerRecord<>(
        source.deadLetterTopic(),
        null,
        record.timestamp() < 0 ? null : record.timestamp(),
        record.key(),
        record.value(),
        headers);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private Properties consumerSettings() {
    Properties settings = new Properties();
    settings.putAll(connection);
    settings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(options.maxBatch()));
    settings.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    settings.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return settings;
  }

  private void recordLag(KafkaConsumer<byte[], byte[]> kafka) {
    for (TopicPartition tp : kafka.assignment()) {
      OptionalLong lag = kafka.currentLag(tp);
      if (lag.isPresent()) {
        metrics.lag(tp.toString(), lag.getAsLong());
      }
    }
  }

  /**
   * Partitions coming and going. A rebalance happens inside {@code poll}, between batches: a
   * partition leaving has its window committed first, so its next owner starts where it ended.
   */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      for (TopicPartition tp : assigned) {
        try {
          window(tp).startProducer(producerStarts);
        } catch (RuntimeException e) {
          // Its first batch tries again, and reports the failure.
        }
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      for (TopicPartition tp : revoked) {
        PartitionWindow window = partitions.remove(tp);
        if (window != null) {
          commit(window);
          window.close();
        }
        metrics.forget(tp.toString());
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      // Lost, not revoked: another process may own them already; committing could only fail.
      for (TopicPartition tp : lost) {
        PartitionWindow window = partitions.remove(tp);
        if (window != null) {
          window.abandon();
        }
        metrics.forget(tp.toString());
      }
    }
  }

  @Override
  public void close() {
    stop();
    producerStarts.shutdown();
    allocator.close();
  }
}
