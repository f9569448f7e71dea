package dev.quiver.registry.load;

import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.DurationText;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValidationMode;
import dev.quiver.registry.model.ValueType;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The keys each object of a definition file takes, with their shapes: the keys the parser allows
 * (and names in messages), and what the JSON Schema of the files ({@link JsonSchemas}) is generated
 * from, so an editor checks a file against the rules the loader applies. The parser checks the
 * rules between keys and objects on top (references, duplicate names, Parquet columns).
 */
public final class DefinitionModel {

  /** The syntax of names: objects, join keys, features. */
  public static final String IDENTIFIER = "[A-Za-z_][A-Za-z0-9_]*";

  /** What a key's value must be. */
  public enum Shape {
    /** Any scalar, read as text: descriptions, owners, paths. */
    TEXT,
    /** A name: letters, digits and underscores, not starting with a digit. */
    NAME,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** A duration as {@link DurationText} writes it, or 0. */
    DURATION,
    /** A list of durations greater than 0. */
    DURATIONS,
    /** One of {@link Key#choices()}. */
    CHOICE,
    /** A list of names of other objects ({@link Key#choices()}: none). */
    NAMES,
    /** A list of feature references: {@code view} or {@code view:feature}. */
    FEATURE_REFERENCES,
    /** A list of objects, each as {@link Key#items()} describes. */
    OBJECTS,
    /** A mapping of text to text, such as tags. */
    TEXT_MAP,
    /** A number, such as a bound or a rate. */
    NUMBER,
    /** A list of plain values (text or numbers). */
    SCALARS,
    /** One nested object, as {@link Key#items()} describes (its keys, and only those). */
    OBJECT
  }

  /**
   * One key of an object.
   *
   * @param choices the values a {@link Shape#CHOICE} takes, else empty
   * @param items the objects an {@link Shape#OBJECTS} list holds, or the {@link Shape#OBJECT} is,
   *     else null
   */
  public record Key(
      String name,
      Shape shape,
      boolean required,
      String description,
      List<String> choices,
      ObjectModel items) {

    public Key {
      Objects.requireNonNull(name, "name");
      choices = List.copyOf(choices);
    }
  }

  /** An object's keys, in the order files write them. */
  public record ObjectModel(String title, List<Key> keys) {

    public ObjectModel {
      keys = List.copyOf(keys);
    }

    /** Every key's name: the keys a file may write. */
    public List<String> names() {
      return keys.stream().map(Key::name).toList();
    }
  }

  public static final ObjectModel ENTITY =
      new ObjectModel(
          "entity",
          List.of(
              required("name", Shape.NAME, "The entity's name, unique in the project."),
              required(
                  "join_key", Shape.NAME, "The column that holds the entity's key, in every row."),
              choice(
                  "type",
                  true,
                  "The join key's type.",
                  Arrays.stream(ScalarType.values())
                      .filter(ScalarType::canBeJoinKey)
                      .map(ScalarType::yamlName)
                      .toList()),
              optional("description", Shape.TEXT, "What the entity is."),
              optional("owner", Shape.TEXT, "Who to ask about it."),
              optional("tags", Shape.TEXT_MAP, "Free-form labels.")));

  /** The keys only a Parquet source takes. */
  public static final List<String> PARQUET_SOURCE_KEYS = List.of("path", "created_timestamp_field");

  /** The keys only a Kafka source takes. */
  public static final List<String> KAFKA_SOURCE_KEYS =
      List.of(
          "bootstrap_servers",
          "topic",
          "format",
          "batch_source",
          "log_to_offline",
          "consumer_config");

  public static final ObjectModel SOURCE =
      new ObjectModel(
          "source",
          List.of(
              required("name", Shape.NAME, "The source's name, unique in the project."),
              choice(
                  "type",
                  false,
                  "The kind of source: parquet (the default) or kafka.",
                  List.of("parquet", "kafka")),
              optional(
                  "path",
                  Shape.TEXT,
                  "Parquet: a Parquet file, a folder of them or a glob, relative to the repo"
                      + " (required)."),
              required(
                  "timestamp_field",
                  Shape.TEXT,
                  "The column (Parquet) or field (Kafka: RFC 3339 text or epoch milliseconds) of"
                      + " each event's time."),
              optional(
                  "created_timestamp_field",
                  Shape.TEXT,
                  "Parquet: the column of each row's created time: it breaks ties between rows of"
                      + " equal event time, and known_time: created uses it."),
              optional(
                  "field_mapping",
                  Shape.TEXT_MAP,
                  "Renames columns or JSON fields: source name -> name in definitions."),
              optional(
                  "bootstrap_servers",
                  Shape.TEXT,
                  "Kafka: the brokers, host:port[,host:port]; ${VAR} and ${VAR:-default} are"
                      + " read from the environment when ingestion starts (required)."),
              optional("topic", Shape.TEXT, "Kafka: the topic of the events (required)."),
              choice(
                  "format", false, "Kafka: the messages' format (default json).", List.of("json")),
              optional(
                  "batch_source",
                  Shape.NAME,
                  "Kafka: the Parquet source with the same events, read for training"
                      + " (required)."),
              optional(
                  "log_to_offline",
                  Shape.BOOLEAN,
                  "Kafka: append ingested events to the batch source's folder as Parquet files"
                      + " (default false)."),
              optional(
                  "consumer_config",
                  Shape.TEXT_MAP,
                  "Kafka: consumer settings passed to the client (SASL, TLS...); ${VAR} as for"
                      + " bootstrap_servers."),
              optional("description", Shape.TEXT, "What the data is.")));

  public static final ObjectModel EXPECT =
      new ObjectModel(
          "expect",
          List.of(
              optional("not_null", Shape.BOOLEAN, "Every value must be present."),
              optional("min", Shape.NUMBER, "The smallest value allowed (number features)."),
              optional("max", Shape.NUMBER, "The largest value allowed (number features)."),
              optional(
                  "in",
                  Shape.SCALARS,
                  "The only values allowed, read as the feature's type (bool, integer, float and"
                      + " string features)."),
              optional(
                  "max_null_fraction",
                  Shape.NUMBER,
                  "The largest share of null values a written batch may have, 0 to 1.")));

  public static final ObjectModel FEATURE =
      new ObjectModel(
          "feature",
          List.of(
              required("name", Shape.NAME, "The feature's name: its Parquet column."),
              choice("type", true, "The feature's type.", ValueType.allNames()),
              new Key(
                  "expect",
                  Shape.OBJECT,
                  false,
                  "Validation rules, checked when rows are materialized, pushed or ingested and by"
                      + " quiver validate; the view's validation says what a broken rule does.",
                  List.of(),
                  EXPECT),
              optional("description", Shape.TEXT, "What the feature means."),
              optional("tags", Shape.TEXT_MAP, "Free-form labels.")));

  public static final ObjectModel AGGREGATION =
      new ObjectModel(
          "aggregation",
          List.of(
              optional(
                  "column",
                  Shape.NAME,
                  "The column aggregated (after the source's field_mapping); count may go without"
                      + " one, to count rows."),
              choice(
                  "type",
                  false,
                  "The column's type; needed with a column.",
                  ScalarType.yamlNames()),
              choice("function", true, "What to compute.", AggregationFunction.yamlNames()),
              new Key(
                  "windows",
                  Shape.DURATIONS,
                  true,
                  "The windows to compute it over (1h, 1d, 7d): each gives one feature,"
                      + " <column>_<function>_<window>.",
                  List.of(),
                  null)));

  public static final ObjectModel FEATURE_VIEW =
      new ObjectModel(
          "feature view",
          List.of(
              required("name", Shape.NAME, "The view's name, unique in the project."),
              required(
                  "entities", Shape.NAMES, "The entities whose join keys key the view's rows."),
              required("source", Shape.NAME, "The source the view's rows come from."),
              optional(
                  "ttl",
                  Shape.DURATION,
                  "How old a row may be and still be used (90m, 2h, 1d12h); 0 for no limit."),
              optional("online", Shape.BOOLEAN, "Whether the view is materialized (default true)."),
              optional(
                  "freshness",
                  Shape.DURATION,
                  "How old the view's newest online event may be for it to count as fresh (30m,"
                      + " 2h, 1d); the server reports each view against it (GET /freshness)."),
              choice(
                  "validation",
                  false,
                  "What a write does with a batch that breaks its features' expect rules: warn"
                      + " (write it and count, the default) or reject (write nothing of it)."
                      + " Views with features only.",
                  ValidationMode.yamlNames()),
              choice(
                  "known_time",
                  false,
                  "When a row counts as known for point-in-time joins: event (its event time, the"
                      + " default) or created (its created time).",
                  Arrays.stream(KnownTime.values()).map(KnownTime::yaml).toList()),
              new Key(
                  "features",
                  Shape.OBJECTS,
                  false,
                  "The view's features, read from its source's rows (or write aggregations).",
                  List.of(),
                  FEATURE),
              new Key(
                  "aggregations",
                  Shape.OBJECTS,
                  false,
                  "Windowed aggregations of the source's events (instead of features).",
                  List.of(),
                  AGGREGATION),
              optional(
                  "hop",
                  Shape.DURATION,
                  "The step every window slides by; by default 5m for windows under 12h, 1h under"
                      + " 10d, 1d beyond."),
              optional("description", Shape.TEXT, "What the view holds."),
              optional("owner", Shape.TEXT, "Who to ask about it."),
              optional("tags", Shape.TEXT_MAP, "Free-form labels.")));

  public static final ObjectModel REQUEST_FIELD =
      new ObjectModel(
          "request field",
          List.of(
              required(
                  "name",
                  Shape.NAME,
                  "The field's name: a column of the entity rows offline, a key beside the join"
                      + " keys online."),
              choice("type", true, "The field's type.", ValueType.allNames())));

  public static final ObjectModel ON_DEMAND_FEATURE =
      new ObjectModel(
          "on-demand feature",
          List.of(
              required("name", Shape.NAME, "The feature's name."),
              choice(
                  "type",
                  true,
                  "The feature's type: the expression's result type.",
                  ValueType.allNames()),
              required(
                  "expression",
                  Shape.TEXT,
                  "A CEL expression over the request fields (by name) and the inputs' features"
                      + " (view.feature)."),
              optional("description", Shape.TEXT, "What the feature means."),
              optional("tags", Shape.TEXT_MAP, "Free-form labels.")));

  public static final ObjectModel ON_DEMAND_FEATURE_VIEW =
      new ObjectModel(
          "on-demand feature view",
          List.of(
              required(
                  "name",
                  Shape.NAME,
                  "The view's name, unique among feature views and on-demand views."),
              optional(
                  "inputs",
                  Shape.NAMES,
                  "The feature views whose features the expressions read, as view.feature."),
              new Key(
                  "request",
                  Shape.OBJECTS,
                  false,
                  "Typed values the caller sends with each row.",
                  List.of(),
                  REQUEST_FIELD),
              new Key(
                  "features",
                  Shape.OBJECTS,
                  true,
                  "The features, each a CEL expression computed at request time.",
                  List.of(),
                  ON_DEMAND_FEATURE),
              optional("description", Shape.TEXT, "What the view computes."),
              optional("owner", Shape.TEXT, "Who to ask about it."),
              optional("tags", Shape.TEXT_MAP, "Free-form labels.")));

  public static final ObjectModel FEATURE_LOGGING =
      new ObjectModel(
          "feature logging",
          List.of(
              optional(
                  "sample_rate",
                  Shape.NUMBER,
                  "The share of served rows logged, over 0 and at most 1 (default 1: every"
                      + " row); each row is drawn on its own.")));

  public static final ObjectModel FEATURE_SERVICE =
      new ObjectModel(
          "feature service",
          List.of(
              required("name", Shape.NAME, "The service's name, unique in the project."),
              required(
                  "features",
                  Shape.FEATURE_REFERENCES,
                  "'view' for a whole view, 'view:feature' for one feature (feature views and"
                      + " on-demand views)."),
              new Key(
                  "logging",
                  Shape.OBJECT,
                  false,
                  "Log the rows the server serves for the service (request id and time, join keys,"
                      + " request data, each feature's value, status and event time) to Parquet"
                      + " under logging.path of feature_store.yaml, for 'quiver consistency' and"
                      + " drift.",
                  List.of(),
                  FEATURE_LOGGING),
              optional("description", Shape.TEXT, "What the service serves."),
              optional("owner", Shape.TEXT, "Who to ask about it."),
              optional("tags", Shape.TEXT_MAP, "Free-form labels.")));

  /** The pattern of a valid duration, as {@link DurationText#parse} reads it. */
  static final String DURATION = "^\\s*(0|" + DurationText.SYNTAX + ")\\s*$";

  private DefinitionModel() {}

  /** The objects of one top-level section. */
  public static ObjectModel of(ObjectKind kind) {
    return switch (kind) {
      case ENTITY -> ENTITY;
      case SOURCE -> SOURCE;
      case FEATURE_VIEW -> FEATURE_VIEW;
      case ON_DEMAND_FEATURE_VIEW -> ON_DEMAND_FEATURE_VIEW;
      case FEATURE_SERVICE -> FEATURE_SERVICE;
    };
  }

  private static Key required(String name, Shape shape, String description) {
    return new Key(name, shape, true, description, List.of(), null);
  }

  private static Key optional(String name, Shape shape, String description) {
    return new Key(name, shape, false, description, List.of(), null);
  }

  private static Key choice(
      String name, boolean required, String description, List<String> choices) {
    return new Key(name, Shape.CHOICE, required, description, choices, null);
  }
}
