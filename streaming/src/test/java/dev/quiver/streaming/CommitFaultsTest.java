package dev.quiver.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.Definitions;
import dev.quiver.streaming.testing.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two commits whose outcome the ingestor cannot see directly, injected into real transactions:
 * a commit that went through but whose answer was lost (a timeout), and a transaction the broker
 * aborted (the producer is fenced at commit). Either way each message ends online, offline and in
 * the dead-letter topic exactly once.
 */
class CommitFaultsTest {

  private KafkaBroker broker;

  @TempDir Path root;

  @BeforeEach
  void startBroker() {
    broker = KafkaBroker.shared();
  }

  @Test
  void aCommitThatWentThroughButTimedOutIsNotAppliedAgain() throws Exception {
    AtomicInteger faults = new AtomicInteger(3);
    ingestWith(
        producer ->
            new Faulty(producer) {
              @Override
              public void commitTransaction() {
                producer.commitTransaction();
                if (faults.getAndDecrement() > 0) {
                  throw new TimeoutException("test: the commit's answer was lost");
                }
              }
            },
        faults);
  }

  @Test
  void aTransactionTheBrokerAbortedIsReadAgain() throws Exception {
    AtomicInteger faults = new AtomicInteger(3);
    ingestWith(
        producer ->
            new Faulty(producer) {
              @Override
              public void commitTransaction() {
                if (faults.getAndDecrement() > 0) {
                  producer.abortTransaction();
                  throw new ProducerFencedException("test: the broker aborted the transaction");
                }
                producer.commitTransaction();
              }
            },
        faults);
  }

  private void ingestWith(
      java.util.function.UnaryOperator<Producer<byte[], byte[]>> wrapper, AtomicInteger faults)
      throws Exception {
    long seed = System.nanoTime();
    System.out.println("CommitFaultsTest seed: " + seed);
    String topic = "faults-" + Long.toHexString(seed);
    broker.createTopic(topic, 2);
    StreamScenario scenario =
        new StreamScenario(root, topic, broker.bootstrapServers()).generate(seed, 3000, 100);
    Definitions definitions = scenario.definitions(broker.bootstrapServers());
    try (RocksDbOnlineStore store =
        RocksDbOnlineStore.open(StreamScenario.PROJECT, root.resolve("data/online.db"))) {
      IngestionMetrics metrics = new IngestionMetrics();
      Ingestor ingestor =
          scenario.ingestor(
              definitions,
              store,
              broker.bootstrapServers(),
              IngestOptions.DEFAULTS
                  .withMaxBatch(150)
                  .withLogRoll(400, Duration.ofMillis(500))
                  .withRetryBackoff(Duration.ofMillis(50)),
              metrics);
      ingestor.wrapProducers(wrapper);
      try (Running running = Running.start(ingestor)) {
        // Messages arrive while the faults happen, so later windows follow the failed ones.
        scenario.produce(broker.bootstrapServers(), 0, 1500);
        Running.await(() -> faults.get() <= 0);
        scenario.produce(broker.bootstrapServers(), 1500, 3000);
        // Done when the group committed everything (a commit whose answer was lost is not counted
        // in the metrics, which count what this process saw committed).
        Running.await(() -> StreamChecks.committedToEnd(broker, topic));
      }
      long t = scenario.newestEvent();
      assertThat(scenario.online(store, definitions, t))
          .as("seed %d", seed)
          .isEqualTo(scenario.expectedOnline(definitions, t));
    }
    StreamChecks.assertOfflineLog(root, scenario, seed);
    StreamChecks.assertDeadLetters(broker, topic, scenario, seed);
  }

  /** A producer that passes everything on; tests override where the fault goes. */
  private static class Faulty implements Producer<byte[], byte[]> {
    final Producer<byte[], byte[]> producer;

    Faulty(Producer<byte[], byte[]> producer) {
      this.producer = producer;
    }

    @Override
    public void initTransactions() {
      producer.initTransactions();
    }

    @Override
    public void beginTransaction() {
      producer.beginTransaction();
    }

    @Override
    public void sendOffsetsToTransaction(
        Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
      producer.sendOffsetsToTransaction(offsets, group);
    }

    @Override
    public void commitTransaction() {
      producer.commitTransaction();
    }

    @Override
    public void abortTransaction() {
      producer.abortTransaction();
    }

    @Override
    public void registerMetricForSubscription(KafkaMetric metric) {
      producer.registerMetricForSubscription(metric);
    }

    @Override
    public void unregisterMetricFromSubscription(KafkaMetric metric) {
      producer.unregisterMetricFromSubscription(metric);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record) {
      return producer.send(record);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      return producer.send(record, callback);
    }

    @Override
    public void flush() {
      producer.flush();
    }

    @Override
    public List<PartitionInfo> partitionsFor(String topic) {
      return producer.partitionsFor(topic);
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
      return producer.metrics();
    }

    @Override
    public Uuid clientInstanceId(Duration timeout) {
      return producer.clientInstanceId(timeout);
    }

    @Override
    public void close() {
      producer.close();
    }

    @Override
    public void close(Duration timeout) {
      producer.close(timeout);
    }
  }
}
