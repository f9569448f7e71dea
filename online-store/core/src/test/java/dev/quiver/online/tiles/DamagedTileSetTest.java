package dev.quiver.online.tiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.Aggregation;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A damaged stored set (cut short, a flipped count, garbage after a valid header) costs only its
 * own key: a lookup reads it as absent, a merge replaces it with the tiles written, a sweep drops
 * it. None of them throws, so one bad value cannot block every lookup and materialization.
 */
class DamagedTileSetTest {

  private static final long MINUTE = 60_000_000_000L;
  private static final long HOP = 5 * MINUTE;

  private static final TileLayout LAYOUT =
      TileLayout.of(
          List.of(
              feature(null, null, AggregationFunction.COUNT),
              feature("items", ScalarType.INT32, AggregationFunction.SUM)));

  private static AggregateFeature feature(
      String column, ScalarType type, AggregationFunction function) {
    Duration window = Duration.ofMinutes(10);
    return new Aggregation(
            column, type == null ? null : ValueType.scalar(type), function, List.of(window))
        .feature(window, Duration.ofMinutes(5));
  }

  private static byte[] set(long bucket, long rows, long sum) {
    TileOutput body = new TileOutput();
    TileBody.header(body, bucket, rows, bucket + 1);
    TileBody.longSum(body, sum);
    return new TileSets.Writer(LAYOUT, bucket + 1).tile(0, bucket, body.toByteArray()).toBytes();
  }

  /** The valid set with its bytes from {@code from} on replaced or cut. */
  private static List<byte[]> damaged(byte[] valid) {
    byte[] cut = Arrays.copyOf(valid, valid.length - 3);
    byte[] hugeCount = valid.clone();
    // The series' tile count, right after its hop and reach.
    int countAt = TileSets.HEADER + 16;
    hugeCount[countAt] = (byte) 0xFF;
    byte[] garbage = valid.clone();
    Arrays.fill(garbage, TileSets.HEADER, garbage.length, (byte) 0xEE);
    return List.of(cut, hugeCount, garbage);
  }

  @Test
  void aDamagedSetReadsAsAbsentIsReplacedByAMergeAndDroppedByASweep() {
    byte[] valid = set(10 * HOP, 3, 7);
    assertThat(TileSet.decode(valid, LAYOUT)).isNotNull();
    byte[] written = set(12 * HOP, 2, 4);

    for (byte[] bad : damaged(valid)) {
      assertThat(TileSet.decode(bad, LAYOUT)).isNull();
      assertThat(TileSets.merge(bad, written)).isEqualTo(TileSets.merge(null, written));
      assertThat(TileSets.expire(bad, Long.MAX_VALUE - HOP)).isNull();
    }
  }
}
