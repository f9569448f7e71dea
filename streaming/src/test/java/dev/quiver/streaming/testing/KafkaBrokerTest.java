package dev.quiver.streaming.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

  private static KafkaBroker broker;

  // Per test, not @BeforeAll: Surefire reports a class skipped in @BeforeAll as no tests at all,
  // without the reason; shared() starts the broker once either way.
  @BeforeEach
  void startBroker() {
    broker = KafkaBroker.shared();
  }

  @Test
  void readCommittedConsumerSeesEveryRecordOfACommittedTransactionOnce() {
    String topic = uniqueName("committed");
    broker.createTopic(topic, 3);
    List<String> values = IntStream.range(0, 100).mapToObj(i -> "value-" + i).toList();

    try (KafkaProducer<String, String> producer = transactionalProducer()) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < values.size(); i++) {
        producer.send(new ProducerRecord<>(topic, "key-" + i, values.get(i)));
      }
      producer.commitTransaction();
    }

    assertThat(readToEnd(topic, 3, "read_committed")).containsExactlyInAnyOrderElementsOf(values);
  }

  @Test
  void readCommittedConsumerSkipsAnAbortedTransaction() {
    String topic = uniqueName("aborted");
    broker.createTopic(topic, 3);

    try (KafkaProducer<String, String> producer = transactionalProducer()) {
      producer.initTransactions();
      producer.beginTransaction();
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "key-" + i, "aborted-" + i));
      }
      producer.flush();
      producer.abortTransaction();
      producer.beginTransaction();
      for (int i = 0; i < 5; i++) {
        producer.send(new ProducerRecord<>(topic, "key-" + i, "committed-" + i));
      }
      producer.commitTransaction();
    }

    assertThat(readToEnd(topic, 3, "read_committed"))
        .containsExactlyInAnyOrder(
            "committed-0", "committed-1", "committed-2", "committed-3", "committed-4");
    // The aborted records did reach the log: read_committed filtered them out.
    assertThat(readToEnd(topic, 3, "read_uncommitted")).hasSize(15);
  }

  private static String uniqueName(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
  }

  private static KafkaProducer<String, String> transactionalProducer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
            ProducerConfig.TRANSACTIONAL_ID_CONFIG, uniqueName("producer"),
            ProducerConfig.LINGER_MS_CONFIG, 0),
        new StringSerializer(),
        new StringSerializer());
  }

  /**
   * Every value up to each partition's end as {@code isolation} sees it, in no particular order.
   */
  private static List<String> readToEnd(String topic, int partitions, String isolation) {
    List<TopicPartition> assigned =
        IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                isolation,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.assign(assigned);
      // With read_committed the end is the last stable offset: no open transaction remains here.
      Map<TopicPartition, Long> ends = consumer.endOffsets(assigned);
      Instant deadline = Instant.now().plusSeconds(20);
      while (assigned.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
        assertThat(Instant.now()).as("reading %s to its end", topic).isBefore(deadline);
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
    }
    return values;
  }
}
