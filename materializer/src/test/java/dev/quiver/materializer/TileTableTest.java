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
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.Test;

/**
 * A tile table finds each (key, bucket) again across pages and hash-table growth, and keeps every
 * tile's partials; tiles come out ordered by key, then bucket.
 */
class TileTableTest {

  @Test
  void tilesKeepTheirPartialsAcrossPagesAndGrowthAndComeOutByKeyThenBucket() {
    Duration window = Duration.ofMinutes(10);
    TileLayout layout =
        TileLayout.of(
            List.of(
                feature("amount", ScalarType.FLOAT64, AggregationFunction.SUM, window),
                feature("merchant", ScalarType.STRING, AggregationFunction.LAST, window)));
    long hop = Duration.ofMinutes(5).toNanos();
    int keys = 7;
    int buckets = 2 * TileTable.PAGE_TILES / keys + 100;
    try (RootAllocator allocator = new RootAllocator();
        Float8Vector amounts = new Float8Vector("amount", allocator);
        VarCharVector merchants = new VarCharVector("merchant", allocator)) {
      amounts.allocateNew(2);
      amounts.set(0, 2.5);
      amounts.setNull(1);
      amounts.setValueCount(2);
      merchants.allocateNew(2);
      merchants.setSafe(0, "m".getBytes());
      merchants.setSafe(1, "z".getBytes());
      merchants.setValueCount(2);
      EventColumn amount = new EventColumn(ScalarType.FLOAT64, 2);
      EventColumn merchant = new EventColumn(ScalarType.STRING, 2);
      for (int e = 0; e < 2; e++) {
        amount.set(e, amounts, e);
        merchant.set(e, merchants, e);
      }
      EventColumn[] columns = {amount, merchant};
      TileTable table = new TileTable(layout, hop);
      // Buckets in falling order, keys interleaved: key k gets k + 1 rows a bucket, the last
      // (by ordinal) with a null amount and merchant "z".
      for (long b = buckets - 1; b >= 0; b--) {
        for (int key = keys - 1; key >= 0; key--) {
          for (int row = 0; row <= key; row++) {
            int event = row == key ? 1 : 0;
            table.add(table.tile(key, b * hop), b * hop + row, columns, event, row);
          }
        }
      }

      assertThat(table.size()).isEqualTo(keys * buckets);
      TileTable.Order order = table.orderByKey(keys);
      TileOutput body = new TileOutput();
      for (int key = 0; key < keys; key++) {
        assertThat(order.starts()[key + 1] - order.starts()[key]).isEqualTo(buckets);
        for (int i = 0; i < buckets; i++) {
          int tile = order.order()[order.starts()[key] + i];
          long bucket = i * hop;
          assertThat(table.keyId(tile)).isEqualTo(key);
          assertThat(table.bucket(tile)).isEqualTo(bucket);
          table.body(tile, body);
          TileOutput expected = new TileOutput();
          TileBody.header(expected, bucket, key + 1, bucket + key);
          TileBody.doubleSum(expected, 2.5 * key);
          TileBody.bytesValue(expected, "z".getBytes());
          // The last value's event time, after the partials.
          TileBody.chosenTime(expected, bucket, bucket + key);
          assertThat(body.toByteArray()).isEqualTo(expected.toByteArray());
        }
      }
    }
  }

  private static AggregateFeature feature(
      String column, ScalarType type, AggregationFunction function, Duration window) {
    return new Aggregation(column, ValueType.scalar(type), function, List.of(window))
        .feature(window, Duration.ofMinutes(5));
  }
}
