package dev.quiver.registry.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quiver.registry.load.DefinitionModel.Key;
import dev.quiver.registry.load.DefinitionModel.ObjectModel;
import dev.quiver.registry.model.DurationText;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.plugin.StoreKind;
import dev.quiver.registry.plugin.StoreType;
import dev.quiver.registry.plugin.StoreTypes;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * JSON Schemas (draft-07, which YAML editors understand) of the definition files and of {@code
 * feature_store.yaml}, generated from what the loader checks: {@link DefinitionModel} for the
 * definitions, and for each store the types declared on the class path with their options ({@link
 * StoreTypes}). A file the schema refuses, the loader refuses too; the loader checks more (names
 * that must exist, Parquet columns), which a schema cannot say.
 */
public final class JsonSchemas {

  private static final String DRAFT = "http://json-schema.org/draft-07/schema#";
  private static final List<String> SCALAR = List.of("string", "number", "boolean");

  private JsonSchemas() {}

  /** The schema of a definition file: its sections and their objects. */
  public static Map<String, Object> definitionFiles() {
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("$schema", DRAFT);
    schema.put("title", "Quiver definition file");
    schema.put(
        "description",
        "Entities, sources, feature views, on-demand feature views and feature services;"
            + " 'quiver plan' checks the rules"
            + " between them.");
    schema.put("type", List.of("object", "null"));
    Map<String, Object> sections = new LinkedHashMap<>();
    Map<String, Object> objects = new LinkedHashMap<>();
    for (ObjectKind kind : ObjectKind.values()) {
      ObjectModel model = DefinitionModel.of(kind);
      sections.put(
          kind.sectionKey(),
          json(
              "type",
              List.of("array", "null"),
              "items",
              reference(model),
              "description",
              "Each " + model.title() + " of the file."));
      addDefinition(objects, model);
    }
    schema.put("properties", sections);
    schema.put("additionalProperties", false);
    schema.put("definitions", objects);
    return schema;
  }

  /** The model's schema and those of the objects its lists hold. */
  private static void addDefinition(Map<String, Object> objects, ObjectModel model) {
    if (objects.putIfAbsent(definitionName(model), object(model)) != null) {
      return;
    }
    for (DefinitionModel.Key key : model.keys()) {
      if (key.items() != null) {
        addDefinition(objects, key.items());
      }
    }
  }

  /** The schema of {@code feature_store.yaml}, with the store types this Quiver can open. */
  public static Map<String, Object> projectConfig() {
    Map<String, Object> schema = new LinkedHashMap<>();
    schema.put("$schema", DRAFT);
    schema.put("title", "Quiver " + ProjectConfigParser.FILE_NAME);
    schema.put("description", "The project's name and where its stores live.");
    schema.put("type", "object");
    Map<String, Object> properties = new LinkedHashMap<>();
    for (String key : ProjectConfigParser.TOP_KEYS) {
      if (key.equals("project")) {
        properties.put(
            key,
            described(name(), "The project's name: registries and online stores keep it apart."));
        continue;
      }
      if (key.equals("logging")) {
        properties.put(
            key,
            described(
                closedObject(
                    "feature logs",
                    json(
                        "path",
                        described(
                            json("type", "string"),
                            "The folder of feature logs, relative to the repo (default "
                                + ProjectConfig.DEFAULT_LOG_PATH
                                + "); a service's logs go to <path>/<service>/.")),
                    List.of()),
                "Where the server logs the rows it serves for feature services with logging."));
        continue;
      }
      StoreKind kind =
          Arrays.stream(StoreKind.values())
              .filter(k -> k.key().equals(key))
              .findFirst()
              .orElseThrow();
      List<Object> forms = new ArrayList<>();
      forms.add(described(json("type", "null"), "The default " + kind.key() + "."));
      if (kind == StoreKind.REGISTRY) {
        forms.add(described(json("type", "string"), "The path of a file registry."));
      }
      new TreeMap<>(StoreTypes.declared(kind)).values().forEach(type -> forms.add(store(type)));
      properties.put(key, json("anyOf", forms));
    }
    schema.put("properties", properties);
    schema.put("required", List.of("project"));
    schema.put("additionalProperties", false);
    return schema;
  }

  /** A schema as indented JSON. */
  public static String write(Map<String, Object> schema) {
    try {
      return new ObjectMapper()
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(schema)
          + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> store(StoreType type) {
    Map<String, Object> properties = new LinkedHashMap<>();
    properties.put("type", json("const", type.type()));
    // A value, a list of values, or settings passed through (the Spark engine's conf).
    Map<String, Object> option =
        json(
            "type",
            List.of("string", "number", "boolean", "array", "object"),
            "items",
            json("type", SCALAR),
            "additionalProperties",
            json("type", SCALAR));
    type.requiredOptions().forEach(o -> properties.put(o, option));
    type.optionalOptions().forEach(o -> properties.put(o, option));
    List<String> required = new ArrayList<>(List.of("type"));
    required.addAll(type.requiredOptions());
    return closedObject(type.kind().key() + " of type " + type.type(), properties, required);
  }

  private static Map<String, Object> object(ObjectModel model) {
    Map<String, Object> properties = new LinkedHashMap<>();
    List<String> required = new ArrayList<>();
    for (Key key : model.keys()) {
      Map<String, Object> value = described(value(key), key.description());
      if (model == DefinitionModel.FEATURE_LOGGING && key.name().equals("sample_rate")) {
        value.putAll(json("exclusiveMinimum", 0, "maximum", 1));
      }
      properties.put(key.name(), value);
      if (key.required()) {
        required.add(key.name());
      }
    }
    Map<String, Object> schema = closedObject(model.title(), properties, required);
    schema.putAll(rulesBetweenKeys(model));
    return schema;
  }

  /** What the parser checks between the keys of one object, where a schema can say it too. */
  private static Map<String, Object> rulesBetweenKeys(ObjectModel model) {
    if (model == DefinitionModel.FEATURE_VIEW) {
      // A view has features or aggregations, never both.
      return json(
          "oneOf",
          List.of(
              json("required", List.of("features")), json("required", List.of("aggregations"))));
    }
    if (model == DefinitionModel.SOURCE) {
      // A Kafka source names its brokers, topic and batch source; any other source is Parquet.
      Map<String, Object> kafka =
          json("required", List.of("type"), "properties", json("type", json("const", "kafka")));
      return json(
          "if",
          kafka,
          "then",
          json(
              "required",
              List.of("bootstrap_servers", "topic", "batch_source"),
              "not",
              json("anyOf", requiredEach(DefinitionModel.PARQUET_SOURCE_KEYS))),
          "else",
          json(
              "required",
              List.of("path"),
              "not",
              json("anyOf", requiredEach(DefinitionModel.KAFKA_SOURCE_KEYS))));
    }
    if (model == DefinitionModel.AGGREGATION) {
      // A column comes with its type; every function but count needs a column.
      return json(
          "dependencies",
          json("column", List.of("type"), "type", List.of("column")),
          "if",
          json("properties", json("function", json("const", "count"))),
          "else",
          json("required", List.of("column")));
    }
    return Map.of();
  }

  private static List<Object> requiredEach(List<String> keys) {
    return keys.stream().<Object>map(k -> json("required", List.of(k))).toList();
  }

  /** An object with these keys and no others, as the loader refuses unknown keys. */
  private static Map<String, Object> closedObject(
      String title, Map<String, Object> properties, List<String> required) {
    return json(
        "title",
        title,
        "type",
        "object",
        "properties",
        properties,
        "required",
        required,
        "additionalProperties",
        false);
  }

  private static Map<String, Object> value(Key key) {
    return switch (key.shape()) {
      case TEXT -> json("type", SCALAR);
      case NAME -> name();
      case BOOLEAN -> json("type", "boolean");
      case DURATION ->
          json(
              "anyOf",
              List.of(
                  json("type", "string", "pattern", DefinitionModel.DURATION),
                  json("enum", List.of(0))));
      case DURATIONS ->
          list(key, json("type", "string", "pattern", "^\\s*" + DurationText.SYNTAX + "\\s*$"));
      case CHOICE -> json("enum", key.choices());
      case NAMES -> list(key, name());
      case FEATURE_REFERENCES -> list(key, json("type", "string", "pattern", "^[^:]+(:[^:]+)?$"));
      case OBJECTS -> list(key, reference(key.items()));
      case OBJECT -> reference(key.items());
      case NUMBER -> json("type", "number");
      case SCALARS -> list(key, json("type", SCALAR));
      case TEXT_MAP ->
          json("type", List.of("object", "null"), "additionalProperties", json("type", SCALAR));
    };
  }

  private static Map<String, Object> list(Key key, Map<String, Object> items) {
    Map<String, Object> list = new LinkedHashMap<>();
    list.put("type", "array");
    list.put("items", items);
    if (key.required()) {
      list.put("minItems", 1);
    }
    return list;
  }

  private static Map<String, Object> name() {
    return json("type", "string", "pattern", "^" + DefinitionModel.IDENTIFIER + "$");
  }

  private static Map<String, Object> described(Map<String, Object> schema, String description) {
    Map<String, Object> described = new LinkedHashMap<>();
    described.put("description", description);
    described.putAll(schema);
    return described;
  }

  /** A JSON object with the keys in the order given: the printed schema is the same every run. */
  private static Map<String, Object> json(Object... keysAndValues) {
    Map<String, Object> object = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      object.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return object;
  }

  private static Map<String, Object> reference(ObjectModel model) {
    return json("$ref", "#/definitions/" + definitionName(model));
  }

  private static String definitionName(ObjectModel model) {
    return model.title().replace(' ', '_');
  }
}
