package dev.quiver.registry.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationTextTest {

  @ParameterizedTest
  @CsvSource({"0, 0", "45s, 45", "90m, 5400", "2h, 7200", "1d, 86400", "1d12h, 129600"})
  void parsesNumbersWithUnits(String text, long seconds) {
    assertThat(DurationText.parse(text)).contains(Duration.ofSeconds(seconds));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "1w", "3600", "1.5h", "-1d", "h", "1 d", "99999999999999999999d"})
  void refusesAnythingElse(String text) {
    assertThat(DurationText.parse(text)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"0, 0", "5400, 1h30m", "86400, 1d", "129601, 1d12h1s", "60, 1m"})
  void formatsWithTheLargestUnitsFirst(long seconds, String text) {
    assertThat(DurationText.format(Duration.ofSeconds(seconds))).isEqualTo(text);
  }
}
