package dev.quiver.registry.model;

import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} in configuration text, replaced with the environment:
 * in {@code feature_store.yaml} when it is read, and in a stream source's connection fields when a
 * consumer starts (so credentials never reach the registry).
 */
public final class EnvironmentText {

  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  private EnvironmentText() {}

  /**
   * The text with every variable replaced by its value, or its default when unset.
   *
   * @param unset told each variable that is unset and has no default (a message naming it); it is
   *     replaced by the empty text
   */
  public static String substitute(
      String text, Map<String, String> environment, Consumer<String> unset) {
    if (text == null) {
      return null;
    }
    Matcher m = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = environment.get(m.group(1));
      if (value == null) {
        value = m.group(2);
      }
      if (value == null) {
        unset.accept(
            "environment variable '"
                + m.group(1)
                + "' is not set (used as ${"
                + m.group(1)
                + "}); set it, or give a default as ${"
                + m.group(1)
                + ":-value}");
        value = "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }
}
