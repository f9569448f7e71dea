package dev.quiver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExcerptTest {

  @Test
  void aShortValueIsQuotedWhole() {
    assertThat(Excerpt.of("driver_id")).isEqualTo("driver_id");
    assertThat(Excerpt.of("x".repeat(Excerpt.LIMIT))).isEqualTo("x".repeat(Excerpt.LIMIT));
    assertThat(Excerpt.of(null)).isEqualTo("null");
  }

  @Test
  void aLongValueIsCutAtTheLimitWithAnEllipsis() {
    assertThat(Excerpt.of("x".repeat(5_000_000))).isEqualTo("x".repeat(Excerpt.LIMIT) + "…");
  }

  @Test
  void aCharacterOutsideTheBasicPlaneIsNotCutInHalf() {
    String text = "x".repeat(Excerpt.LIMIT - 1) + "\uD83D\uDE00" + "tail";
    assertThat(Excerpt.of(text)).isEqualTo("x".repeat(Excerpt.LIMIT - 1) + "…");
  }
}
