package dev.quiver.registry.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.quiver.registry.load.DefinitionModel.Key;
import dev.quiver.registry.load.DefinitionModel.ObjectModel;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.plugin.StoreKind;
import dev.quiver.registry.plugin.StoreType;
import dev.quiver.registry.plugin.StoreTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The generated schemas agree with the loader: the files the loader takes, the schema takes, and
 * for every key of every object, a file the schema refuses (the key missing, of the wrong shape, or
 * unknown) the loader refuses too. Checked with an independent JSON Schema validator.
 */
class JsonSchemasTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SchemaRegistry SCHEMAS =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7);
  private static final Schema DEFINITIONS =
      SCHEMAS.getSchema(JsonSchemas.write(JsonSchemas.definitionFiles()));
  private static final Schema CONFIG =
      SCHEMAS.getSchema(JsonSchemas.write(JsonSchemas.projectConfig()));

  @TempDir Path repo;

  /** The example repo's feature_store.yaml needs RocksDB's type: the server's tests check it. */
  @Test
  void theExampleRepoAndTheTestRepoAreValid() throws IOException {
    Path example = Path.of("..", "feature-repo-example");
    List<Path> files;
    try (Stream<Path> listed = Files.list(example)) {
      files =
          listed
              .filter(f -> f.toString().endsWith(".yaml"))
              .filter(f -> !f.getFileName().toString().equals("feature_store.yaml"))
              .sorted()
              .toList();
    }
    assertThat(files).hasSizeGreaterThan(3);
    for (Path file : files) {
      assertThat(errors(DEFINITIONS, Files.readString(file))).as(file.toString()).isEmpty();
    }
    FeatureRepo.load(write(base()), Map.of());
    assertThat(errors(DEFINITIONS, yaml(base()))).isEmpty();
  }

  static Stream<Arguments> everyKey() {
    List<Arguments> keys = new ArrayList<>();
    for (ObjectKind kind : ObjectKind.values()) {
      for (Key key : DefinitionModel.of(kind).keys()) {
        keys.add(Arguments.of(DefinitionModel.of(kind).title(), key.name()));
      }
    }
    for (ObjectModel model :
        List.of(
            DefinitionModel.FEATURE,
            DefinitionModel.EXPECT,
            DefinitionModel.AGGREGATION,
            DefinitionModel.REQUEST_FIELD,
            DefinitionModel.ON_DEMAND_FEATURE,
            DefinitionModel.FEATURE_LOGGING)) {
      for (Key key : model.keys()) {
        keys.add(Arguments.of(model.title(), key.name()));
      }
    }
    return keys.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyKey")
  void aValueOfTheWrongShapeIsRefusedByBoth(String object, String key) throws IOException {
    Key model = key(object, key);
    Object wrong =
        switch (model.shape()) {
          case TEXT -> Map.of("a", "b");
          case NAME -> "1st";
          case BOOLEAN -> "maybe";
          case DURATION -> "5";
          case CHOICE -> "bogus";
          case NAMES, OBJECTS, DURATIONS -> "driver";
          case FEATURE_REFERENCES -> List.of("a:b:c");
          case TEXT_MAP -> "labels";
          case OBJECT -> "one";
          case NUMBER -> "many";
          case SCALARS -> Map.of("a", "b");
        };
    assertRefusedByBoth(change(object, o -> o.put(key, wrong)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyKey")
  void aMissingRequiredKeyIsRefusedByBothAndAnOptionalOneByNeither(String object, String key)
      throws IOException {
    Map<String, Object> document = change(object, o -> o.remove(key));
    // A view needs features or aggregations; the plain view of the base has features. A Parquet
    // source (the base's) needs its path.
    if (key(object, key).required()
        || key.equals("features")
        || object.equals("source") && key.equals("path")) {
      assertRefusedByBoth(document);
    } else {
      assertThat(errors(DEFINITIONS, yaml(document))).isEmpty();
      FeatureRepo.load(write(document), Map.of());
    }
  }

  @Test
  void everyOptionalKeyWithAValidValueIsTakenByBoth() throws IOException {
    Map<String, Object> document =
        change(
            "entity",
            e -> {
              e.put("description", "a driver");
              e.put("owner", "ml@example.com");
              e.put("tags", Map.of("team", "ml"));
            });
    Map<String, Object> source = objects(document, ObjectKind.SOURCE).get(0);
    source.put("type", "parquet");
    source.put("created_timestamp_field", "created");
    source.put("field_mapping", Map.of("conv", "conv_rate"));
    source.put("description", "stats");
    Map<String, Object> view = objects(document, ObjectKind.FEATURE_VIEW).get(0);
    view.put("ttl", "1d12h");
    view.put("online", false);
    view.put("known_time", "created");
    view.put("description", "stats");
    view.put("owner", "ml");
    view.put("tags", Map.of("a", "b"));
    Map<String, Object> service = objects(document, ObjectKind.FEATURE_SERVICE).get(0);
    service.put("features", List.of("driver_stats:conv_rate"));
    service.put("description", "ranking");
    service.put("logging", Map.of("sample_rate", 0.25));

    assertThat(errors(DEFINITIONS, yaml(document))).isEmpty();
    FeatureRepo.load(write(document), Map.of());
  }

  @Test
  void aKafkaSourceIsTakenByBothAndRefusedWithoutItsTopicByBoth() throws IOException {
    Map<String, Object> document = base();
    Map<String, Object> stream = new LinkedHashMap<>();
    stream.put("name", "stats_stream");
    stream.put("type", "kafka");
    stream.put("bootstrap_servers", "${KAFKA:-localhost:9092}");
    stream.put("topic", "stats");
    stream.put("format", "json");
    stream.put("timestamp_field", "ts");
    stream.put("batch_source", "stats");
    stream.put("field_mapping", Map.of("conv", "conv_rate"));
    stream.put("log_to_offline", false);
    stream.put("consumer_config", Map.of("security.protocol", "SASL_SSL"));
    stream.put("description", "live stats");
    List<Map<String, Object>> sources = new ArrayList<>(objects(document, ObjectKind.SOURCE));
    sources.add(stream);
    document.put(ObjectKind.SOURCE.sectionKey(), sources);
    objects(document, ObjectKind.FEATURE_VIEW).get(1).put("source", "stats_stream");

    assertThat(errors(DEFINITIONS, yaml(document))).isEmpty();
    FeatureRepo.load(write(document), Map.of());

    stream.remove("topic");
    assertRefusedByBoth(document);
    stream.put("topic", "stats");
    stream.put("path", "data/stats");
    assertRefusedByBoth(document);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyKey")
  void anUnknownKeyIsRefusedByBoth(String object, String key) throws IOException {
    assertRefusedByBoth(change(object, o -> o.put(key + "_extra", "x")));
  }

  @Test
  void everyChoiceIsTakenByTheSchema() {
    for (ObjectModel model :
        List.of(
            DefinitionModel.ENTITY,
            DefinitionModel.SOURCE,
            DefinitionModel.FEATURE_VIEW,
            DefinitionModel.FEATURE)) {
      for (Key key : model.keys()) {
        for (String choice : key.choices()) {
          if (choice.equals("kafka") || DefinitionModel.KAFKA_SOURCE_KEYS.contains(key.name())) {
            continue; // aKafkaSourceIsTakenByBothAndRefusedWithoutItsTopicByBoth
          }
          Map<String, Object> document = change(model.title(), o -> o.put(key.name(), choice));
          assertThat(errors(DEFINITIONS, yaml(document)))
              .as(model.title() + " " + key.name() + ": " + choice)
              .isEmpty();
        }
      }
    }
  }

  @Test
  void theConfigSchemaTakesEveryDeclaredStoreTypeAndRefusesWhatTheLoaderRefuses()
      throws IOException {
    for (StoreKind kind : StoreKind.values()) {
      for (StoreType type : StoreTypes.declared(kind).values()) {
        Map<String, Object> store = new LinkedHashMap<>();
        store.put("type", type.type());
        type.requiredOptions().forEach(option -> store.put(option, "x"));
        String config = yaml(Map.of("project", "p", kind.key(), store));
        assertThat(errors(CONFIG, config)).as(config).isEmpty();
      }
    }
    // Settings passed through to a backend: a mapping of values, as the loader reads it.
    String spark =
        "project: p\noffline_store: {type: spark, master: \"local[2]\","
            + " conf: {spark.executor.memory: 2g, spark.sql.shuffle.partitions: 8}}\n";
    assertThat(errors(CONFIG, spark)).as(spark).isEmpty();
    String logging = "project: p\nlogging: {path: /var/log/quiver}\n";
    assertThat(errors(CONFIG, logging)).as(logging).isEmpty();
    Files.writeString(repo.resolve("feature_store.yaml"), logging);
    assertThat(FeatureRepo.loadConfig(repo, Map.of()).logFolder("ranking"))
        .isEqualTo(Path.of("/var/log/quiver/ranking"));
    Files.writeString(repo.resolve("feature_store.yaml"), spark);
    assertThat(FeatureRepo.loadConfig(repo, Map.of()).offlineStore().mapOption("conf"))
        .containsEntry("spark.executor.memory", "2g")
        .containsEntry("spark.sql.shuffle.partitions", "8");
    for (String config :
        List.of(
            "project: p\noffline_store: {type: spark, conf: {a: {b: c}}}\n",
            "project: p\nonline_store: {type: rocksdb, colour: red}\n",
            "project: p\nregistry: {type: postgres}\n",
            "project: p\nonline_store: {type: casandra}\n",
            "project: 1p\n",
            "registry: data/registry.json\n",
            "project: p\nonline: {type: rocksdb}\n",
            "project: p\nlogging: {path: data/logs, rate: 1}\n",
            "project: p\nlogging: data/logs\n")) {
      assertThat(errors(CONFIG, config)).as(config).isNotEmpty();
      Files.writeString(repo.resolve("feature_store.yaml"), config);
      assertThatThrownBy(() -> FeatureRepo.loadConfig(repo, Map.of()))
          .as(config)
          .isInstanceOf(DefinitionException.class);
    }
  }

  private void assertRefusedByBoth(Map<String, Object> document) throws IOException {
    String text = yaml(document);
    assertThat(errors(DEFINITIONS, text)).as(text).isNotEmpty();
    Path root = write(document);
    assertThatThrownBy(() -> FeatureRepo.load(root, Map.of()))
        .as(text)
        .isInstanceOf(DefinitionException.class);
  }

  /** One of each object, each with its required keys only. */
  private static Map<String, Object> base() {
    Map<String, Object> feature = mutable(Map.of("name", "conv_rate", "type", "float64"));
    Map<String, Object> document = new LinkedHashMap<>();
    document.put(
        "entities",
        List.of(mutable(Map.of("name", "driver", "join_key", "driver_id", "type", "int64"))));
    document.put(
        "sources",
        List.of(
            mutable(
                Map.of("name", "stats", "path", "data/stats.parquet", "timestamp_field", "ts"))));
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("name", "driver_stats");
    view.put("entities", List.of("driver"));
    view.put("source", "stats");
    view.put("features", List.of(feature));
    Map<String, Object> aggregation =
        mutable(Map.of("function", "count", "windows", List.of("1h")));
    Map<String, Object> aggregated = new LinkedHashMap<>();
    aggregated.put("name", "driver_activity");
    aggregated.put("entities", List.of("driver"));
    aggregated.put("source", "stats");
    aggregated.put("aggregations", List.of(aggregation));
    document.put("feature_views", List.of(view, aggregated));
    Map<String, Object> onDemand = new LinkedHashMap<>();
    onDemand.put("name", "adjusted");
    onDemand.put("request", List.of(mutable(Map.of("name", "amount", "type", "float64"))));
    onDemand.put(
        "features",
        List.of(mutable(Map.of("name", "doubled", "type", "float64", "expression", "1.5 * 2.0"))));
    document.put("on_demand_feature_views", List.of(onDemand));
    document.put(
        "feature_services",
        List.of(mutable(Map.of("name", "ranking", "features", List.of("driver_stats")))));
    return document;
  }

  /**
   * The base document with the first object of a kind (or the first view's feature, or the second
   * view's aggregation) changed.
   */
  private static Map<String, Object> change(String object, Consumer<Map<String, Object>> edit) {
    Map<String, Object> document = base();
    if (object.equals(DefinitionModel.AGGREGATION.title())) {
      edit.accept(
          ((List<Map<String, Object>>)
                  (List<?>) objects(document, ObjectKind.FEATURE_VIEW).get(1).get("aggregations"))
              .get(0));
      return document;
    }
    if (object.equals(DefinitionModel.EXPECT.title())) {
      Map<String, Object> expect = new LinkedHashMap<>();
      ((List<Map<String, Object>>)
              (List<?>) objects(document, ObjectKind.FEATURE_VIEW).get(0).get("features"))
          .get(0)
          .put("expect", expect);
      edit.accept(expect);
      return document;
    }
    if (object.equals(DefinitionModel.FEATURE.title())) {
      edit.accept(
          ((List<Map<String, Object>>)
                  (List<?>) objects(document, ObjectKind.FEATURE_VIEW).get(0).get("features"))
              .get(0));
      return document;
    }
    if (object.equals(DefinitionModel.FEATURE_LOGGING.title())) {
      Map<String, Object> logging = mutable(Map.of("sample_rate", 0.5));
      objects(document, ObjectKind.FEATURE_SERVICE).get(0).put("logging", logging);
      edit.accept(logging);
      return document;
    }
    if (object.equals(DefinitionModel.REQUEST_FIELD.title())
        || object.equals(DefinitionModel.ON_DEMAND_FEATURE.title())) {
      String list = object.equals(DefinitionModel.REQUEST_FIELD.title()) ? "request" : "features";
      edit.accept(
          ((List<Map<String, Object>>)
                  (List<?>) objects(document, ObjectKind.ON_DEMAND_FEATURE_VIEW).get(0).get(list))
              .get(0));
      return document;
    }
    for (ObjectKind kind : ObjectKind.values()) {
      if (DefinitionModel.of(kind).title().equals(object)) {
        edit.accept(objects(document, kind).get(0));
        return document;
      }
    }
    throw new IllegalArgumentException(object);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> objects(Map<String, Object> document, ObjectKind kind) {
    return (List<Map<String, Object>>) document.get(kind.sectionKey());
  }

  private static Key key(String object, String name) {
    ObjectModel model =
        Stream.concat(
                Stream.of(
                    DefinitionModel.FEATURE,
                    DefinitionModel.EXPECT,
                    DefinitionModel.AGGREGATION,
                    DefinitionModel.REQUEST_FIELD,
                    DefinitionModel.ON_DEMAND_FEATURE,
                    DefinitionModel.FEATURE_LOGGING),
                Stream.of(ObjectKind.values()).map(DefinitionModel::of))
            .filter(m -> m.title().equals(object))
            .findFirst()
            .orElseThrow();
    return model.keys().stream().filter(k -> k.name().equals(name)).findFirst().orElseThrow();
  }

  private static Map<String, Object> mutable(Map<String, Object> map) {
    return new LinkedHashMap<>(map);
  }

  private Path write(Map<String, Object> document) throws IOException {
    Files.writeString(repo.resolve("feature_store.yaml"), "project: p\n");
    Files.writeString(repo.resolve("definitions.yaml"), yaml(document));
    return repo;
  }

  /** YAML as a person writes it: JSON is YAML, and the loader reads it as any other file. */
  private static String yaml(Map<String, Object> document) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Error> errors(Schema schema, String yaml) {
    Object data = new Load(LoadSettings.builder().build()).loadFromString(yaml);
    JsonNode node = JSON.valueToTree(data);
    return schema.validate(node);
  }
}
