package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quiver.example.ExampleData;
import dev.quiver.example.ExampleRepo;
import dev.quiver.streaming.testing.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The example repo's trips as a Kafka stream on the shared test broker: a copy of the repo whose
 * {@code trips_stream} reads a topic of the test's own, and trip events, good and bad, for it.
 */
public final class TripStream {

  /** Driver 1001's trips: two in the last hour, one five hours ago. */
  public static final long DRIVER = 1001;

  private TripStream() {}

  /**
   * The example repo at {@code dir} with its data, {@code project} as its project and {@code topic}
   * as the trips' topic, applied. Its bootstrap servers stay {@code ${KAFKA_BOOTSTRAP:-...}} unless
   * {@code bootstrap} is given.
   */
  public static void repo(Path dir, String project, String topic, String bootstrap)
      throws IOException {
    repo(
        dir,
        project,
        topic,
        bootstrap,
        ExampleData.Options.defaults().withEnd(Instant.now().truncatedTo(ChronoUnit.HOURS)));
  }

  /**
   * As {@link #repo(Path, String, String, String)}, with the example's data as {@code data} says.
   */
  public static void repo(
      Path dir, String project, String topic, String bootstrap, ExampleData.Options data)
      throws IOException {
    ExampleRepo.copyDefinitionsTo(dir);
    ExampleData.generate(dir, data);
    Path trips = dir.resolve("driver_trips.yaml");
    String yaml = Files.readString(trips).replace("topic: driver_trips", "topic: " + topic);
    if (bootstrap != null) {
      yaml = yaml.replace("${KAFKA_BOOTSTRAP:-127.0.0.1:9092}", bootstrap);
    }
    Files.writeString(trips, yaml);
    Path config = dir.resolve("feature_store.yaml");
    Files.writeString(
        config, Files.readString(config).replace("project: driver_ranking", "project: " + project));
    CliRun applied = CliRun.quiver("apply", "--repo", dir.toString());
    assertThat(applied.exitCode()).as(applied.err()).isZero();
  }

  /** Three good trips of {@link #DRIVER} (fares 10, 20, 30; the last 5 hours old). */
  public static List<String> goodTrips(Instant now) {
    return List.of(
        trip(now.minus(Duration.ofMinutes(5)), 10.0, 5, "card"),
        trip(now.minus(Duration.ofMinutes(10)), 20.0, 4, "cash"),
        trip(now.minus(Duration.ofHours(5)), 30.0, 3, "card"));
  }

  /** One bad message per reason but future_event: unparseable, missing, wrong type, null key. */
  public static List<String> badTrips(Instant now) {
    return List.of(
        "not json",
        "{\"driver_id\": 1001, \"fare\": 1.0, \"rating\": 5, \"payment_type\": \"card\"}",
        "{\"driver_id\": 1001, \"event_timestamp\": \""
            + now
            + "\", \"fare\": \"abc\", \"rating\": 5, \"payment_type\": \"card\"}",
        "{\"driver_id\": null, \"event_timestamp\": \""
            + now
            + "\", \"fare\": 1.0, \"rating\": 5, \"payment_type\": \"card\"}");
  }

  private static String trip(Instant at, double fare, int rating, String payment) {
    return String.format(
        "{\"driver_id\": %d, \"event_timestamp\": \"%s\", \"fare\": %s, \"rating\": %d,"
            + " \"payment_type\": \"%s\"}",
        DRIVER, at, fare, rating, payment);
  }

  /** Sends {@code messages} to {@code topic}, keyed by the driver. */
  public static void produce(KafkaBroker broker, String topic, List<String> messages) {
    Properties settings = new Properties();
    settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings)) {
      for (String message : messages) {
        producer.send(
            new ProducerRecord<>(
                topic,
                Long.toString(DRIVER).getBytes(StandardCharsets.UTF_8),
                message.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  /** Waits until {@code group} committed every message of {@code topic}. */
  public static void awaitCommitted(KafkaBroker broker, String group, String topic) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> committed(broker, group, topic) == end(broker, topic));
  }

  private static long committed(KafkaBroker broker, String group, String topic) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> offsets =
        broker.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    return offsets.entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
        .mapToLong(e -> e.getValue().offset())
        .sum();
  }

  private static long end(KafkaBroker broker, String topic) throws Exception {
    List<TopicPartition> partitions =
        broker
            .admin()
            .describeTopics(List.of(topic))
            .allTopicNames()
            .get()
            .get(topic)
            .partitions()
            .stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    return broker
        .admin()
        .listOffsets(
            partitions.stream().collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest())))
        .all()
        .get()
        .values()
        .stream()
        .mapToLong(info -> info.offset())
        .sum();
  }
}
