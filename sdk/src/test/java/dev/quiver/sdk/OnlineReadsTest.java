package dev.quiver.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.model.ScalarType;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class OnlineReadsTest {

  /**
   * Timestamp keys are stored as nanoseconds since the epoch: an instant beyond them is a value the
   * request got wrong (answered as such), not an overflow deep in the key codec (a 500).
   */
  @Test
  void aTimestampKeyOutsideWhatNanosecondsHoldIsNotAKey() {
    assertThat(OnlineReads.convert(ScalarType.TIMESTAMP, "1600-01-01T00:00:00Z")).isNull();
    assertThat(OnlineReads.convert(ScalarType.TIMESTAMP, Instant.parse("2300-01-01T00:00:00Z")))
        .isNull();
    assertThat(OnlineReads.convert(ScalarType.TIMESTAMP, "2024-12-01T10:00:00Z"))
        .isEqualTo(Instant.parse("2024-12-01T10:00:00Z"));
    assertThat(OnlineReads.convert(ScalarType.TIMESTAMP, "2024-12-01")).isNull();
  }
}
