package dev.quiver.server;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Optional;

/**
 * How the server measures the drift of what it serves ({@code quiver.server.drift.*}): the logged
 * rows of each feature service with {@code logging:} against a training set's statistics.
 *
 * @param baseline a training set's manifest, a training set, or a folder of training sets whose
 *     newest manifest with statistics is the baseline (relative to the repo); no drift gauges when
 *     unset ({@code quiver serve --drift-baseline})
 * @param interval how often the drift is computed again
 * @param window how far back logged rows count
 */
@ConfigurationProperties(DriftSettings.PREFIX)
public record DriftSettings(
    Optional<String> baseline,
    @Bindable(defaultValue = "5m") @NotNull @PositiveDuration Duration interval,
    @Bindable(defaultValue = "24h") @NotNull @PositiveDuration Duration window) {

  public static final String PREFIX = ServerSettings.PREFIX + ".drift";
}
