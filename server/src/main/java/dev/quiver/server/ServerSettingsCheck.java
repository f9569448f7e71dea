package dev.quiver.server;

import dev.quiver.ConfigurationException;
import io.micronaut.context.env.Environment;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.context.exceptions.BeanInstantiationException;
import jakarta.inject.Singleton;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a bad {@code quiver.server.*} setting one {@link ConfigurationException} that names its
 * key, the value and what it must be, so the server does not start and {@code quiver serve} prints
 * one line. Two ways a value goes wrong:
 *
 * <ul>
 *   <li>it breaks a constraint of {@link ServerSettings} ({@code @Min}...): Micronaut's validation
 *       refuses the bean, and {@link #of} reads the violations out of its refusal;
 *   <li>it is not of the setting's type ({@code registry-poll: soon}): Micronaut falls back to the
 *       default without a word, so this listener checks, once the settings are bound, that every
 *       key that is set converts.
 * </ul>
 */
@Singleton
final class ServerSettingsCheck implements BeanCreatedEventListener<ServerSettings> {

  /** One violation in Micronaut's message: {@code \tdev.quiver.server.ServerSettings.x - msg}. */
  private static final Pattern VIOLATION =
      Pattern.compile(
          "^\\s*" + Pattern.quote(ServerSettings.class.getName()) + "\\.(\\w+) - (.+)$",
          Pattern.MULTILINE);

  private static final Map<Class<?>, String> TYPES =
      Map.of(
          Integer.class, "a whole number",
          Duration.class, "a duration such as 500ms, 2s or 1m");

  private final Environment environment;

  ServerSettingsCheck(Environment environment) {
    this.environment = environment;
  }

  @Override
  public ServerSettings onCreated(BeanCreatedEvent<ServerSettings> event) {
    for (RecordComponent component : ServerSettings.class.getRecordComponents()) {
      String key = key(component.getName());
      Class<?> type = component.getType() == int.class ? Integer.class : component.getType();
      if (!TYPES.containsKey(type)) {
        continue; // text and paths take any value
      }
      Optional<String> text = environment.getProperty(key, String.class);
      if (text.isPresent() && environment.getProperty(key, type).isEmpty()) {
        throw new ConfigurationException(
            "Cannot start the server: "
                + key
                + " must be "
                + TYPES.get(type)
                + ", got '"
                + text.get()
                + "'");
      }
    }
    return event.getBean();
  }

  /**
   * The settings Micronaut's validation refused, somewhere in {@code failure}'s causes, as one
   * exception naming each key; empty when the failure is another.
   */
  static Optional<ConfigurationException> of(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof BeanInstantiationException && cause.getMessage() != null) {
        List<String> problems = new ArrayList<>();
        Matcher violation = VIOLATION.matcher(cause.getMessage());
        while (violation.find()) {
          problems.add(key(violation.group(1)) + " " + violation.group(2).strip());
        }
        if (!problems.isEmpty()) {
          return Optional.of(
              new ConfigurationException(
                  "Cannot start the server: " + String.join("; ", problems), cause));
        }
      }
    }
    return Optional.empty();
  }

  /** {@code maxEntityRows} as its key, {@code quiver.server.max-entity-rows}. */
  static String key(String component) {
    return ServerSettings.PREFIX
        + "."
        + component.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }
}
