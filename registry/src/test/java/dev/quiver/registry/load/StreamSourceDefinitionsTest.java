package dev.quiver.registry.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.QuiverException;
import dev.quiver.registry.RegistryPlan;
import dev.quiver.registry.RepoFixture;
import dev.quiver.registry.model.CanonicalForm;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KafkaSource;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.store.RegistrySnapshot;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamSourceDefinitionsTest {

  @TempDir Path root;

  private static final String ENTITIES =
      """
      entities:
        - name: card
          join_key: card_id
          type: int64
      """;

  private static final String SOURCES =
      """
      sources:
        - name: transactions
          path: data/transactions
          timestamp_field: ts
        - name: transactions_stream
          type: kafka
          bootstrap_servers: ${KAFKA_BOOTSTRAP:-127.0.0.1:9092}
          topic: transactions
          format: json
          timestamp_field: event_time
          batch_source: transactions
          field_mapping: {amt: amount}
          log_to_offline: true
          consumer_config:
            security.protocol: SASL_SSL
            sasl.jaas.config: ${KAFKA_JAAS}
      """;

  private static final String VIEWS =
      """
      feature_views:
        - name: card_spend
          entities: [card]
          source: transactions_stream
          aggregations:
            - {column: amount, type: float64, function: sum, windows: [1h, 1d]}
        - name: card_last
          entities: [card]
          source: transactions_stream
          features:
            - {name: amount, type: float64}
      """;

  private Path repo(String sources, String views) {
    return RepoFixture.empty(root)
        .write("feature_store.yaml", RepoFixture.CONFIG)
        .write("entities.yaml", ENTITIES)
        .write("sources.yaml", sources)
        .write("views.yaml", views)
        .root();
  }

  private Definitions load(String sources, String views) {
    return FeatureRepo.load(repo(sources, views), Map.of()).definitions();
  }

  private List<String> problems(String sources, String views) {
    try {
      FeatureRepo.load(repo(sources, views), Map.of());
    } catch (DefinitionException e) {
      return e.problems().stream().map(Problem::toString).toList();
    }
    throw new AssertionError("the repo loaded without problems");
  }

  @Test
  void aKafkaSourceIsReadAndViewsOnItReadItsBatchSourceOffline() {
    Definitions definitions = load(SOURCES, VIEWS);

    KafkaSource stream = definitions.streamSource("transactions_stream").orElseThrow();
    assertThat(stream.topic()).isEqualTo("transactions");
    assertThat(stream.timestampField()).isEqualTo("event_time");
    assertThat(stream.batchSource()).isEqualTo("transactions");
    assertThat(stream.logToOffline()).isTrue();
    assertThat(stream.columnFor("amount")).isEqualTo("amt");
    assertThat(stream.deadLetterTopic()).isEqualTo("transactions.quiver-dlq");
    assertThat(definitions.names(ObjectKind.SOURCE))
        .containsExactly("transactions", "transactions_stream");
    FeatureView view = definitions.featureView("card_spend").orElseThrow();
    assertThat(definitions.sourceOf(view).name()).isEqualTo("transactions");
    assertThat(definitions.streamSourceOf(view)).contains(stream);
  }

  @Test
  void connectionSettingsTakeTheEnvironmentWhenIngestionStartsNotWhenApplied() {
    KafkaSource stream = load(SOURCES, VIEWS).streamSource("transactions_stream").orElseThrow();
    assertThat(stream.bootstrapServers()).isEqualTo("${KAFKA_BOOTSTRAP:-127.0.0.1:9092}");

    assertThat(stream.connection(Map.of("KAFKA_JAAS", "secret")))
        .containsEntry("bootstrap.servers", "127.0.0.1:9092")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.jaas.config", "secret");
    assertThat(stream.connection(Map.of("KAFKA_JAAS", "s", "KAFKA_BOOTSTRAP", "b:1")))
        .containsEntry("bootstrap.servers", "b:1");
    assertThatThrownBy(() -> stream.connection(Map.of()))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("source 'transactions_stream'")
        .hasMessageContaining("'KAFKA_JAAS' is not set");
  }

  @Test
  void theCanonicalFormRoundTripsThroughTheParser() throws Exception {
    Definitions definitions = load(SOURCES, VIEWS);
    Map<String, Object> canonical = CanonicalForm.of(definitions);
    String yaml =
        new org.snakeyaml.engine.v2.api.Dump(
                org.snakeyaml.engine.v2.api.DumpSettings.builder().build())
            .dumpToString(canonical);
    Path again = root.resolve("again");
    RepoFixture.empty(again)
        .write("feature_store.yaml", RepoFixture.CONFIG)
        .write("all.yaml", yaml);
    assertThat(CanonicalForm.of(FeatureRepo.load(again, Map.of()).definitions()))
        .isEqualTo(canonical);
  }

  @Test
  void everyProblemOfAKafkaSourceIsReportedAtItsLine() {
    String bad =
        """
        sources:
          - name: transactions
            path: data/transactions.parquet
            timestamp_field: ts
            created_timestamp_field: created
            topic: oops
          - name: stream_a
            type: kafka
            topic: "bad topic!"
            format: avro
            timestamp_field: ts
            batch_source: stream_b
            path: data/x
            consumer_config: {group.id: mine, enable.auto.commit: "true"}
          - name: stream_b
            type: kafka
            bootstrap_servers: localhost:9092
            topic: txns
            timestamp_field: ts
            batch_source: transactionz
          - name: stream_c
            type: kafka
            bootstrap_servers: localhost:9092
            topic: txns
            timestamp_field: ts
            batch_source: transactions
            log_to_offline: true
          - name: stream_d
            type: kinesis
            path: p
            timestamp_field: ts
        """;

    assertThat(problems(bad, "feature_views: []\n"))
        .containsExactlyInAnyOrder(
            "sources.yaml:6: 'topic' is a key of Kafka sources; source 'transactions' is of type"
                + " 'parquet'",
            "sources.yaml:7: source 'stream_a' is missing required key 'bootstrap_servers'",
            "sources.yaml:13: 'path' is a key of Parquet sources; source 'stream_a' is of type"
                + " 'kafka'",
            "sources.yaml:9: topic 'bad topic!' of source 'stream_a' is not a Kafka topic name: 1"
                + " to 249 letters, digits, '.', '_' or '-'",
            "sources.yaml:10: unknown format 'avro' of source 'stream_a'; Quiver reads Kafka"
                + " messages as JSON objects (format: json)",
            "sources.yaml:14: consumer_config of source 'stream_a' sets 'group.id': the group is"
                + " quiver.<project> (quiver ingest --group names another)",
            "sources.yaml:14: consumer_config of source 'stream_a' sets 'enable.auto.commit':"
                + " Quiver commits offsets with the writes they cover",
            "sources.yaml:12: source 'stream_a' has batch_source 'stream_b', a Kafka source; a"
                + " batch source is a Parquet source holding the same events",
            "sources.yaml:20: source 'stream_b' references unknown source 'transactionz' (did you"
                + " mean 'transactions'?)",
            "sources.yaml:24: source 'stream_c' reads topic 'txns', as source 'stream_b' does; a"
                + " topic is ingested through one source: give the views of both the same source",
            "sources.yaml:27: source 'stream_c' logs to batch source 'transactions', whose path"
                + " 'data/transactions.parquet' is a file or a glob; logged events are new files"
                + " in a folder: make the batch source's path the folder of its Parquet files",
            "sources.yaml:27: source 'stream_c' logs to batch source 'transactions', which has"
                + " created_timestamp_field 'created'; streamed events have no created time: log"
                + " to a source without one",
            "sources.yaml:29: unknown type 'kinesis' of source 'stream_d'; sources are of type"
                + " 'parquet' (files) or 'kafka' (a topic of events)");
  }

  @Test
  void aViewOnAStreamMayNotReadItsTimestampFieldNorKnowRowsByCreatedTime() {
    String views =
        """
        feature_views:
          - name: card_last
            entities: [card]
            source: transactions_stream
            known_time: created
            features:
              - {name: event_time, type: timestamp}
        """;
    assertThat(problems(SOURCES, views))
        .anySatisfy(p -> assertThat(p).contains("reads feature 'event_time', the timestamp_field"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains(
                        "has known_time: created, but its source 'transactions_stream' has no"
                            + " created_timestamp_field"));
  }

  @Test
  void changingTheTopicRetilesAggregationViewsOnTheStreamButNotTheirBatchSourcesFolder() {
    RegistrySnapshot base = new RegistrySnapshot("rides", 3, load(SOURCES, VIEWS));

    assertThat(RegistryPlan.of(base, load(SOURCES, VIEWS)).retiledViews()).isEmpty();
    assertThat(
            RegistryPlan.of(
                    base, load(SOURCES.replace("topic: transactions", "topic: txns2"), VIEWS))
                .retiledViews())
        .containsExactly("card_spend");
    assertThat(
            RegistryPlan.of(base, load(SOURCES.replace("event_time", "produced_at"), VIEWS))
                .retiledViews())
        .containsExactly("card_spend");
    // The tiles hold the stream's events: a new folder for the batch source, or logging to it,
    // leaves them (ingestion would not read those events again).
    assertThat(
            RegistryPlan.of(
                    base,
                    load(
                        SOURCES
                            .replace("path: data/transactions", "path: data/other")
                            .replace("log_to_offline: true", "log_to_offline: false"),
                        VIEWS))
                .retiledViews())
        .isEmpty();
  }
}
