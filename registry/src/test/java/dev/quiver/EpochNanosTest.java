package dev.quiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EpochNanosTest {

  @Test
  void holdsTheYears1677To2262ToTheNanosecond() {
    assertThat(EpochNanos.holds(Instant.parse("1677-09-21T00:12:43.145224192Z"))).isTrue();
    assertThat(EpochNanos.holds(Instant.parse("1677-09-21T00:12:43.145224191Z"))).isFalse();
    assertThat(EpochNanos.holds(Instant.parse("2262-04-11T23:47:16.854775807Z"))).isTrue();
    assertThat(EpochNanos.holds(Instant.parse("2262-04-11T23:47:16.854775808Z"))).isFalse();
    assertThat(EpochNanos.holds(Instant.parse("1600-01-01T00:00:00Z"))).isFalse();
  }

  @Test
  void everyInstantItHoldsConvertsBothWays() {
    for (long nanos :
        new long[] {
          Long.MIN_VALUE, Long.MIN_VALUE + 1, -1_000_000_001L, -1, 0, 1, Long.MAX_VALUE
        }) {
      assertThat(EpochNanos.of(EpochNanos.toInstant(nanos))).isEqualTo(nanos);
    }
  }
}
