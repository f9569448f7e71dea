package dev.quiver.registry.load;

import dev.quiver.Excerpt;
import dev.quiver.registry.model.Aggregation;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.DurationText;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Expectation;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureLogging;
import dev.quiver.registry.model.FeatureReference;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KafkaSource;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ObjectKind;
import dev.quiver.registry.model.OnDemandFeature;
import dev.quiver.registry.model.OnDemandFeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.SourceLocation;
import dev.quiver.registry.model.ValidationMode;
import dev.quiver.registry.model.ValueType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns definition documents into definition records. Objects are collected across all files; every
 * problem is recorded and parsing goes on. An object with a bad part is still kept, without that
 * part, so that the references it makes are checked too and all problems surface in one run; the
 * names of objects that could not be read at all are kept as well, so references to them do not
 * raise a second, misleading problem. For the same reason, a file that could not be parsed is
 * remembered: a name it mentions may be an object it defines, so a reference to that name is not
 * reported as unknown until the file parses. {@link #definitions()} is therefore only a repo's
 * definitions when no problem was found.
 */
final class DefinitionParser {

  /** Kafka's rule for topic names. */
  private static final Pattern KAFKA_TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

  /** Consumer settings Quiver sets itself, with why they cannot be changed. */
  private static final Map<String, String> QUIVER_CONSUMER_SETTINGS =
      Map.of(
          "bootstrap.servers", "set bootstrap_servers instead",
          "group.id", "the group is quiver.<project> (quiver ingest --group names another)",
          "enable.auto.commit", "Quiver commits offsets with the writes they cover",
          "isolation.level", "Quiver reads committed messages only (read_committed)",
          "key.deserializer", "Quiver reads keys and values as bytes",
          "value.deserializer", "Quiver reads keys and values as bytes",
          "auto.offset.reset", "a new group starts from the earliest offset");

  private static final List<String> SECTION_KEYS =
      Arrays.stream(ObjectKind.values()).map(ObjectKind::sectionKey).toList();

  private final Problems problems;
  private final Map<ObjectKind, Map<String, SourceLocation>> declared =
      new EnumMap<>(ObjectKind.class);
  private final Map<ObjectKind, Map<String, Node.Mapping>> nodes = new EnumMap<>(ObjectKind.class);
  private final List<Entity> entities = new ArrayList<>();
  private final List<ParquetSource> sources = new ArrayList<>();
  private final List<KafkaSource> streamSources = new ArrayList<>();
  private final List<FeatureView> views = new ArrayList<>();
  private final List<FeatureService> services = new ArrayList<>();
  private final List<OnDemandFeatureView> onDemandViews = new ArrayList<>();
  private final java.util.Set<String> incompleteRequests = new java.util.HashSet<>();
  private final List<String> unparsedTexts = new ArrayList<>();
  private boolean unreadFile;

  DefinitionParser(Problems problems) {
    this.problems = problems;
    for (ObjectKind kind : ObjectKind.values()) {
      declared.put(kind, new LinkedHashMap<>());
      nodes.put(kind, new LinkedHashMap<>());
    }
  }

  /** Reads one document: a mapping of section keys to lists of objects. */
  void parseDocument(Node document) {
    if (document instanceof Node.Scalar scalar && scalar.isNull()) {
      return;
    }
    if (!(document instanceof Node.Mapping root)) {
      problems.add(
          document.location(),
          "a definition file must be a mapping of "
              + String.join(", ", SECTION_KEYS)
              + ", found "
              + document.shape());
      return;
    }
    for (Node.Entry section : root.entries().values()) {
      Optional<ObjectKind> kind = ObjectKind.fromSectionKey(section.key());
      if (kind.isEmpty()) {
        problems.add(section.keyLocation(), unknownSectionMessage(section.key()));
        continue;
      }
      MappingReader sectionReader = new MappingReader(root, "the file", problems);
      for (Node.Mapping item : sectionReader.mappingList(section.key()).orElse(List.of())) {
        switch (kind.get()) {
          case ENTITY -> parseEntity(item);
          case SOURCE -> parseSource(item);
          case FEATURE_VIEW -> parseView(item);
          case ON_DEMAND_FEATURE_VIEW -> parseOnDemandView(item);
          case FEATURE_SERVICE -> parseService(item);
        }
      }
    }
  }

  /**
   * Notes a definition file that could not be parsed (its problem is reported already).
   *
   * @param text its text, when it could be read at all
   */
  void unparsedFile(Optional<String> text) {
    text.ifPresentOrElse(unparsedTexts::add, () -> unreadFile = true);
  }

  /**
   * Whether an object of this name may be defined in a file that could not be parsed: the name
   * occurs in one as a word, or a file could not even be read.
   */
  boolean mayBeInUnparsedFile(String name) {
    if (unreadFile) {
      return true;
    }
    Pattern word = Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(name) + "(?![A-Za-z0-9_])");
    return unparsedTexts.stream().anyMatch(text -> word.matcher(text).find());
  }

  private static String unknownSectionMessage(String key) {
    String message =
        "unknown top-level key '"
            + key
            + "'"
            + Suggestions.hint(key, SECTION_KEYS)
            + "; definition files hold "
            + String.join(", ", SECTION_KEYS);
    if (key.equals("stream_feature_views")) {
      message += " (Quiver has no " + key.replace('_', ' ') + ")";
    }
    return message;
  }

  /** Objects whose name was readable, by kind, with where each was first defined. */
  Map<ObjectKind, Map<String, SourceLocation>> declared() {
    return declared;
  }

  /** The document node each declared object was read from. */
  Map<ObjectKind, Map<String, Node.Mapping>> nodes() {
    return nodes;
  }

  /** Whether an on-demand view's request fields could not all be read (each has its problem). */
  boolean hasIncompleteRequest(String onDemandView) {
    return incompleteRequests.contains(onDemandView);
  }

  Definitions definitions() {
    return new Definitions(entities, sources, views, services, streamSources, onDemandViews);
  }

  private Optional<MappingReader> startObject(Node.Mapping node, ObjectKind kind) {
    MappingReader reader = new MappingReader(node, kind.displayName(), problems);
    Optional<String> name = reader.requiredName("name", kind.displayName() + " name");
    name.ifPresent(n -> reader.subject(kind.displayName() + " '" + n + "'"));
    reader.rejectUnknownKeys(DefinitionModel.of(kind).names());
    if (name.isEmpty()) {
      return Optional.empty();
    }
    SourceLocation first = declared.get(kind).putIfAbsent(name.get(), node.location());
    if (first != null) {
      problems.add(
          node.location(),
          "duplicate "
              + kind.displayName()
              + " '"
              + name.get()
              + "' (first defined at "
              + first
              + ")");
      return Optional.empty();
    }
    nodes.get(kind).put(name.get(), node);
    return Optional.of(reader);
  }

  private void parseEntity(Node.Mapping node) {
    Optional<MappingReader> started = startObject(node, ObjectKind.ENTITY);
    if (started.isEmpty()) {
      return;
    }
    MappingReader r = started.get();
    String name = r.requiredString("name").orElseThrow();
    Optional<String> joinKey = r.requiredName("join_key", "join key");
    Optional<ScalarType> type =
        r.requiredString("type").flatMap(text -> joinKeyType(text, r.subject(), r.at("type")));
    String description = r.string("description").orElse(null);
    String owner = r.string("owner").orElse(null);
    Map<String, String> tags = r.stringMap("tags");
    if (joinKey.isPresent() && type.isPresent()) {
      entities.add(
          new Entity(name, joinKey.get(), type.get(), description, owner, tags, node.location()));
    }
  }

  private Optional<ScalarType> joinKeyType(String text, String subject, SourceLocation at) {
    List<String> keyTypes =
        Arrays.stream(ScalarType.values())
            .filter(ScalarType::canBeJoinKey)
            .map(ScalarType::yamlName)
            .toList();
    Optional<ValueType> parsed = ValueType.parse(text);
    if (parsed.isPresent() && !parsed.get().list() && parsed.get().element().canBeJoinKey()) {
      return Optional.of(parsed.get().element());
    }
    String why = parsed.isPresent() ? "cannot be a join key type" : "is an unknown type";
    problems.add(
        at,
        "type '"
            + text
            + "' of "
            + subject
            + " "
            + why
            + (parsed.isPresent() ? "" : Suggestions.hint(text, keyTypes))
            + "; join keys are "
            + String.join(", ", keyTypes));
    return Optional.empty();
  }

  private void parseSource(Node.Mapping node) {
    Optional<MappingReader> started = startObject(node, ObjectKind.SOURCE);
    if (started.isEmpty()) {
      return;
    }
    MappingReader r = started.get();
    String name = r.requiredString("name").orElseThrow();
    String type = r.string("type").orElse("parquet");
    if (type.equals("kafka")) {
      rejectKeysOfOtherType(r, DefinitionModel.PARQUET_SOURCE_KEYS, "kafka", "Parquet");
      parseKafkaSource(node, r, name);
      return;
    }
    if (!type.equals("parquet")) {
      problems.add(
          r.at("type"),
          "unknown type '"
              + type
              + "' of "
              + r.subject()
              + Suggestions.hint(type, List.of("parquet", "kafka"))
              + "; sources are of type 'parquet' (files) or 'kafka' (a topic of events)");
    }
    rejectKeysOfOtherType(r, DefinitionModel.KAFKA_SOURCE_KEYS, "parquet", "Kafka");
    Optional<String> path = r.requiredString("path");
    Optional<String> timestampField = r.requiredString("timestamp_field");
    String created = r.string("created_timestamp_field").orElse(null);
    if (created != null && timestampField.isPresent() && created.equals(timestampField.get())) {
      problems.add(
          r.at("created_timestamp_field"),
          r.subject()
              + " uses '"
              + created
              + "' as both timestamp_field and created_timestamp_field; the created timestamp"
              + " breaks ties between rows of equal event time, so it must be another column");
    }
    Map<String, String> mapping = fieldMapping(r);
    String description = r.string("description").orElse(null);
    sources.add(
        new ParquetSource(
            name,
            path.orElse(""),
            timestampField.orElse(""),
            created,
            mapping,
            description,
            node.location()));
  }

  private void parseKafkaSource(Node.Mapping node, MappingReader r, String name) {
    Optional<String> servers = r.requiredString("bootstrap_servers");
    Optional<String> topic = r.requiredString("topic");
    topic
        .filter(t -> !KAFKA_TOPIC.matcher(t).matches())
        .ifPresent(
            t ->
                problems.add(
                    r.at("topic"),
                    "topic '"
                        + Excerpt.of(t)
                        + "' of "
                        + r.subject()
                        + " is not a Kafka topic name: 1 to 249 letters, digits, '.', '_' or"
                        + " '-'"));
    String format = r.string("format").orElse(KafkaSource.JSON);
    if (!format.equals(KafkaSource.JSON)) {
      problems.add(
          r.at("format"),
          "unknown format '"
              + Excerpt.of(format)
              + "' of "
              + r.subject()
              + "; Quiver reads Kafka messages as JSON objects (format: json)");
    }
    Optional<String> timestampField = r.requiredString("timestamp_field");
    Optional<String> batchSource = r.requiredString("batch_source");
    boolean logToOffline = r.bool("log_to_offline").orElse(false);
    Map<String, String> consumerConfig = r.stringMap("consumer_config");
    for (String key : consumerConfig.keySet()) {
      String reason = QUIVER_CONSUMER_SETTINGS.get(key);
      if (reason != null) {
        problems.add(
            r.at("consumer_config"),
            "consumer_config of " + r.subject() + " sets '" + key + "': " + reason);
      }
    }
    streamSources.add(
        new KafkaSource(
            name,
            servers.orElse(""),
            topic.orElse(""),
            format,
            timestampField.orElse(""),
            batchSource.orElse(""),
            fieldMapping(r),
            logToOffline,
            consumerConfig,
            r.string("description").orElse(null),
            node.location()));
  }

  /** Reports the keys of a source that belong to sources of another type. */
  private void rejectKeysOfOtherType(
      MappingReader r, List<String> keys, String type, String otherType) {
    for (String key : keys) {
      if (r.node(key).isPresent()) {
        problems.add(
            r.at(key),
            "'"
                + key
                + "' is a key of "
                + otherType
                + " sources; "
                + r.subject()
                + " is of type '"
                + type
                + "'");
      }
    }
  }

  /** A source's field_mapping, with two fields mapped to one name reported. */
  private Map<String, String> fieldMapping(MappingReader r) {
    Map<String, String> mapping = r.stringMap("field_mapping");
    Map<String, String> mappedFrom = new java.util.HashMap<>();
    for (Map.Entry<String, String> m : mapping.entrySet()) {
      String other = mappedFrom.putIfAbsent(m.getValue(), m.getKey());
      if (other != null) {
        problems.add(
            r.at("field_mapping"),
            "field_mapping of "
                + r.subject()
                + " maps both '"
                + other
                + "' and '"
                + m.getKey()
                + "' to '"
                + m.getValue()
                + "'");
      }
    }
    return mapping;
  }

  private void parseView(Node.Mapping node) {
    Optional<MappingReader> started = startObject(node, ObjectKind.FEATURE_VIEW);
    if (started.isEmpty()) {
      return;
    }
    MappingReader r = started.get();
    String name = r.requiredString("name").orElseThrow();
    Optional<List<Node.Scalar>> entityNodes = r.scalarList("entities");
    if (entityNodes.isEmpty() && r.node("entities").isEmpty()
        || entityNodes.isPresent() && entityNodes.get().isEmpty()) {
      problems.add(
          r.at("entities"),
          r.subject() + " is missing required key 'entities' (the entities that key its rows)");
    }
    List<String> entityNames =
        entityNodes.orElse(List.of()).stream().map(Node.Scalar::text).toList();
    Optional<String> source = r.requiredString("source");
    Optional<Duration> ttl =
        r.string("ttl")
            .map(
                text -> {
                  Optional<Duration> parsed = DurationText.parse(text);
                  if (parsed.isEmpty()) {
                    problems.add(r.at("ttl"), badDurationMessage(text, r.subject()));
                  }
                  return parsed.orElse(null);
                });
    boolean online = r.bool("online").orElse(true);
    KnownTime knownTime =
        r.string("known_time")
            .map(
                text -> {
                  Optional<KnownTime> parsed = KnownTime.ofYaml(text);
                  if (parsed.isEmpty()) {
                    problems.add(
                        r.at("known_time"),
                        "invalid known_time '"
                            + text
                            + "' of "
                            + r.subject()
                            + ": use 'event' (a row is known from its event time) or 'created'"
                            + " (from its created time)"
                            + Suggestions.hint(text, List.of("event", "created")));
                  }
                  return parsed.orElse(KnownTime.EVENT);
                })
            .orElse(KnownTime.EVENT);
    List<Feature> features = new ArrayList<>();
    List<Aggregation> aggregations = new ArrayList<>();
    Duration hop = null;
    boolean hasFeatures = r.node("features").isPresent();
    boolean hasAggregations = r.node("aggregations").isPresent();
    if (hasFeatures && hasAggregations) {
      problems.add(
          r.at("aggregations"),
          r.subject()
              + " has both 'features' and 'aggregations': a view either reads features from its"
              + " source's rows or aggregates its events; split it into two views");
      // Their own problems are reported too, so that one round of fixes is enough.
      new AggregationParser(r, problems);
      for (Node.Mapping featureNode : r.mappingList("features").orElse(List.of())) {
        parseFeature(featureNode, name);
      }
    } else if (hasAggregations) {
      AggregationParser aggregationParser = new AggregationParser(r, problems);
      aggregations.addAll(aggregationParser.aggregations());
      hop = aggregationParser.hop();
      if (ttl.filter(t -> !t.isZero()).isPresent()) {
        problems.add(
            r.at("ttl"),
            r.subject()
                + " has a ttl, but its aggregations' windows already bound the events they read;"
                + " remove the ttl");
      }
      if (knownTime != KnownTime.EVENT) {
        problems.add(
            r.at("known_time"),
            r.subject()
                + " aggregates events by their event time; known_time: "
                + knownTime.yaml()
                + " applies to views with features only");
      }
    } else {
      Optional<List<Node.Mapping>> featureNodes = r.mappingList("features");
      if (featureNodes.isEmpty() && r.node("features").isEmpty()
          || featureNodes.isPresent() && featureNodes.get().isEmpty()) {
        problems.add(
            r.at("features"),
            r.subject()
                + " is missing required key 'features' (or 'aggregations', for windowed"
                + " aggregations of its source's events)");
      }
      for (Node.Mapping featureNode : featureNodes.orElse(List.of())) {
        parseFeature(featureNode, name).ifPresent(features::add);
      }
      r.string("hop")
          .ifPresent(
              text ->
                  problems.add(
                      r.at("hop"),
                      r.subject() + " has a hop but no aggregations: only windows slide by hops"));
    }
    Duration freshness =
        r.string("freshness")
            .map(
                text -> {
                  Optional<Duration> parsed = DurationText.parse(text);
                  if (parsed.isEmpty() || parsed.get().isZero()) {
                    problems.add(
                        r.at("freshness"),
                        "invalid freshness '"
                            + text
                            + "' of "
                            + r.subject()
                            + ": write how old its newest online event may be, a number with a"
                            + " unit s, m, h or d (30m, 2h, 1d); leave it out for no goal");
                    return null;
                  }
                  return parsed.get();
                })
            .orElse(null);
    ValidationMode validation = validation(r, hasAggregations, features);
    String description = r.string("description").orElse(null);
    String owner = r.string("owner").orElse(null);
    Map<String, String> tags = r.stringMap("tags");
    views.add(
        FeatureView.builder(name)
            .entities(entityNames)
            .source(source.orElse(""))
            .ttl(ttl.orElse(Duration.ZERO))
            .online(online)
            .knownTime(knownTime)
            .features(features)
            .aggregations(aggregations)
            .hop(hop)
            .description(description)
            .owner(owner)
            .tags(tags)
            .location(node.location())
            .freshness(freshness)
            .validation(validation)
            .build());
  }

  /**
   * A view's {@code validation}: only where rules can be enforced, on a view with features that has
   * {@code expect} rules.
   */
  private ValidationMode validation(MappingReader r, boolean aggregates, List<Feature> features) {
    Optional<String> text = r.string("validation");
    if (text.isEmpty()) {
      return null;
    }
    Optional<ValidationMode> mode = ValidationMode.ofYaml(text.get());
    if (mode.isEmpty()) {
      problems.add(
          r.at("validation"),
          "invalid validation '"
              + text.get()
              + "' of "
              + r.subject()
              + ": use 'warn' (write a batch that breaks an expect rule, and count it) or"
              + " 'reject' (write nothing of it)"
              + Suggestions.hint(text.get(), ValidationMode.yamlNames()));
      return null;
    }
    if (aggregates) {
      problems.add(
          r.at("validation"),
          r.subject()
              + " aggregates events: validation rules check the rows a view writes, and an"
              + " aggregation view writes tiles; put expect rules on a view with features of the"
              + " same source instead");
      return null;
    }
    if (features.stream().allMatch(f -> f.expect() == null)) {
      problems.add(
          r.at("validation"),
          r.subject()
              + " has validation: "
              + mode.get().yaml()
              + " but none of its features has expect rules; add expect to a feature or remove"
              + " validation");
      return null;
    }
    return mode.get();
  }

  static String badDurationMessage(String text, String subject) {
    String hint =
        text.strip().matches("\\d+") ? " (add a unit: " + text.strip() + "s is seconds)" : "";
    return "invalid ttl '"
        + text
        + "' of "
        + subject
        + hint
        + ": write a number with a unit s, m, h or d (90m, 2h, 1d12h), or 0 for no limit";
  }

  /**
   * The start of a typed item of a view's list (a feature, a request field): its reader, its name
   * and its type, each problem recorded.
   */
  private record TypedItem(MappingReader reader, Optional<String> name, Optional<ValueType> type) {

    boolean readable() {
      return name.isPresent() && type.isPresent();
    }
  }

  /**
   * Reads an item's name and type, and refuses keys {@code model} does not have.
   *
   * @param item what the item is, e.g. {@code request field}
   * @param owner the view that lists it, e.g. {@code on-demand feature view 'risk'}
   */
  private TypedItem typedItem(
      Node.Mapping node,
      String item,
      String owner,
      String viewName,
      DefinitionModel.ObjectModel model) {
    MappingReader r = new MappingReader(node, "a " + item + " of '" + viewName + "'", problems);
    Optional<String> name = r.requiredName("name", item + " name");
    name.ifPresent(n -> r.subject(item + " '" + n + "' of " + owner));
    r.rejectUnknownKeys(model.names());
    Optional<ValueType> type =
        valueType(
            r,
            r.requiredString("type"),
            String.join(", ", ScalarType.yamlNames()) + " and list<T> of each");
    return new TypedItem(r, name, type);
  }

  private Optional<Feature> parseFeature(Node.Mapping node, String viewName) {
    TypedItem item =
        typedItem(
            node, "feature", "feature view '" + viewName + "'", viewName, DefinitionModel.FEATURE);
    String description = item.reader().string("description").orElse(null);
    Map<String, String> tags = item.reader().stringMap("tags");
    Expectation expect =
        item.reader()
            .mapping("expect")
            .map(m -> parseExpect(m, item.reader().subject(), item.type()))
            .orElse(null);
    if (!item.readable()) {
      return Optional.empty();
    }
    return Optional.of(
        new Feature(item.name().get(), item.type().get(), description, tags, expect));
  }

  /**
   * A feature's {@code expect}, each rule checked against the feature's type; null when a rule is
   * wrong (the problems say which).
   *
   * @param type the feature's type, empty when it is unreadable (its rules are then checked for
   *     shape only)
   */
  private Expectation parseExpect(
      Node.Mapping node, String featureSubject, Optional<ValueType> type) {
    MappingReader r = new MappingReader(node, "expect of " + featureSubject, problems);
    r.rejectUnknownKeys(DefinitionModel.EXPECT.names());
    int before = problems.size();
    boolean notNull = r.bool("not_null").orElse(false);
    Double min = r.number("min").orElse(null);
    Double max = r.number("max").orElse(null);
    Double maxNullFraction = r.number("max_null_fraction").orElse(null);
    List<Object> in = new ArrayList<>();
    Optional<List<Node.Scalar>> inNodes = r.scalarList("in");
    for (String bound : List.of("min", "max")) {
      if (r.node(bound).isPresent() && type.isPresent() && !Expectation.bounds(type.get())) {
        problems.add(
            r.at(bound),
            "'"
                + bound
                + "' of "
                + r.subject()
                + " needs a number feature (int32, int64, float32, float64), and this one is "
                + type.get());
      }
    }
    if (min != null && max != null && min > max) {
      problems.add(
          r.at("max"),
          "'max' of "
              + r.subject()
              + " ("
              + r.string("max").orElse("")
              + ") is less than its 'min' ("
              + r.string("min").orElse("")
              + ")");
    }
    if (maxNullFraction != null && !(maxNullFraction >= 0 && maxNullFraction <= 1)) {
      problems.add(
          r.at("max_null_fraction"),
          "'max_null_fraction' of "
              + r.subject()
              + " must be a share from 0 to 1 (0.1 for 10%), found "
              + r.string("max_null_fraction").orElse(""));
    }
    if (inNodes.isPresent()) {
      if (inNodes.get().isEmpty()) {
        problems.add(
            r.at("in"), "'in' of " + r.subject() + " lists no value; list the values allowed");
      } else if (type.isPresent() && !Expectation.membership(type.get())) {
        problems.add(
            r.at("in"),
            "'in' of "
                + r.subject()
                + " needs a bool, integer, float or string feature, and this one is "
                + type.get());
      } else if (type.isPresent()) {
        for (Node.Scalar value : inNodes.get()) {
          Optional<Object> parsed = Expectation.parse(type.get().element(), value.text());
          if (parsed.isEmpty()) {
            problems.add(
                value.location(),
                "'"
                    + value.text()
                    + "' in 'in' of "
                    + r.subject()
                    + " is not a valid "
                    + type.get());
          } else if (!in.contains(parsed.get())) {
            in.add(parsed.get());
          }
        }
      }
    }
    if (problems.size() != before || type.isEmpty()) {
      return null;
    }
    return new Expectation(notNull, min, max, in, maxNullFraction);
  }

  /**
   * The type {@code text} names, from the {@code type} key of {@code r}'s object; an unknown one is
   * reported with the closest name and {@code typesAre}.
   */
  static Optional<ValueType> valueType(MappingReader r, Optional<String> text, String typesAre) {
    return text.flatMap(
        name -> {
          Optional<ValueType> parsed = ValueType.parse(name);
          if (parsed.isEmpty()) {
            r.problems()
                .add(
                    r.at("type"),
                    "unknown type '"
                        + name
                        + "' of "
                        + r.subject()
                        + Suggestions.hint(name, ValueType.allNames())
                        + "; types are "
                        + typesAre);
          }
          return parsed;
        });
  }

  private void parseOnDemandView(Node.Mapping node) {
    Optional<MappingReader> started = startObject(node, ObjectKind.ON_DEMAND_FEATURE_VIEW);
    if (started.isEmpty()) {
      return;
    }
    MappingReader r = started.get();
    String name = r.requiredString("name").orElseThrow();
    List<String> inputs =
        r.scalarList("inputs").orElse(List.of()).stream().map(Node.Scalar::text).toList();
    List<Feature> request = new ArrayList<>();
    List<Node.Mapping> fieldNodes = r.mappingList("request").orElse(List.of());
    for (Node.Mapping fieldNode : fieldNodes) {
      parseRequestField(fieldNode, name).ifPresent(request::add);
    }
    if (request.size() < fieldNodes.size()
        || r.node("request").isPresent() && r.mappingList("request").isEmpty()) {
      // Its expressions would report the unread fields again as unknown names.
      incompleteRequests.add(name);
    }
    Optional<List<Node.Mapping>> featureNodes = r.mappingList("features");
    if (featureNodes.isEmpty() && r.node("features").isEmpty()
        || featureNodes.isPresent() && featureNodes.get().isEmpty()) {
      problems.add(
          r.at("features"),
          r.subject()
              + " is missing required key 'features' (each with a name, a type and a CEL"
              + " expression)");
    }
    List<OnDemandFeature> features = new ArrayList<>();
    for (Node.Mapping featureNode : featureNodes.orElse(List.of())) {
      parseOnDemandFeature(featureNode, name).ifPresent(features::add);
    }
    String description = r.string("description").orElse(null);
    String owner = r.string("owner").orElse(null);
    Map<String, String> tags = r.stringMap("tags");
    onDemandViews.add(
        new OnDemandFeatureView(
            name, inputs, request, features, description, owner, tags, node.location()));
  }

  private Optional<Feature> parseRequestField(Node.Mapping node, String viewName) {
    TypedItem item =
        typedItem(
            node,
            "request field",
            "on-demand feature view '" + viewName + "'",
            viewName,
            DefinitionModel.REQUEST_FIELD);
    if (!item.readable()) {
      return Optional.empty();
    }
    return Optional.of(Feature.of(item.name().get(), item.type().get()));
  }

  private Optional<OnDemandFeature> parseOnDemandFeature(Node.Mapping node, String viewName) {
    TypedItem item =
        typedItem(
            node,
            "feature",
            "on-demand feature view '" + viewName + "'",
            viewName,
            DefinitionModel.ON_DEMAND_FEATURE);
    MappingReader r = item.reader();
    Optional<String> expression = r.requiredString("expression");
    if (expression.isPresent() && expression.get().isBlank()) {
      problems.add(r.at("expression"), r.subject() + " has an empty expression");
      expression = Optional.empty();
    }
    String description = r.string("description").orElse(null);
    Map<String, String> tags = r.stringMap("tags");
    if (!item.readable() || expression.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new OnDemandFeature(
            item.name().get(), item.type().get(), expression.get(), description, tags));
  }

  private void parseService(Node.Mapping node) {
    Optional<MappingReader> started = startObject(node, ObjectKind.FEATURE_SERVICE);
    if (started.isEmpty()) {
      return;
    }
    MappingReader r = started.get();
    String name = r.requiredString("name").orElseThrow();
    Optional<List<Node.Scalar>> refNodes = r.scalarList("features");
    if (refNodes.isEmpty() && r.node("features").isEmpty()
        || refNodes.isPresent() && refNodes.get().isEmpty()) {
      problems.add(r.at("features"), r.subject() + " is missing required key 'features'");
    }
    List<FeatureReference> refs = new ArrayList<>();
    for (Node.Scalar refNode : refNodes.orElse(List.of())) {
      Optional<FeatureReference> ref = FeatureReference.parse(refNode.text());
      if (ref.isEmpty()) {
        problems.add(
            refNode.location(),
            "invalid feature reference '"
                + refNode.text()
                + "' in "
                + r.subject()
                + ": write 'view' for a whole feature view or 'view:feature' for one feature");
      } else {
        refs.add(ref.get());
      }
    }
    FeatureLogging logging = r.mapping("logging").map(m -> parseLogging(m, r)).orElse(null);
    String description = r.string("description").orElse(null);
    String owner = r.string("owner").orElse(null);
    Map<String, String> tags = r.stringMap("tags");
    services.add(
        new FeatureService(name, refs, description, owner, tags, logging, node.location()));
  }

  /** A service's {@code logging:}; an empty one ({@code logging: {}}) logs every row. */
  private FeatureLogging parseLogging(Node.Mapping node, MappingReader service) {
    MappingReader r = new MappingReader(node, "'logging' of " + service.subject(), problems);
    r.rejectUnknownKeys(DefinitionModel.FEATURE_LOGGING.names());
    Optional<Double> rate = r.number("sample_rate");
    if (rate.isPresent() && !(rate.get() > 0 && rate.get() <= 1)) {
      problems.add(
          r.at("sample_rate"),
          "invalid sample_rate "
              + r.string("sample_rate").orElse("")
              + " of "
              + service.subject()
              + ": write the share of served rows to log, over 0 and at most 1 (0.1 logs one row"
              + " in ten, 1 every row)");
      return null;
    }
    return new FeatureLogging(rate.orElse(FeatureLogging.DEFAULT_SAMPLE_RATE));
  }
}
