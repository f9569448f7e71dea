package dev.quiver.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Definitions;
import dev.quiver.streaming.IngestOptions;
import dev.quiver.streaming.IngestionMetrics;
import dev.quiver.streaming.Ingestor;
import dev.quiver.streaming.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka ingestion, against a real single-node KRaft broker started in its own JVM ({@link
 * KafkaBroker}, -Xmx512m) on this machine.
 *
 * <p>{@code benchmarks/run.sh ingest}: {@code events} JSON events ({@code {"driver_id": N,
 * "event_time": epoch ms, "amount": x}}, keyed by driver, event times spread over the 7 days before
 * now in offset order) over {@code keys} keys are produced once into a topic of {@code partitions}
 * partitions. Then, alternately, {@code runs} times each: a raw {@code KafkaConsumer<byte[],
 * byte[]>} (read_committed, a fresh group) polls every message and parses it with Jackson's {@code
 * readTree}, as Quiver's decoder does, and commits once at the end; Quiver's {@link Ingestor} (a
 * fresh group, a fresh RocksDB store) ingests the same messages into an aggregation view with sum,
 * count and mean of {@code amount} over 1h, 1d and 7d, until {@code ingested + dead letters}
 * reaches the count. {@code ratio} is Quiver's median time over the peer's.
 *
 * <p>{@code benchmarks/run.sh ingest-delay}: the Ingestor and a raw consumer (another group, the
 * same topic) start, and once both hold every partition a producer thread sends {@code rate}
 * events/s (event time = when sent, linger 5 ms) for {@code warmup} + {@code seconds}. The
 * end-to-end delay (event time to visible online) comes from {@link IngestionMetrics#delayMillis}
 * over the whole run, and from {@link IngestionMetrics#onDelay} for the events dated after the
 * warm-up (the steady state: the JIT and the partitions' transactional producers have started); the
 * raw consumer records event time to parsed for the same events. {@code ratio} is Quiver's
 * steady-state p99 over the raw consumer's.
 *
 * <p>Settings: {@code events} (5000000), {@code keys} (500000), {@code partitions} (4), {@code
 * runs} (3); for the delay, {@code rate} (10000), {@code seconds} (60), {@code warmup} (10), {@code
 * keys}. Each round also prints this process's CPU time (the broker's is not in it) and the ingest
 * thread's.
 */
public final class IngestBenchmark {

  private static final String PROJECT = "bench_ingest";
  private static final String VIEW = "spend";
  private static final long WEEK_MILLIS = 7L * 24 * 3600 * 1000;
  private static final Duration ROUND_TIMEOUT = Duration.ofMinutes(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private IngestBenchmark() {}

  /** {@code ingest}: throughput of a backlog against a raw consumer. */
  public static void throughput() throws Exception {
    long events = Long.getLong("events", 5_000_000);
    int keys = Integer.getInteger("keys", 500_000);
    int partitions = Integer.getInteger("partitions", 4);
    int runs = Integer.getInteger("runs", 3);
    Path work = Files.createTempDirectory("quiver-ingest-bench-");
    try (KafkaBroker broker = KafkaBroker.start(work.resolve("broker"))) {
      String topic = "events";
      broker.createTopic(topic, partitions);
      long began = System.nanoTime();
      produceBacklog(broker.bootstrapServers(), topic, events, keys);
      long produced = endOffsets(broker.bootstrapServers(), topic, partitions);
      if (produced != events) {
        throw new IllegalStateException(
            "Cannot benchmark: produced " + events + " events but the topic holds " + produced);
      }
      System.err.printf(
          "produced %d events over %d keys into %d partitions in %.1f s%n",
          events, keys, partitions, (System.nanoTime() - began) / 1e9);
      Path repo = writeRepo(work.resolve("repo"), topic);
      Definitions definitions =
          FeatureRepo.load(repo, Map.of("BOOTSTRAP", broker.bootstrapServers())).definitions();

      double[] peer = new double[runs];
      double[] quiver = new double[runs];
      double[] peerCpu = new double[runs];
      double[] quiverCpu = new double[runs];
      for (int r = 0; r < runs; r++) {
        long cpu = processCpuNanos();
        peer[r] = rawConsumer(broker.bootstrapServers(), topic, "peer-" + r, events);
        peerCpu[r] = (processCpuNanos() - cpu) / 1e9;
        System.err.printf(
            "round %d: raw consumer %.2f s (%.0f events/s), %.2f s of CPU%n",
            r + 1, peer[r], events / peer[r], peerCpu[r]);
        cpu = processCpuNanos();
        quiver[r] =
            quiverIngest(broker.bootstrapServers(), definitions, repo, work, "quiver-" + r, events);
        quiverCpu[r] = (processCpuNanos() - cpu) / 1e9;
        System.err.printf(
            "round %d: quiver %.2f s (%.0f events/s), %.2f s of CPU%n",
            r + 1, quiver[r], events / quiver[r], quiverCpu[r]);
      }
      double peerMedian = Measurements.median(peer);
      double quiverMedian = Measurements.median(quiver);
      // This process's CPU time in each round (the broker's is not in it): what the machine's
      // other load took from the wall time shows less in it.
      System.out.printf(
          "raw consumer runs (s): %s%nquiver runs (s): %s%n"
              + "raw consumer CPU (s): %s%nquiver CPU (s): %s (median %.2f)%n",
          Measurements.format(peer),
          Measurements.format(quiver),
          Measurements.format(peerCpu),
          Measurements.format(quiverCpu),
          Measurements.median(quiverCpu));
      System.out.printf(
          "ingest: events=%d keys=%d partitions=%d quiver_median_s=%.2f peer_median_s=%.2f"
              + " quiver_events_per_s=%.0f peer_events_per_s=%.0f ratio=%.2f%n",
          events,
          keys,
          partitions,
          quiverMedian,
          peerMedian,
          events / quiverMedian,
          events / peerMedian,
          quiverMedian / peerMedian);
    } finally {
      MaterializeBenchmark.deleteOnline(work);
    }
  }

  /** {@code ingest-delay}: end-to-end delay at a steady rate. */
  public static void delay() throws Exception {
    int rate = Integer.getInteger("rate", 10_000);
    int seconds = Integer.getInteger("seconds", 60);
    int warmup = Integer.getInteger("warmup", 10);
    int keys = Integer.getInteger("keys", 500_000);
    int partitions = Integer.getInteger("partitions", 4);
    Path work = Files.createTempDirectory("quiver-ingest-delay-");
    try (KafkaBroker broker = KafkaBroker.start(work.resolve("broker"))) {
      String topic = "events";
      broker.createTopic(topic, partitions);
      Path repo = writeRepo(work.resolve("repo"), topic);
      Definitions definitions =
          FeatureRepo.load(repo, Map.of("BOOTSTRAP", broker.bootstrapServers())).definitions();
      Path online = work.resolve("online");
      try (RocksDbOnlineStore store = RocksDbOnlineStore.open(PROJECT, online)) {
        IngestionMetrics metrics = new IngestionMetrics();
        Ingestor ingestor =
            new Ingestor(
                PROJECT,
                definitions,
                store,
                repo,
                IngestOptions.DEFAULTS.withGroup("quiver-delay"),
                Map.of("BOOTSTRAP", broker.bootstrapServers()),
                metrics);
        // Events dated from here on are the steady state; the warm-up before covers the JIT and
        // the transactional producers' start.
        AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
        Histogram steady = new Histogram(3_600_000L, 3);
        metrics.onDelay(
            nanos -> {
              long delayMillis = nanos / 1_000_000;
              if (System.currentTimeMillis() - delayMillis >= measureFrom.get()) {
                steady.recordValue(delayMillis);
              }
            });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread ingesting = thread("ingest", ingestor::run, failure);

        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        Histogram rawDelays = new Histogram(3_600_000L, 3);
        Thread raw =
            thread(
                "raw-consumer",
                () ->
                    rawDelays(
                        broker.bootstrapServers(), topic, producing, sent, measureFrom, rawDelays),
                failure);
        awaitAssigned(broker, List.of("quiver-delay", "peer-delay"), partitions);
        measureFrom.set(System.currentTimeMillis() + warmup * 1000L);
        long began = System.nanoTime();
        paced(broker.bootstrapServers(), topic, rate, warmup + seconds, keys, sent);
        double produceSeconds = (System.nanoTime() - began) / 1e9;
        producing.set(false);
        long deadline = System.nanoTime() + ROUND_TIMEOUT.toNanos();
        while (metrics.ingested() + metrics.deadLetters() < sent.get()
            && System.nanoTime() < deadline
            && ingesting.isAlive()) {
          Thread.sleep(10);
        }
        ingestor.stop();
        ingesting.join(TimeUnit.SECONDS.toMillis(30));
        raw.join(TimeUnit.MINUTES.toMillis(2));
        ingestor.close();
        if (failure.get() != null) {
          throw new IllegalStateException("Cannot benchmark: ingestion failed", failure.get());
        }
        if (metrics.ingested() != sent.get() || metrics.deadLetters() != 0) {
          throw new IllegalStateException(
              "Cannot benchmark: sent "
                  + sent.get()
                  + " events, ingested "
                  + metrics.ingested()
                  + ", dead letters "
                  + metrics.deadLetters()
                  + "; status "
                  + metrics.status());
        }
        double p50 = metrics.delayMillis(50);
        double p99 = metrics.delayMillis(99);
        double max = metrics.delayMillis(100);
        long steadyP99 = steady.getValueAtPercentile(99);
        long rawP99 = rawDelays.getValueAtPercentile(99);
        System.out.printf(
            "sent %d events in %.1f s (%.0f events/s, the first %d s warm-up), %d batches"
                + " committed%n",
            sent.get(), produceSeconds, sent.get() / produceSeconds, warmup, metrics.batches());
        System.out.printf(
            "quiver event time -> visible online, IngestionMetrics, whole run (ms): p50=%.1f"
                + " p99=%.1f max=%.1f%n",
            p50, p99, max);
        System.out.printf(
            "quiver event time -> visible online, after warm-up (ms): p50=%d p99=%d max=%d (%d"
                + " events)%n",
            steady.getValueAtPercentile(50),
            steadyP99,
            steady.getMaxValue(),
            steady.getTotalCount());
        System.out.printf(
            "raw consumer event time -> parsed, after warm-up (ms): p50=%d p99=%d max=%d%n",
            rawDelays.getValueAtPercentile(50), rawP99, rawDelays.getMaxValue());
        System.out.printf(
            "ingest-delay: rate=%d seconds=%d warmup=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f"
                + " steady_p50_ms=%d steady_p99_ms=%d steady_max_ms=%d raw_p99_ms=%d"
                + " ratio=%.2f%n",
            rate,
            seconds,
            warmup,
            p50,
            p99,
            max,
            steady.getValueAtPercentile(50),
            steadyP99,
            steady.getMaxValue(),
            rawP99,
            (double) steadyP99 / Math.max(1, rawP99));
      }
    } finally {
      MaterializeBenchmark.deleteOnline(work);
    }
  }

  /** Waits until each group's members hold all the topic's partitions. */
  private static void awaitAssigned(KafkaBroker broker, List<String> groups, int partitions)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      boolean all = true;
      for (var group : broker.admin().describeConsumerGroups(groups).all().get().values()) {
        int held =
            group.members().stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum();
        all &= held == partitions;
      }
      if (all) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Cannot benchmark: the consumers were not assigned");
      }
      Thread.sleep(50);
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private interface Body {
    void run() throws Exception;
  }

  private static Thread thread(String name, Body body, AtomicReference<Throwable> failure) {
    Thread thread =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            },
            name);
    thread.start();
    return thread;
  }

  /** One JSON event. */
  private static byte[] event(long key, long eventMillis, double amount) {
    return ("{\"driver_id\":"
            + key
            + ",\"event_time\":"
            + eventMillis
            + ",\"amount\":"
            + amount
            + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static Properties producerSettings(String bootstrap) {
    Properties settings = new Properties();
    settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    settings.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    return settings;
  }

  /**
   * The backlog, once: keys uniform, event times rising over the week before now, 2-decimal
   * amounts. Large lz4 batches: producing is not what is measured.
   */
  private static void produceBacklog(String bootstrap, String topic, long events, int keys) {
    Properties settings = producerSettings(bootstrap);
    settings.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    // Under the broker's default message.max.bytes (1 MiB + 12) even before compression.
    settings.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(1_000_000));
    settings.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L << 20));
    Random random = new Random(42);
    long end = System.currentTimeMillis() - 60_000;
    long start = end - WEEK_MILLIS;
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings)) {
      for (long i = 0; i < events; i++) {
        long key = random.nextInt(keys);
        long eventMillis = start + i * WEEK_MILLIS / events;
        double amount = random.nextInt(50_000) / 100.0;
        producer.send(
            new ProducerRecord<>(
                topic,
                Long.toString(key).getBytes(StandardCharsets.UTF_8),
                event(key, eventMillis, amount)),
            (metadata, e) -> {
              if (e != null) {
                failure.compareAndSet(null, e);
              }
            });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("Cannot produce the backlog", failure.get());
    }
  }

  /** Sends {@code rate} events a second for {@code seconds}, each dated when it is sent. */
  private static void paced(
      String bootstrap, String topic, int rate, int seconds, int keys, AtomicLong sent) {
    Properties settings = producerSettings(bootstrap);
    // What an application producing events one by one would set: a little batching, little delay.
    settings.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    Random random = new Random(7);
    long total = (long) rate * seconds;
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings)) {
      long start = System.nanoTime();
      while (sent.get() < total) {
        long due = Math.min(total, (System.nanoTime() - start) * rate / 1_000_000_000L);
        while (sent.get() < due) {
          long key = random.nextInt(keys);
          producer.send(
              new ProducerRecord<>(
                  topic,
                  Long.toString(key).getBytes(StandardCharsets.UTF_8),
                  event(key, System.currentTimeMillis(), random.nextInt(50_000) / 100.0)),
              (metadata, e) -> {
                if (e != null) {
                  failure.compareAndSet(null, e);
                }
              });
          sent.incrementAndGet();
        }
        LockSupport.parkNanos(500_000);
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("Cannot produce the paced events", failure.get());
    }
  }

  private static long endOffsets(String bootstrap, String topic, int partitions) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(consumerSettings(bootstrap))) {
      List<TopicPartition> all =
          java.util.stream.IntStream.range(0, partitions)
              .mapToObj(p -> new TopicPartition(topic, p))
              .toList();
      return consumer.endOffsets(all).values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private static Properties consumerSettings(String bootstrap) {
    Properties settings = new Properties();
    settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    settings.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    settings.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return settings;
  }

  /** The peer's settings: what Quiver's consumer sets, in a group of its own. */
  private static Properties peerSettings(String bootstrap, String group) {
    Properties settings = consumerSettings(bootstrap);
    settings.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    settings.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    settings.put(
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
        Integer.toString(IngestOptions.DEFAULTS.maxBatch()));
    return settings;
  }

  /** Seconds for a raw consumer to poll and parse {@code events} messages and commit once. */
  private static double rawConsumer(String bootstrap, String topic, String group, long events)
      throws Exception {
    long began = System.nanoTime();
    long deadline = began + ROUND_TIMEOUT.toNanos();
    long seen = 0;
    long fields = 0;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(peerSettings(bootstrap, group))) {
      consumer.subscribe(List.of(topic));
      while (seen < events) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Cannot benchmark: the raw consumer read " + seen + " of " + events + " messages");
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> record : records) {
          JsonNode node = JSON.readTree(record.value());
          fields += node.size();
          seen++;
        }
      }
      consumer.commitSync();
      double seconds = (System.nanoTime() - began) / 1e9;
      if (fields != 3 * events) {
        throw new IllegalStateException("unexpected messages: " + fields + " fields");
      }
      return seconds;
    }
  }

  /** Seconds for Quiver's Ingestor to ingest (or dead-letter) {@code events} messages. */
  private static double quiverIngest(
      String bootstrap, Definitions definitions, Path repo, Path work, String group, long events)
      throws Exception {
    Path online = Files.createTempDirectory(work, "online-");
    try (RocksDbOnlineStore store = RocksDbOnlineStore.open(PROJECT, online)) {
      IngestionMetrics metrics = new IngestionMetrics();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      long began = System.nanoTime();
      Ingestor ingestor =
          new Ingestor(
              PROJECT,
              definitions,
              store,
              repo,
              IngestOptions.DEFAULTS.withGroup(group),
              Map.of("BOOTSTRAP", bootstrap),
              metrics);
      Thread thread = thread("ingest", ingestor::run, failure);
      long deadline = began + ROUND_TIMEOUT.toNanos();
      while (metrics.ingested() + metrics.deadLetters() < events
          && System.nanoTime() < deadline
          && thread.isAlive()) {
        Thread.sleep(5);
      }
      double seconds = (System.nanoTime() - began) / 1e9;
      long threadCpu =
          java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(thread.getId());
      System.err.printf("ingest thread: %.2f s of CPU%n", threadCpu / 1e9);
      ingestor.stop();
      thread.join(TimeUnit.SECONDS.toMillis(30));
      ingestor.close();
      if (failure.get() != null) {
        throw new IllegalStateException("Cannot benchmark: ingestion failed", failure.get());
      }
      if (metrics.ingested() != events || metrics.deadLetters() != 0) {
        throw new IllegalStateException(
            "Cannot benchmark: "
                + events
                + " events produced, "
                + metrics.ingested()
                + " ingested, "
                + metrics.deadLetters()
                + " dead letters; status "
                + metrics.status());
      }
      return seconds;
    } finally {
      MaterializeBenchmark.deleteOnline(online);
    }
  }

  /** The raw consumer of the delay run: event time to parsed, in milliseconds. */
  private static void rawDelays(
      String bootstrap,
      String topic,
      AtomicBoolean producing,
      AtomicLong sent,
      AtomicLong measureFrom,
      Histogram delays)
      throws Exception {
    long seen = 0;
    long deadline = Long.MAX_VALUE;
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(peerSettings(bootstrap, "peer-delay"))) {
      consumer.subscribe(List.of(topic));
      while (producing.get() || seen < sent.get()) {
        if (!producing.get() && deadline == Long.MAX_VALUE) {
          deadline = System.nanoTime() + ROUND_TIMEOUT.toNanos();
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Cannot benchmark: the raw consumer read " + seen + " of " + sent.get());
        }
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
        for (ConsumerRecord<byte[], byte[]> record : records) {
          JsonNode node = JSON.readTree(record.value());
          long now = System.currentTimeMillis();
          long eventMillis = node.get("event_time").longValue();
          if (eventMillis >= measureFrom.get()) {
            delays.recordValue(Math.max(0, now - eventMillis));
          }
          seen++;
        }
        if (!records.isEmpty()) {
          consumer.commitAsync();
        }
      }
    }
  }

  private static Path writeRepo(Path repo, String topic) throws Exception {
    Files.createDirectories(repo.resolve("data/events"));
    Files.writeString(
        repo.resolve("feature_store.yaml"),
        "project: " + PROJECT + "\nonline_store:\n  type: rocksdb\n  path: data/online.db\n");
    Files.writeString(
        repo.resolve("definitions.yaml"),
        """
        entities:
          - {name: driver, join_key: driver_id, type: int64}
        sources:
          - {name: events, path: data/events, timestamp_field: event_time}
          - name: events_stream
            type: kafka
            bootstrap_servers: ${BOOTSTRAP}
            topic: TOPIC
            timestamp_field: event_time
            batch_source: events
        feature_views:
          - name: VIEW
            entities: [driver]
            source: events_stream
            aggregations:
              - {column: amount, type: float64, function: sum, windows: [1h, 1d, 7d]}
              - {function: count, windows: [1h, 1d, 7d]}
              - {column: amount, type: float64, function: mean, windows: [1h, 1d, 7d]}
        """
            .replace("TOPIC", topic)
            .replace("VIEW", VIEW));
    return repo;
  }
}
