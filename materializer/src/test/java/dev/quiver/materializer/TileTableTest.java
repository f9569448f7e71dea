package dev.quiver.materializer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.online.tiles.TileBody;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.online.tiles.TileOutput;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.Aggregation;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.Test;

/**
 * The tile table drops tiles before its cutoff instead of growing, and the tiles it keeps keep
 * their partials through the compaction.
 */
class TileTableTest {

  @Test
  void tilesBeforeTheCutoffAreDroppedAndTheOthersKeepTheirPartials() {
    Duration window = Duration.ofMinutes(10);
    TileLayout layout =
        TileLayout.of(
            List.of(
                feature("amount", ScalarType.FLOAT64, AggregationFunction.SUM, window),
                feature("merchant", ScalarType.STRING, AggregationFunction.LAST, window)));
    long hop = Duration.ofMinutes(5).toNanos();
    try (RootAllocator allocator = new RootAllocator();
        Float8Vector amount = new Float8Vector("amount", allocator);
        VarCharVector merchant = new VarCharVector("merchant", allocator)) {
      amount.allocateNew(1);
      amount.set(0, 2.5);
      merchant.allocateNew(1);
      merchant.setSafe(0, "m".getBytes());
      amount.setValueCount(1);
      merchant.setValueCount(1);
      FieldVector[] columns = {amount, merchant};
      TileTable table = new TileTable(layout, hop);
      Map<Long, Integer> rowsOf = new HashMap<>();
      // Ten thousand buckets of three keys: the table starts at 1,024 tiles.
      for (long b = 0; b < 10_000; b++) {
        table.cutoff((b - 20) * hop);
        for (int key = 0; key < 3; key++) {
          for (int row = 0; row <= key; row++) {
            table.add(table.tile(key, b * hop), b * hop + row, columns, 0, row);
          }
        }
        rowsOf.put(b, 1);
      }

      assertThat(table.size()).as("only recent buckets are kept").isLessThan(2_048);
      TileOutput body = new TileOutput();
      int kept = 0;
      for (int tile = 0; tile < table.size(); tile++) {
        long bucket = table.bucket(tile);
        if (bucket < 9_980 * hop) {
          continue;
        }
        kept++;
        int key = table.keyId(tile);
        table.body(tile, body);
        TileOutput expected = new TileOutput();
        TileBody.header(expected, bucket, key + 1, bucket + key);
        TileBody.doubleSum(expected, 2.5 * (key + 1));
        TileBody.bytesValue(expected, "m".getBytes());
        assertThat(body.toByteArray()).isEqualTo(expected.toByteArray());
      }
      assertThat(kept).isEqualTo(20 * 3);
      assertThat(rowsOf).hasSize(10_000);
    }
  }

  private static AggregateFeature feature(
      String column, ScalarType type, AggregationFunction function, Duration window) {
    return new Aggregation(column, ValueType.scalar(type), function, List.of(window))
        .feature(window, Duration.ofMinutes(5));
  }
}
