package dev.quiver.sdk;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A request for the latest feature values of some entity rows, in Feast's shape: features by
 * reference list or by feature service, and the entity rows as one list of values per join key (row
 * i takes the i-th value of every list).
 *
 * @param features {@code view:feature} references, or null when a feature service is asked for
 * @param entities join key to values, in the order the response lists them; values are Long or
 *     Integer (int32/int64), String, Boolean, byte[] or base64 text (bytes), Instant or ISO-8601
 *     text (timestamp). On-demand features' request fields go here too, beside the join keys, as
 *     Feast sends them (numbers of any type for float fields, lists for list fields).
 * @param asOf where the windows of aggregation features end, and the "now" that a plain view's ttl
 *     is measured from; null for the store's clock
 */
public record OnlineRequest(
    List<String> features,
    String featureService,
    Map<String, List<Object>> entities,
    boolean fullFeatureNames,
    Instant asOf) {

  public OnlineRequest {
    if ((features == null) == (featureService == null)) {
      throw new IllegalArgumentException("Ask for a list of features or for a feature service");
    }
    features = features == null ? null : List.copyOf(features);
    Objects.requireNonNull(entities, "entities");
    entities = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entities));
  }

  public static OnlineRequest ofFeatures(
      List<String> features, Map<String, List<Object>> entities) {
    return new OnlineRequest(features, null, entities, false, null);
  }

  public static OnlineRequest ofService(String service, Map<String, List<Object>> entities) {
    return new OnlineRequest(null, service, entities, false, null);
  }

  /**
   * The request with one more column beside the join keys: the values of an on-demand view's
   * request field, one per entity row.
   */
  public OnlineRequest withRequestField(String name, List<?> values) {
    Map<String, List<Object>> columns = new LinkedHashMap<>(entities);
    columns.put(name, java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values)));
    return new OnlineRequest(features, featureService, columns, fullFeatureNames, asOf);
  }

  public OnlineRequest withFullFeatureNames(boolean value) {
    return new OnlineRequest(features, featureService, entities, value, asOf);
  }

  /** The request with windows ending at {@code instant} (null: now). */
  public OnlineRequest withAsOf(Instant instant) {
    return new OnlineRequest(features, featureService, entities, fullFeatureNames, instant);
  }
}
