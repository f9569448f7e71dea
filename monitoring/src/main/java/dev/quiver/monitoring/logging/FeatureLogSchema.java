package dev.quiver.monitoring.logging;

import dev.quiver.offline.ArrowTypes;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.NoSuchObjectException;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.ValueType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The columns of one feature service's logs, in file order: {@code request_id} (text, one per HTTP
 * request), {@code request_time} (UTC microseconds: when the server answered), one column per join
 * key and per request field (named and typed as declared), then per feature {@code
 * <view>__<feature>} (its value, typed as in training sets), {@code <view>__<feature>__status} (the
 * status served: PRESENT, NULL_VALUE, NOT_FOUND, OUTSIDE_MAX_AGE) and {@code
 * <view>__<feature>__event_time} (UTC microseconds, null when the value has none: not found,
 * aggregations, on-demand features).
 *
 * @param keys the join keys of the service's views, then the request fields of its on-demand views
 * @param features the service's features, in the order lookups answer them
 */
public record FeatureLogSchema(
    String service, List<Feature> keys, List<FeatureSelection.Requested> features, Schema arrow) {

  public static final String REQUEST_ID = "request_id";
  public static final String REQUEST_TIME = "request_time";
  public static final String STATUS_SUFFIX = "__status";
  public static final String EVENT_TIME_SUFFIX = "__event_time";

  /** UTC microseconds, the type of {@code request_time} and every {@code __event_time}. */
  public static final ArrowType.Timestamp MICROS_UTC =
      new ArrowType.Timestamp(TimeUnit.MICROSECOND, ArrowTypes.UTC);

  public FeatureLogSchema {
    keys = List.copyOf(keys);
    features = List.copyOf(features);
  }

  /**
   * The schema of {@code service}'s logs under {@code definitions}.
   *
   * @throws NoSuchObjectException for an unknown service
   */
  public static FeatureLogSchema of(Definitions definitions, String service) {
    FeatureService defined =
        definitions
            .featureService(service)
            .orElseThrow(
                () ->
                    new NoSuchObjectException(
                        "There is no feature service '" + service + "' in the registry"));
    FeatureSelection selection = FeatureSelection.ofService(definitions, defined.name());
    Map<String, Feature> keys = new LinkedHashMap<>();
    selection
        .joinKeyTypes(definitions)
        .forEach((name, type) -> keys.put(name, Feature.of(name, ValueType.scalar(type))));
    for (FeatureSelection.Computed computed : selection.computed()) {
      for (Feature field : computed.view().request()) {
        keys.putIfAbsent(field.name(), field);
      }
    }
    List<Field> fields = new ArrayList<>();
    fields.add(new Field(REQUEST_ID, FieldType.nullable(ArrowType.Utf8.INSTANCE), null));
    fields.add(new Field(REQUEST_TIME, FieldType.nullable(MICROS_UTC), null));
    keys.values().forEach(k -> fields.add(ArrowTypes.field(k.name(), k.type())));
    for (FeatureSelection.Requested feature : selection.requested()) {
      fields.add(ArrowTypes.field(feature.fullName(), feature.feature().type()));
      fields.add(
          new Field(statusColumn(feature), FieldType.nullable(ArrowType.Utf8.INSTANCE), null));
      fields.add(new Field(eventTimeColumn(feature), FieldType.nullable(MICROS_UTC), null));
    }
    return new FeatureLogSchema(
        defined.name(), List.copyOf(keys.values()), selection.requested(), new Schema(fields));
  }

  /** {@code <view>__<feature>}: the value served. */
  public static String valueColumn(FeatureSelection.Requested feature) {
    return feature.fullName();
  }

  public static String statusColumn(FeatureSelection.Requested feature) {
    return feature.fullName() + STATUS_SUFFIX;
  }

  public static String eventTimeColumn(FeatureSelection.Requested feature) {
    return feature.fullName() + EVENT_TIME_SUFFIX;
  }
}
