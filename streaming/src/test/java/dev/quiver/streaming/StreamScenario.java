package dev.quiver.streaming;

import dev.quiver.EpochNanos;
import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.ValueCodec;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.online.tiles.TileSet;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.WindowText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A feature repo with a Kafka source (logged to its batch source's folder), a plain view and an
 * aggregation view on it, random events with ties, nulls and bad messages, and what an ingestion of
 * them must leave: computed by brute force from the valid events, independently of the ingestion
 * code.
 */
final class StreamScenario {

  static final String PROJECT = "streams";

  final Path root;
  final String topic;
  final List<Message> messages = new ArrayList<>();

  /** One produced message; {@code valid} when ingestion must take it. */
  record Message(
      long card, String json, boolean valid, long eventNanos, Double amount, String merchant) {}

  StreamScenario(Path root, String topic, String bootstrap) throws IOException {
    this.root = root;
    this.topic = topic;
    Files.createDirectories(root.resolve("data/transactions"));
    Files.writeString(
        root.resolve("feature_store.yaml"),
        "project: " + PROJECT + "\nonline_store:\n  type: rocksdb\n  path: data/online.db\n");
    Files.writeString(
        root.resolve("definitions.yaml"),
        """
        entities:
          - {name: card, join_key: card_id, type: int64}
        sources:
          - name: transactions
            path: data/transactions
            timestamp_field: ts
          - name: transactions_stream
            type: kafka
            bootstrap_servers: ${BOOTSTRAP}
            topic: TOPIC
            timestamp_field: event_time
            batch_source: transactions
            field_mapping: {amt: amount}
            log_to_offline: true
            # A killed consumer's partitions move to a restarted one after this long.
            consumer_config: {session.timeout.ms: "6000", heartbeat.interval.ms: "1000"}
        feature_views:
          - name: card_last
            entities: [card]
            source: transactions_stream
            features:
              - {name: amount, type: float64}
              - {name: merchant, type: string}
          - name: card_spend
            entities: [card]
            source: transactions_stream
            aggregations:
              - {column: amount, type: float64, function: sum, windows: [1h, 1d]}
              - {function: count, windows: [10m, 1d]}
              - {column: merchant, type: string, function: last, windows: [1d]}
              - {column: merchant, type: string, function: first, windows: [1h]}
        """
            .replace("TOPIC", topic));
    System.setProperty("quiver.test.bootstrap", bootstrap);
  }

  /** An ingestor of this repo's stream views into {@code store}. */
  Ingestor ingestor(
      Definitions definitions,
      OnlineStore store,
      String bootstrap,
      IngestOptions options,
      IngestionMetrics metrics) {
    return new Ingestor(
        PROJECT, definitions, store, root, options, Map.of("BOOTSTRAP", bootstrap), metrics);
  }

  Definitions definitions(String bootstrap) {
    return FeatureRepo.load(root, Map.of("BOOTSTRAP", bootstrap)).definitions();
  }

  /** Random messages over {@code keys} cards, about one in ten bad. */
  StreamScenario generate(long seed, int count, int keys) {
    Random random = new Random(seed);
    // Events span the days before now, never later: a stream's events are dated when they happen.
    long now = EpochNanos.of(Instant.now().minusSeconds(60));
    long ts = now - (long) count * 45_000_000_000L;
    for (int i = 0; i < count; i++) {
      long card = random.nextInt(keys);
      int kind = random.nextInt(100);
      if (random.nextInt(4) > 0) {
        ts =
            Math.min(now, ts + random.nextInt(120) * 1_000_000_000L + random.nextInt(1000) * 1000L);
      }
      long eventTs = random.nextInt(10) == 0 ? ts - random.nextInt(3600) * 1_000_000_000L : ts;
      eventTs = eventTs / 1_000_000L * 1_000_000L; // milliseconds, so epoch-millis text is exact
      Double amount =
          random.nextInt(8) == 0 ? null : Math.round(random.nextGaussian() * 5000) / 100.0;
      String merchant = random.nextInt(8) == 0 ? null : "m" + random.nextInt(6);
      String time =
          random.nextBoolean()
              ? "\"" + EpochNanos.toInstant(eventTs) + "\""
              : Long.toString(eventTs / 1_000_000L);
      String json;
      boolean valid = true;
      if (kind < 2) {
        json = "{not json";
        valid = false;
      } else if (kind < 4) {
        json = "{\"card_id\": " + card + ", \"amt\": 1.0, \"merchant\": \"x\"}";
        valid = false; // no event_time
      } else if (kind < 6) {
        json =
            "{\"card_id\": \"c"
                + card
                + "\", \"event_time\": "
                + time
                + ", \"amt\": 1.0, \"merchant\": \"x\"}";
        valid = false; // mistyped key
      } else if (kind < 8) {
        json =
            "{\"card_id\": null, \"event_time\": " + time + ", \"amt\": 1.0, \"merchant\": \"x\"}";
        valid = false;
      } else if (kind < 9) {
        long future = EpochNanos.of(Instant.now().plusSeconds(3600)) / 1_000_000L;
        json =
            "{\"card_id\": "
                + card
                + ", \"event_time\": "
                + future
                + ", \"amt\": 1.0, \"merchant\": \"x\"}";
        valid = false;
      } else if (kind < 10) {
        json = "{\"card_id\": " + card + ", \"event_time\": " + time + ", \"merchant\": \"x\"}";
        valid = false; // no amt
      } else {
        json =
            "{\"card_id\": "
                + card
                + ", \"event_time\": "
                + time
                + ", \"amt\": "
                + (amount == null ? "null" : amount.toString())
                + ", \"merchant\": "
                + (merchant == null ? "null" : "\"" + merchant + "\"")
                + ", \"extra\": [1, 2]}";
      }
      messages.add(new Message(card, json, valid, eventTs, amount, merchant));
    }
    return this;
  }

  /** Produces the messages keyed by card, so a card's messages share a partition. */
  void produce(String bootstrap) {
    produce(bootstrap, 0, messages.size());
  }

  /** Produces messages {@code from} to {@code to} (exclusive). */
  void produce(String bootstrap, int from, int to) {
    Properties settings = new Properties();
    settings.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    settings.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    settings.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    settings.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings)) {
      for (Message m : messages.subList(from, to)) {
        producer.send(
            new ProducerRecord<>(
                topic,
                Long.toString(m.card).getBytes(StandardCharsets.UTF_8),
                m.json.getBytes(StandardCharsets.UTF_8)));
      }
      producer.flush();
    }
  }

  List<Message> valid() {
    return messages.stream().filter(Message::valid).toList();
  }

  List<String> invalidJson() {
    return messages.stream().filter(m -> !m.valid).map(Message::json).toList();
  }

  long newestEvent() {
    return valid().stream().mapToLong(Message::eventNanos).max().orElseThrow();
  }

  /** Per card, what the store holds, as text: the plain row and every aggregate at {@code t}. */
  Map<Long, String> online(OnlineStore store, Definitions definitions, long t) {
    FeatureView plain = definitions.featureView("card_last").orElseThrow();
    FeatureView spend = definitions.featureView("card_spend").orElseThrow();
    TileLayout layout = TileLayout.of(spend.aggregateFeatures());
    Map<Long, String> out = new TreeMap<>();
    for (long card : cards()) {
      byte[] key =
          EntityKeyCodec.encode(Map.of("card_id", card), Map.of("card_id", ScalarType.INT64));
      List<byte[]> read =
          store.read(
              List.of(
                  new OnlineStore.Key("card_last", key), new OnlineStore.Key("card_spend", key)));
      StringBuilder text = new StringBuilder();
      if (read.get(0) != null) {
        ValueCodec.Decoded row = ValueCodec.decode(read.get(0));
        text.append("ts=").append(row.eventTs());
        plain
            .features()
            .forEach(
                f ->
                    text.append(' ')
                        .append(f.name())
                        .append('=')
                        .append(row.value(f).orElseThrow().orElse(null)));
      }
      TileSet tiles = read.get(1) == null ? null : TileSet.decode(read.get(1), layout);
      for (AggregateFeature feature : spend.aggregateFeatures()) {
        // No set (none written, or every tile expired): an empty window, as lookups answer it.
        Object value =
            tiles != null
                ? tiles.window(feature, t).value()
                : switch (feature.function()) {
                  case COUNT -> 0L;
                  case SUM -> 0.0;
                  default -> null;
                };
        text.append(' ').append(feature.name()).append('=').append(format(value));
      }
      out.put(card, text.toString());
    }
    return out;
  }

  /** The same, by brute force over the valid messages. */
  Map<Long, String> expectedOnline(Definitions definitions, long t) {
    FeatureView spend = definitions.featureView("card_spend").orElseThrow();
    Map<Long, List<Message>> byCard = new HashMap<>();
    valid().forEach(m -> byCard.computeIfAbsent(m.card, c -> new ArrayList<>()).add(m));
    Map<Long, String> out = new TreeMap<>();
    for (long card : cards()) {
      List<Message> events = byCard.getOrDefault(card, List.of());
      StringBuilder text = new StringBuilder();
      Message winner = null;
      for (Message m : events) {
        if (winner == null || m.eventNanos >= winner.eventNanos) {
          winner = m;
        }
      }
      if (winner != null) {
        text.append("ts=").append(winner.eventNanos);
        text.append(" amount=").append(winner.amount).append(" merchant=").append(winner.merchant);
      }
      for (AggregateFeature feature : spend.aggregateFeatures()) {
        long from = WindowText.windowStart(t, feature.windowNanos(), feature.hopNanos());
        Object value = null;
        long count = 0;
        double sum = 0;
        long chosenTs = 0;
        boolean any = false;
        for (Message m : events) {
          if (m.eventNanos < from || m.eventNanos > t) {
            continue;
          }
          any = true;
          count++;
          if (m.amount != null) {
            sum += m.amount;
          }
          if (m.merchant != null) {
            boolean take =
                feature.function().yamlName().equals("last")
                    ? value == null || m.eventNanos >= chosenTs
                    : value == null || m.eventNanos < chosenTs;
            if (take) {
              value = m.merchant;
              chosenTs = m.eventNanos;
            }
          }
        }
        Object result =
            switch (feature.function()) {
              case COUNT -> count;
              case SUM -> sum;
              default -> value;
            };
        text.append(' ')
            .append(feature.name())
            .append('=')
            .append(format(any || result instanceof Long ? result : result));
      }
      out.put(card, text.toString());
    }
    return out;
  }

  private static String format(Object value) {
    if (value instanceof Double d) {
      // Float sums may differ in the last bits by the order they were added in.
      return String.format("%.6f", d);
    }
    return String.valueOf(value);
  }

  private List<Long> cards() {
    return messages.stream().map(Message::card).distinct().sorted().toList();
  }
}
