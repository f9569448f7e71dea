package dev.quiver.registry.model;

import java.util.Arrays;
import java.util.Optional;

/** The kinds of registered objects, in the order plans and listings show them. */
public enum ObjectKind {
  ENTITY("entity", "entities"),
  SOURCE("source", "sources"),
  FEATURE_VIEW("feature view", "feature_views"),
  ON_DEMAND_FEATURE_VIEW("on-demand feature view", "on_demand_feature_views"),
  FEATURE_SERVICE("feature service", "feature_services");

  private final String displayName;
  private final String sectionKey;

  ObjectKind(String displayName, String sectionKey) {
    this.displayName = displayName;
    this.sectionKey = sectionKey;
  }

  /** How messages name the kind, e.g. {@code feature view}. */
  public String displayName() {
    return displayName;
  }

  /** The top-level key of definition files that lists objects of this kind. */
  public String sectionKey() {
    return sectionKey;
  }

  public static Optional<ObjectKind> fromSectionKey(String key) {
    return Arrays.stream(values()).filter(k -> k.sectionKey.equals(key)).findFirst();
  }

  @Override
  public String toString() {
    return displayName;
  }
}
