package dev.quiver.registry.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What a write does when a batch breaks a feature's {@link Expectation} ({@code validation:}). */
public enum ValidationMode {
  /** Write the batch and count what broke the rules (the default). */
  WARN,
  /** Write nothing of the batch; answer with the report. */
  REJECT;

  public String yaml() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ValidationMode> ofYaml(String text) {
    return Arrays.stream(values()).filter(m -> m.yaml().equals(text)).findFirst();
  }

  public static List<String> yamlNames() {
    return Arrays.stream(values()).map(ValidationMode::yaml).toList();
  }
}
