package dev.quiver.registry.model;

import java.util.Map;
import java.util.Objects;

/**
 * A feature of an on-demand view: a CEL expression over the view's request fields and its inputs'
 * features, evaluated at request time (DESIGN.md, "On-demand features").
 *
 * @param type the declared type, which the expression's result type must match
 */
public record OnDemandFeature(
    String name, ValueType type, String expression, String description, Map<String, String> tags) {

  public OnDemandFeature {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(expression, "expression");
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  public static OnDemandFeature of(String name, ValueType type, String expression) {
    return new OnDemandFeature(name, type, expression, null, Map.of());
  }

  /** The feature as requests and outputs see it: its name and type. */
  public Feature asFeature() {
    return new Feature(name, type, description, tags);
  }
}
