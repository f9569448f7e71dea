package dev.quiver.streaming;

import dev.quiver.QuiverException;
import dev.quiver.offline.io.OfflineLog;
import dev.quiver.online.OnlineStore;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KafkaSource;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ValueType;
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
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
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
 * <p>A batch of one partition goes, in this order: online (idempotent: newer-wins rows with the
 * offset as created time, tiles that record the offsets they hold), to the offline log (a file
 * named by the batch's offset range, holding only offsets after the partition's last logged one),
 * then in one Kafka transaction of that partition's producer its dead letters and its consumer
 * offset. A crash anywhere before the commit leaves the offset where it was: the batch is read
 * again, the online writes and the log skip what they hold, and the aborted dead letters are sent
 * again. The producer of a partition has a transactional id of its own ({@code
 * <group>.<topic>.<partition>}), so whoever takes the partition over, after a crash or a rebalance,
 * aborts what the previous owner left open.
 */
public final class Ingestor implements AutoCloseable {

  private static final Duration POLL = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  /**
   * How often an idle consumer asks the broker for metadata: a poll answers nothing both when the
   * topics are quiet and when the broker is gone, so only this tells them apart.
   */
  private static final Duration PROBE_EVERY = Duration.ofSeconds(5);

  private final String group;
  private final OnlineStore store;
  private final IngestOptions options;
  private final IngestionMetrics metrics;
  private final Map<String, String> connection;
  private final Map<String, Topic> topics = new LinkedHashMap<>();
  private final Map<TopicPartition, PartitionState> partitions = new HashMap<>();
  private final BufferAllocator allocator = new RootAllocator();
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean stopping;
  private long nextProbe;

  /** What a topic feeds: its source, decoder, online views and offline log. */
  private record Topic(
      KafkaSource source,
      EventDecoder decoder,
      List<OnlineApplier> appliers,
      Path logDirectory,
      ParquetSource batchSource,
      Map<String, ValueType> logColumns) {}

  /** An assigned partition's producer and the last offset its offline log holds. */
  private static final class PartitionState {
    KafkaProducer<byte[], byte[]> producer;
    long lastLogged = -1;
  }

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
      topics.put(source.topic(), topic(source, entry.getValue(), definitions, store, repoRoot));
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

  private static Topic topic(
      KafkaSource source,
      List<FeatureView> views,
      Definitions definitions,
      OnlineStore store,
      Path repoRoot) {
    // Every view on the stream decides what a valid message is, whichever are ingested here, so
    // that the dead letters and the offline log do not depend on --views.
    List<FeatureView> onStream =
        definitions.featureViews().stream().filter(v -> v.source().equals(source.name())).toList();
    EventDecoder decoder = new EventDecoder(source, onStream, definitions);
    List<OnlineApplier> appliers = new ArrayList<>();
    for (FeatureView view : views) {
      if (view.online()) {
        appliers.add(OnlineApplier.of(view, definitions, store));
      }
    }
    ParquetSource batch = definitions.source(source.batchSource()).orElseThrow();
    if (!source.logToOffline()) {
      return new Topic(source, decoder, appliers, null, batch, Map.of());
    }
    return new Topic(
        source,
        decoder,
        appliers,
        OfflineLog.directoryOf(batch, repoRoot),
        batch,
        OfflineLog.columnsOf(definitions, batch));
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
      nextProbe = System.nanoTime();
      kafka.subscribe(topics.keySet(), new Rebalance());
      Duration backoff = options.retryBackoff();
      while (!stopping) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = kafka.poll(POLL);
          if (records.isEmpty()) {
            probeWhenIdle(kafka);
          }
        } catch (WakeupException e) {
          break;
        } catch (InterruptException e) {
          break;
        } catch (KafkaException e) {
          metrics.status(false, "cannot read from Kafka: " + e.getMessage());
          backoff = pause(backoff);
          continue;
        }
        boolean failed = false;
        for (TopicPartition tp : records.partitions()) {
          if (!process(tp, records.records(tp))) {
            failed = true;
          }
        }
        recordLag(kafka);
        if (failed) {
          backoff = pause(backoff);
        } else {
          backoff = options.retryBackoff();
        }
      }
    } catch (KafkaException e) {
      throw new QuiverException("Cannot consume from Kafka: " + e.getMessage(), e);
    } finally {
      partitions.values().forEach(Ingestor::closeProducer);
      partitions.clear();
      consumer = null;
      metrics.status(false, "stopped");
      finished.countDown();
    }
  }

  /**
   * Reports whether the broker answers while there is nothing to ingest, at most every {@link
   * #PROBE_EVERY}: else an empty topic would never show as healthy, nor a broker gone while the
   * topics were quiet as unhealthy.
   */
  private void probeWhenIdle(KafkaConsumer<byte[], byte[]> kafka) {
    long now = System.nanoTime();
    if (now - nextProbe < 0) {
      return;
    }
    nextProbe = now + PROBE_EVERY.toNanos();
    try {
      kafka.listTopics(PROBE_EVERY);
      metrics.status(true, "ingesting " + String.join(", ", topics.keySet()));
    } catch (org.apache.kafka.common.errors.TimeoutException e) {
      metrics.status(
          false,
          "cannot reach Kafka at "
              + connection.get("bootstrap.servers")
              + " within "
              + PROBE_EVERY.toSeconds()
              + " s");
    }
  }

  /** Asks {@link #run} to finish its batch in hand, commit it and return. */
  public void stop() {
    stopping = true;
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
      Thread.sleep(backoff.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    }
    Duration next = backoff.multipliedBy(2);
    return next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next;
  }

  /**
   * Applies one partition's batch and commits it.
   *
   * @return false when it failed and will be read again
   */
  private boolean process(TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records) {
    Topic topic = topics.get(tp.topic());
    PartitionState state = partitions.computeIfAbsent(tp, p -> new PartitionState());
    List<StreamEvent> events = new ArrayList<>(records.size());
    List<ProducerRecord<byte[], byte[]>> deadLetters = new ArrayList<>();
    List<DeadLetterReason> reasons = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      long produced =
          record.timestampType() == TimestampType.NO_TIMESTAMP_TYPE ? -1 : record.timestamp();
      EventDecoder.Decoded decoded =
          topic.decoder().decode(tp.partition(), record.offset(), record.value(), produced);
      if (decoded instanceof EventDecoder.Event event) {
        events.add(event.event());
      } else {
        EventDecoder.DeadLetter dead = (EventDecoder.DeadLetter) decoded;
        deadLetters.add(deadLetter(topic.source(), record, dead));
        reasons.add(dead.reason());
      }
    }
    long first = records.get(0).offset();
    long last = records.get(records.size() - 1).offset();
    try {
      for (OnlineApplier applier : topic.appliers()) {
        applier.apply(events);
      }
      long visibleAt = System.currentTimeMillis() * 1_000_000L;
      if (topic.logDirectory() != null) {
        log(topic, tp, state, events, first, last);
      }
      KafkaProducer<byte[], byte[]> producer = producer(tp, state);
      producer.beginTransaction();
      for (ProducerRecord<byte[], byte[]> dead : deadLetters) {
        producer.send(dead);
      }
      producer.sendOffsetsToTransaction(
          Map.of(tp, new OffsetAndMetadata(last + 1)), consumer.groupMetadata());
      producer.commitTransaction();
      for (OnlineApplier applier : topic.appliers()) {
        metrics.ingested(applier.view.name(), events.size());
      }
      reasons.forEach(metrics::deadLetter);
      for (StreamEvent event : events) {
        metrics.visible(event.eventNanos(), visibleAt);
      }
      metrics.committed();
      metrics.status(true, "ingesting " + String.join(", ", topics.keySet()));
      return true;
    } catch (ProducerFencedException | InvalidProducerEpochException e) {
      // Another process owns the partition now; it reads the batch from the committed offset.
      closeProducer(state);
      partitions.remove(tp);
      metrics.status(true, "partition " + tp + " moved to another process");
      return true;
    } catch (RuntimeException e) {
      closeProducer(state);
      state.producer = null;
      metrics.status(false, "cannot ingest " + tp + ": " + e.getMessage());
      try {
        consumer.seek(tp, first);
      } catch (IllegalStateException notAssigned) {
        partitions.remove(tp);
      }
      return false;
    }
  }

  /** Logs the events after the partition's last logged offset, as one file of their range. */
  private void log(
      Topic topic,
      TopicPartition tp,
      PartitionState state,
      List<StreamEvent> events,
      long first,
      long last) {
    if (last <= state.lastLogged) {
      return;
    }
    long from = Math.max(first, state.lastLogged + 1);
    try (OfflineLog.Batch batch =
        new OfflineLog.Batch(topic.batchSource(), topic.logColumns(), allocator)) {
      for (StreamEvent event : events) {
        if (event.offset() >= from) {
          batch.add(event.eventNanos(), event.values());
        }
      }
      if (batch.rows() > 0) {
        batch.writeTo(
            topic.logDirectory(),
            OfflineLog.streamFileName(tp.topic(), tp.partition(), from, last));
      }
    }
    state.lastLogged = last;
  }

  private KafkaProducer<byte[], byte[]> producer(TopicPartition tp, PartitionState state) {
    if (state.producer == null) {
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
      settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      settings.put(
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings);
      try {
        // Fences the partition's previous owner and aborts what it left open.
        producer.initTransactions();
      } catch (RuntimeException e) {
        producer.close(Duration.ZERO);
        throw e;
      }
      state.producer = producer;
    }
    return state.producer;
  }

  private static boolean isSecurity(String key) {
    return key.startsWith("security.")
        || key.startsWith("sasl.")
        || key.startsWith("ssl.")
        || key.startsWith("client.dns.");
  }

  private static void closeProducer(PartitionState state) {
    if (state.producer != null) {
      try {
        state.producer.close(Duration.ofSeconds(5));
      } catch (RuntimeException e) {
        // Closing a producer whose broker is gone; nothing is lost: its transaction is open.
      }
      state.producer = null;
    }
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

  /** Partitions coming and going: the batch in hand is always committed before a rebalance. */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      for (TopicPartition tp : assigned) {
        PartitionState state = partitions.computeIfAbsent(tp, p -> new PartitionState());
        Topic topic = topics.get(tp.topic());
        if (topic != null && topic.logDirectory() != null) {
          state.lastLogged =
              OfflineLog.lastLoggedOffset(topic.logDirectory(), tp.topic(), tp.partition())
                  .orElse(-1);
        }
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      forget(revoked);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      forget(lost);
    }

    private void forget(Collection<TopicPartition> gone) {
      for (TopicPartition tp : gone) {
        PartitionState state = partitions.remove(tp);
        if (state != null) {
          closeProducer(state);
        }
        metrics.forget(tp.toString());
      }
    }
  }

  @Override
  public void close() {
    stop();
    allocator.close();
  }
}
