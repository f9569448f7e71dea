package dev.quiver.sdk;

/** What an online read found for one feature of one entity row (Feast's field statuses). */
public enum FeatureStatus {
  /** The value is there. */
  PRESENT,
  /** The row is there and fresh, and its value is null. */
  NULL_VALUE,
  /** No materialized row for the key (or the row predates the feature); the value is null. */
  NOT_FOUND,
  /** The view has a ttl and the row is older than now minus the ttl; the value is null. */
  OUTSIDE_MAX_AGE
}
