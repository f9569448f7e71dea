package dev.quiver.server;

import static dev.quiver.server.ServerSettings.AT_LEAST;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * How the server writes feature logs ({@code quiver.server.feature-log.*}), for feature services
 * with {@code logging:}.
 *
 * @param queueCapacity answered requests that may wait to be logged; a request that finds the queue
 *     full is not logged and its rows count in {@code quiver_feature_log_dropped_total}
 * @param queueRows served rows that may wait to be logged, all queued requests together; a request
 *     that would go over it is not logged and its rows count in {@code
 *     quiver_feature_log_dropped_total}
 * @param rollBytes a log file is finished once its rows take this many bytes in memory
 * @param rollInterval a log file is finished once it is this old
 */
@ConfigurationProperties(FeatureLogSettings.PREFIX)
public record FeatureLogSettings(
    @Bindable(defaultValue = "10000") @Min(value = 1, message = AT_LEAST) int queueCapacity,
    @Bindable(defaultValue = "1000000") @Min(value = 1, message = AT_LEAST) long queueRows,
    @Bindable(defaultValue = "67108864") @Min(value = 1, message = AT_LEAST) long rollBytes,
    @Bindable(defaultValue = "5m") @NotNull @PositiveDuration Duration rollInterval) {

  public static final String PREFIX = ServerSettings.PREFIX + ".feature-log";
}
