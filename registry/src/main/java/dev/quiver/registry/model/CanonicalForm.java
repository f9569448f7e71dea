package dev.quiver.registry.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one plain-data form of every definition: ordered maps with the keys of the definition files.
 * The registry stores it, {@code registry show} prints it and plans compare it, so all three agree
 * on what an object is. Source locations are not part of it.
 */
public final class CanonicalForm {

  private CanonicalForm() {}

  /** The whole set, keyed by the section names of definition files. */
  public static Map<String, Object> of(Definitions definitions) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (ObjectKind kind : ObjectKind.values()) {
      map.put(kind.sectionKey(), objects(definitions, kind).values().stream().toList());
    }
    return map;
  }

  /** Every object of one kind by name, in name order. */
  public static Map<String, Map<String, Object>> objects(Definitions definitions, ObjectKind kind) {
    Map<String, Map<String, Object>> byName = new LinkedHashMap<>();
    switch (kind) {
      case ENTITY -> definitions.entities().forEach(e -> byName.put(e.name(), of(e)));
      case SOURCE -> {
        Map<String, Map<String, Object>> sources = new java.util.TreeMap<>();
        definitions.sources().forEach(s -> sources.put(s.name(), of(s)));
        definitions.streamSources().forEach(s -> sources.put(s.name(), of(s)));
        byName.putAll(sources);
      }
      case FEATURE_VIEW -> definitions.featureViews().forEach(v -> byName.put(v.name(), of(v)));
      case ON_DEMAND_FEATURE_VIEW ->
          definitions.onDemandFeatureViews().forEach(v -> byName.put(v.name(), of(v)));
      case FEATURE_SERVICE ->
          definitions.featureServices().forEach(s -> byName.put(s.name(), of(s)));
    }
    return byName;
  }

  public static Map<String, Object> of(Entity entity) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", entity.name());
    map.put("join_key", entity.joinKey());
    map.put("type", entity.type().yamlName());
    putDescribing(map, entity.description(), entity.owner(), entity.tags());
    return map;
  }

  public static Map<String, Object> of(ParquetSource source) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", source.name());
    map.put("type", "parquet");
    map.put("path", source.path());
    map.put("timestamp_field", source.timestampField());
    putIfPresent(map, "created_timestamp_field", source.createdTimestampField());
    if (!source.fieldMapping().isEmpty()) {
      map.put("field_mapping", new TreeMap<>(source.fieldMapping()));
    }
    putIfPresent(map, "description", source.description());
    return map;
  }

  public static Map<String, Object> of(KafkaSource source) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", source.name());
    map.put("type", "kafka");
    map.put("bootstrap_servers", source.bootstrapServers());
    map.put("topic", source.topic());
    map.put("format", source.format());
    map.put("timestamp_field", source.timestampField());
    map.put("batch_source", source.batchSource());
    if (!source.fieldMapping().isEmpty()) {
      map.put("field_mapping", new TreeMap<>(source.fieldMapping()));
    }
    if (source.logToOffline()) {
      map.put("log_to_offline", true);
    }
    if (!source.consumerConfig().isEmpty()) {
      map.put("consumer_config", new TreeMap<>(source.consumerConfig()));
    }
    putIfPresent(map, "description", source.description());
    return map;
  }

  public static Map<String, Object> of(FeatureView view) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", view.name());
    map.put("entities", view.entities());
    map.put("source", view.source());
    if (view.isAggregation()) {
      map.put("online", view.online());
      map.put("aggregations", view.aggregations().stream().map(CanonicalForm::of).toList());
      if (view.hop() != null) {
        map.put("hop", WindowText.name(view.hop()));
      }
      putFreshness(map, view);
      putDescribing(map, view.description(), view.owner(), view.tags());
      return map;
    }
    map.put("ttl", DurationText.format(view.ttl()));
    map.put("online", view.online());
    // Only when not the default, so that registries written before the key read back unchanged.
    if (view.knownTime() != KnownTime.EVENT) {
      map.put("known_time", view.knownTime().yaml());
    }
    map.put("features", view.features().stream().map(CanonicalForm::of).toList());
    // Only when set, so that registries written before the key read back unchanged.
    if (view.validation() != null) {
      map.put("validation", view.validation().yaml());
    }
    putFreshness(map, view);
    putDescribing(map, view.description(), view.owner(), view.tags());
    return map;
  }

  /** Only when set, so that registries written before the key read back unchanged. */
  private static void putFreshness(Map<String, Object> map, FeatureView view) {
    if (view.freshness() != null) {
      map.put("freshness", DurationText.format(view.freshness()));
    }
  }

  public static Map<String, Object> of(OnDemandFeatureView view) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", view.name());
    map.put("inputs", view.inputs());
    map.put("request", view.request().stream().map(CanonicalForm::of).toList());
    map.put("features", view.features().stream().map(CanonicalForm::of).toList());
    putDescribing(map, view.description(), view.owner(), view.tags());
    return map;
  }

  public static Map<String, Object> of(OnDemandFeature feature) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", feature.name());
    map.put("type", feature.type().toString());
    map.put("expression", feature.expression());
    putIfPresent(map, "description", feature.description());
    if (!feature.tags().isEmpty()) {
      map.put("tags", new TreeMap<>(feature.tags()));
    }
    return map;
  }

  public static Map<String, Object> of(Aggregation aggregation) {
    Map<String, Object> map = new LinkedHashMap<>();
    if (aggregation.column() != null) {
      map.put("column", aggregation.column());
      map.put("type", aggregation.type().toString());
    }
    map.put("function", aggregation.function().yamlName());
    map.put("windows", aggregation.windows().stream().map(WindowText::name).toList());
    return map;
  }

  public static Map<String, Object> of(Feature feature) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", feature.name());
    map.put("type", feature.type().toString());
    if (feature.expect() != null) {
      map.put("expect", of(feature.expect()));
    }
    putIfPresent(map, "description", feature.description());
    if (!feature.tags().isEmpty()) {
      map.put("tags", new TreeMap<>(feature.tags()));
    }
    return map;
  }

  /** Only the rules set, bounds that are whole numbers as integers. */
  public static Map<String, Object> of(Expectation expect) {
    Map<String, Object> map = new LinkedHashMap<>();
    if (expect.notNull()) {
      map.put("not_null", true);
    }
    if (expect.min() != null) {
      map.put("min", number(expect.min()));
    }
    if (expect.max() != null) {
      map.put("max", number(expect.max()));
    }
    if (!expect.in().isEmpty()) {
      map.put("in", expect.in());
    }
    if (expect.maxNullFraction() != null) {
      map.put("max_null_fraction", number(expect.maxNullFraction()));
    }
    return map;
  }

  private static Object number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? (Object) (long) value : value;
  }

  public static Map<String, Object> of(FeatureService service) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", service.name());
    List<String> features = service.features().stream().map(FeatureReference::toString).toList();
    map.put("features", features);
    // Only when set, so that registries written before the key read back unchanged.
    if (service.logging() != null) {
      map.put("logging", Map.of("sample_rate", service.logging().sampleRate()));
    }
    putDescribing(map, service.description(), service.owner(), service.tags());
    return map;
  }

  private static void putDescribing(
      Map<String, Object> map, String description, String owner, Map<String, String> tags) {
    putIfPresent(map, "description", description);
    putIfPresent(map, "owner", owner);
    if (!tags.isEmpty()) {
      map.put("tags", new TreeMap<>(tags));
    }
  }

  private static void putIfPresent(Map<String, Object> map, String key, String value) {
    if (value != null) {
      map.put(key, value);
    }
  }
}
