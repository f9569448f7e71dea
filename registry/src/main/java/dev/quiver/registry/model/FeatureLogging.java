package dev.quiver.registry.model;

/**
 * A feature service's {@code logging:}: the server logs the rows it serves for the service, a
 * {@code sampleRate} share of them, to Parquet under the project's {@code logging.path}.
 *
 * @param sampleRate the share of served rows logged, in (0, 1]; each row is drawn on its own
 */
public record FeatureLogging(double sampleRate) {

  /** Every row. */
  public static final double DEFAULT_SAMPLE_RATE = 1.0;

  public FeatureLogging {
    if (!(sampleRate > 0 && sampleRate <= 1)) {
      throw new IllegalArgumentException("a sample rate is in (0, 1], got " + sampleRate);
    }
  }
}
