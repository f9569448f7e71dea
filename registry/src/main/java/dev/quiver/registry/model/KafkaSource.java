package dev.quiver.registry.model;

import dev.quiver.QuiverException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A Kafka topic of events, one JSON object a message, that {@code quiver ingest} keeps the online
 * store fresh from. Offline, views on it read its {@code batchSource}, where the same events are
 * kept (and, with {@code logToOffline}, where ingestion appends them).
 *
 * @param bootstrapServers as written: {@code ${VAR}} is replaced when a consumer starts ({@link
 *     #connection})
 * @param format the message format; {@code json} is the one Quiver reads
 * @param timestampField the JSON field of each event's time: RFC 3339 text or epoch milliseconds
 * @param batchSource the Parquet source with the same events
 * @param fieldMapping JSON field name to feature (or join key) name
 * @param consumerConfig Kafka consumer settings passed through (SASL, TLS...), as written
 */
public record KafkaSource(
    String name,
    String bootstrapServers,
    String topic,
    String format,
    String timestampField,
    String batchSource,
    Map<String, String> fieldMapping,
    boolean logToOffline,
    Map<String, String> consumerConfig,
    String description,
    SourceLocation location)
    implements EventSource {

  /** The one message format Quiver reads. */
  public static final String JSON = "json";

  public KafkaSource {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(timestampField, "timestampField");
    Objects.requireNonNull(batchSource, "batchSource");
    format = format == null ? JSON : format;
    fieldMapping = fieldMapping == null ? Map.of() : Map.copyOf(fieldMapping);
    consumerConfig = consumerConfig == null ? Map.of() : Map.copyOf(consumerConfig);
  }

  /** The topic dead letters go to: {@code <topic>.quiver-dlq}. */
  public String deadLetterTopic() {
    return topic + ".quiver-dlq";
  }

  /**
   * The client settings of this source with the environment's variables in: {@code
   * bootstrap.servers} and every {@code consumer_config} entry.
   *
   * @throws QuiverException naming the variable when one is unset and has no default
   */
  public Map<String, String> connection(Map<String, String> environment) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("bootstrap.servers", resolve(bootstrapServers, environment));
    consumerConfig.forEach((key, value) -> settings.put(key, resolve(value, environment)));
    return settings;
  }

  private String resolve(String text, Map<String, String> environment) {
    return EnvironmentText.substitute(
        text,
        environment,
        message -> {
          throw new QuiverException("Cannot connect source '" + name + "' to Kafka: " + message);
        });
  }
}
