package dev.quiver.registry.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * When a feature view's row counts as known, for point-in-time correctness ({@code known_time} in
 * YAML). With late corrections (a row written days after its event time, carrying the same event
 * time and a later created time), {@link #EVENT} lets a training row see a correction made after
 * it; {@link #CREATED} does not.
 */
public enum KnownTime {
  /** A row is known from its event time (Feast's semantics; the default). */
  EVENT,
  /**
   * A row is known from its created time (its event time when it has none): a candidate must also
   * have been created by the entity row's time, and a materialization as of END uses only rows
   * created by END.
   */
  CREATED;

  /** The word in YAML: {@code event} or {@code created}. */
  public String yaml() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The value a YAML word names. */
  public static Optional<KnownTime> ofYaml(String text) {
    return Arrays.stream(values()).filter(v -> v.yaml().equals(text)).findFirst();
  }
}
