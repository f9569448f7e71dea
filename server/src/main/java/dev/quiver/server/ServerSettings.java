package dev.quiver.server;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The server's own settings, {@code quiver.server.*}, each default next to its key. Micronaut binds
 * and validates them when the server starts, so a bad value stops the start with the key's name
 * ({@link ServerSettingsCheck}) instead of failing a request later.
 *
 * @param repo the feature repo served ({@code quiver.server.repo})
 * @param writeToken the bearer token the write endpoints require ({@code
 *     quiver.server.write-token}, else {@code QUIVER_WRITE_TOKEN}); none when both are unset or
 *     blank
 * @param readToken the bearer token reads (online lookups, the registry, training sets over Flight)
 *     require ({@code quiver.server.read-token}, else {@code QUIVER_READ_TOKEN}); the write token
 *     is accepted for reads too
 * @param maxEntityRows the most entity rows one online request may ask for
 * @param registryPoll how often the registry is checked for a newer version
 * @param flightPort the Arrow Flight port (0 picks a free one)
 * @param trainingSetChunkRows entity rows joined at a time for a training set over Flight, which
 *     bounds the memory one request holds; 0 for as many as take about half the join's memory
 * @param ingest whether the server also runs Kafka ingestion into its online store ({@code quiver
 *     serve --ingest}), every view on a stream source, in the consumer group {@code
 *     quiver.<project>}
 */
@ConfigurationProperties(ServerSettings.PREFIX)
public record ServerSettings(
    @NotNull Path repo,
    Optional<String> writeToken,
    Optional<String> readToken,
    @Bindable(defaultValue = "10000") @Min(value = 1, message = AT_LEAST) int maxEntityRows,
    @Bindable(defaultValue = "2s") @NotNull @PositiveDuration Duration registryPoll,
    @Bindable(defaultValue = "6567")
        @Min(value = 0, message = AT_LEAST)
        @Max(value = 65535, message = AT_MOST)
        int flightPort,
    @Bindable(defaultValue = "0") @Min(value = 0, message = AT_LEAST) int trainingSetChunkRows,
    @Bindable(defaultValue = "false") boolean ingest) {

  static final String AT_LEAST = "must be at least {value}, got {validatedValue}";
  static final String AT_MOST = "must be at most {value}, got {validatedValue}";

  /** The prefix of every key here. */
  public static final String PREFIX = "quiver.server";

  static final String REPO = PREFIX + ".repo";

  /** Where each token comes from when its key is not set. */
  private static final Map<String, String> TOKEN_VARIABLES =
      Map.of("write-token", "QUIVER_WRITE_TOKEN", "read-token", "QUIVER_READ_TOKEN");

  public ServerSettings {
    writeToken = orVariable(writeToken, "write-token", System.getenv());
    readToken = orVariable(readToken, "read-token", System.getenv());
  }

  /** The configured token, else the variable's; blank counts as unset. */
  static Optional<String> orVariable(
      Optional<String> configured, String key, Map<String, String> environment) {
    return configured
        .filter(token -> !token.isBlank())
        .or(() -> Optional.ofNullable(environment.get(TOKEN_VARIABLES.get(key))))
        .filter(token -> !token.isBlank());
  }

  /** The settings without the tokens' values, which must not reach a log. */
  @Override
  public String toString() {
    return "ServerSettings[repo="
        + repo
        + ", writeToken="
        + (writeToken.isPresent() ? "***" : "none")
        + ", readToken="
        + (readToken.isPresent() ? "***" : "none")
        + ", maxEntityRows="
        + maxEntityRows
        + ", registryPoll="
        + registryPoll
        + ", flightPort="
        + flightPort
        + ", trainingSetChunkRows="
        + trainingSetChunkRows
        + ", ingest="
        + ingest
        + "]";
  }
}
