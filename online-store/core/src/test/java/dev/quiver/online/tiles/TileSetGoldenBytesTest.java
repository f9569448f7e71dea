package dev.quiver.online.tiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.Aggregation;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the bytes of tile sets: sets written by one version must read the same in the next. If the
 * encoding must change, bump {@link TileSets#FORMAT} and keep reading the old one.
 */
class TileSetGoldenBytesTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final long MINUTE = 60_000_000_000L;

  private static AggregateFeature feature(
      String column, ScalarType type, AggregationFunction function, Duration window) {
    return new Aggregation(
            column, type == null ? null : ValueType.scalar(type), function, List.of(window))
        .feature(window, Duration.ofMinutes(5));
  }

  @Test
  void aSetHasItsHeaderThenEachSeriesWithItsTilesAsHopStepsAndBodies() {
    AggregateFeature count = feature(null, null, AggregationFunction.COUNT, Duration.ofMinutes(10));
    AggregateFeature sum =
        feature("items", ScalarType.INT32, AggregationFunction.SUM, Duration.ofMinutes(10));
    AggregateFeature last =
        feature("merchant", ScalarType.STRING, AggregationFunction.LAST, Duration.ofMinutes(10));
    TileLayout layout = TileLayout.of(List.of(count, sum, last));
    long hop = 5 * MINUTE;
    long newest = 2 * hop + 7;

    TileOutput first = new TileOutput();
    TileBody.header(first, hop, 2, hop + 1);
    TileBody.longSum(first, -3);
    TileBody.bytesValue(first, "ab".getBytes());
    TileOutput second = new TileOutput();
    TileBody.header(second, 2 * hop, 1, newest);
    TileBody.longSum(second, 5);
    TileBody.absent(second);
    byte[] encoded =
        new TileSets.Writer(layout, newest)
            .tile(0, hop, first.toByteArray())
            .tile(0, 2 * hop, second.toByteArray())
            .toBytes();

    String hash = String.format("%08x", layout.hash());
    assertThat(HEX.formatHex(encoded))
        .isEqualTo(
            "02"
                + hash
                + String.format("%016x", newest)
                // expires at: oldest bucket + hop + reach (10 minutes)
                + String.format("%016x", hop + hop + 10 * MINUTE)
                + "01"
                + String.format("%016x", hop)
                + String.format("%016x", 10 * MINUTE)
                + "02"
                // bucket 1 (zigzag 2), body of 7 bytes: 2 rows, newest +1, sum -3, "ab"
                + "02"
                + "07"
                + "02"
                + "01"
                + "05"
                + "01"
                + "02"
                + "6162"
                // one hop later, body of 4 bytes: 1 row, newest +7, sum 5, no value
                + "01"
                + "04"
                + "01"
                + "07"
                + "0a"
                + "00");

    TileSet set = TileSet.decode(encoded, layout);
    TileSet.Window window = set.window(sum, 2 * hop + 7);
    assertThat(window.rows()).isEqualTo(3);
    assertThat(window.value()).isEqualTo(2L);
    assertThat(window.newestEvent()).isEqualTo(newest);
    assertThat(set.window(last, newest).value()).isEqualTo("ab");
    assertThat(set.window(count, newest).value()).isEqualTo(3L);
  }

  @Test
  void aSetOfAnotherLayoutOrAPlainRowIsNotRead() {
    AggregateFeature count = feature(null, null, AggregationFunction.COUNT, Duration.ofMinutes(10));
    AggregateFeature longer =
        feature(null, null, AggregationFunction.COUNT, Duration.ofMinutes(20));
    TileOutput body = new TileOutput();
    TileBody.header(body, 0, 1, 0);
    byte[] encoded =
        new TileSets.Writer(TileLayout.of(List.of(count)), 0)
            .tile(0, 0, body.toByteArray())
            .toBytes();

    assertThat(TileSet.decode(encoded, TileLayout.of(List.of(count)))).isNotNull();
    assertThat(TileSet.decode(encoded, TileLayout.of(List.of(longer)))).isNull();
    byte[] plainRow = encoded.clone();
    plainRow[0] = 1;
    assertThat(TileSet.decode(plainRow, TileLayout.of(List.of(count))))
        .as("a plain row under the view's name")
        .isNull();
  }
}
