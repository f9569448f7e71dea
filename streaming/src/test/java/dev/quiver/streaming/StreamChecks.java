package dev.quiver.streaming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.offline.io.OfflineLog;
import dev.quiver.streaming.testing.KafkaBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;

/** What an ingestion left offline and in the dead-letter topic, read back independently. */
final class StreamChecks {

  private StreamChecks() {}

  /**
   * The offline log holds each valid message once, as a row of its values; per partition, files
   * cover disjoint offset ranges in path order.
   */
  static void assertOfflineLog(Path root, StreamScenario scenario, long seed) throws IOException {
    Path directory = root.resolve("data/transactions");
    List<Path> files;
    try (Stream<Path> listed = Files.list(directory)) {
      files =
          listed
              .filter(f -> !f.getFileName().toString().startsWith("."))
              .filter(f -> !f.getFileName().toString().startsWith("_"))
              .sorted()
              .toList();
    }
    Map<Integer, Long> lastByPartition = new HashMap<>();
    List<String> rows = new ArrayList<>();
    for (Path file : files) {
      Optional<OfflineLog.StreamRange> range =
          OfflineLog.streamRange(scenario.topic, file.getFileName().toString());
      assertThat(range).as("a stream file name: %s", file).isPresent();
      long last = lastByPartition.getOrDefault(range.get().partition(), -1L);
      assertThat(range.get().firstOffset()).as("seed %d: %s", seed, file).isGreaterThan(last);
      lastByPartition.put(range.get().partition(), range.get().lastOffset());
      rows.addAll(read(file));
    }
    List<String> expected = new ArrayList<>();
    for (StreamScenario.Message m : scenario.valid()) {
      expected.add(
          "card_id="
              + m.card()
              + " amt="
              + m.amount()
              + " merchant="
              + m.merchant()
              + " ts="
              + m.eventNanos());
    }
    assertThat(rows).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(expected);
  }

  private static List<String> read(Path file) throws IOException {
    List<String> rows = new ArrayList<>();
    try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file))) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      PageReadStore pages;
      while ((pages = reader.readNextRowGroup()) != null) {
        RecordReader<Group> records =
            new ColumnIOFactory()
                .getColumnIO(schema)
                .getRecordReader(pages, new GroupRecordConverter(schema));
        for (long i = 0; i < pages.getRowCount(); i++) {
          Group row = records.read();
          rows.add(
              "card_id="
                  + row.getLong("card_id", 0)
                  + " amt="
                  + (row.getFieldRepetitionCount("amount") == 0 ? null : row.getDouble("amount", 0))
                  + " merchant="
                  + (row.getFieldRepetitionCount("merchant") == 0
                      ? null
                      : row.getString("merchant", 0))
                  + " ts="
                  + row.getLong("ts", 0));
        }
      }
    }
    return rows;
  }

  /** The dead-letter topic, read committed, holds each bad message once, with a reason. */
  static void assertDeadLetters(
      KafkaBroker broker, String topic, StreamScenario scenario, long seed) {
    List<String> values = new ArrayList<>();
    Properties settings = new Properties();
    settings.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    settings.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    settings.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    String dlq = topic + ".quiver-dlq";
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(dlq, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(dlq, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          assertThat(record.headers().lastHeader("quiver.dlq.reason")).isNotNull();
          values.add(new String(record.value(), StandardCharsets.UTF_8));
        }
      }
    }
    assertThat(values)
        .as("seed %d", seed)
        .containsExactlyInAnyOrderElementsOf(scenario.invalidJson());
  }

  /** Whether the scenario's group committed every partition of {@code topic} to its end. */
  static boolean committedToEnd(KafkaBroker broker, String topic) {
    try {
      var admin = broker.admin();
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets("quiver." + StreamScenario.PROJECT)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get()
          .get(topic)
          .partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
      for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end :
          ends.entrySet()) {
        OffsetAndMetadata at = committed.get(end.getKey());
        if (end.getValue().offset() > 0 && (at == null || at.offset() < end.getValue().offset())) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      throw new IllegalStateException("Cannot read the group's offsets", e);
    }
  }
}
