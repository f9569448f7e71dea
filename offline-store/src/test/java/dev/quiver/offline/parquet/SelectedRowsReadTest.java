package dev.quiver.offline.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading chosen rows of a row group gives exactly those rows of a full read, for every kind of
 * column (nulls, dictionary and plain text, lists with null and empty entries).
 */
class SelectedRowsReadTest {

  private static final long SEED = Long.getLong("quiver.seed", System.nanoTime());

  @TempDir Path dir;

  @Test
  void selectedRowsEqualTheSameRowsOfAFullRead() {
    System.out.println("SelectedRowsReadTest seed: " + SEED);
    Random random = new Random(SEED);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int r = 0; r < 5_000; r++) {
      Map<String, Object> row = new HashMap<>();
      row.put("id", (long) r);
      if (random.nextInt(5) > 0) {
        row.put("rate", random.nextDouble());
      }
      if (random.nextInt(4) > 0) {
        // Few distinct values (dictionary pages) and some long unique ones (plain pages).
        row.put("tag", random.nextBoolean() ? "t" + random.nextInt(5) : "unique-" + r);
      }
      if (random.nextInt(6) > 0) {
        List<Long> items = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
          items.add(random.nextInt(5) == 0 ? null : random.nextLong());
        }
        row.put("items", items);
      }
      rows.add(row);
    }
    Path file =
        ParquetFixtures.write(
            dir.resolve("rows.parquet"),
            "message m { required int64 id; optional double rate; optional binary tag (STRING);"
                + " optional group items (LIST) { repeated group list { optional int64 element; }"
                + " } }",
            rows,
            0);
    List<ColumnSpec> columns =
        List.of(
            new ColumnSpec("id", "id", ValueType.scalar(ScalarType.INT64)),
            new ColumnSpec("rate", "rate", ValueType.scalar(ScalarType.FLOAT64)),
            new ColumnSpec("tag", "tag", ValueType.scalar(ScalarType.STRING)),
            new ColumnSpec("items", "items", ValueType.listOf(ScalarType.INT64)));
    try (RootAllocator allocator = new RootAllocator();
        ParquetTableReader reader = ParquetTableReader.open(file)) {
      List<ParquetField> fields = reader.resolve(columns, "the test");
      for (int round = 0; round < 20; round++) {
        int[] selected = random.ints(random.nextInt(200), 0, 5_000).distinct().sorted().toArray();
        if (round == 0) {
          selected = new int[] {0, 4_999};
        }
        try (VectorSchemaRoot all = reader.read(0, columns, fields, allocator).root();
            VectorSchemaRoot some = reader.read(0, columns, fields, allocator, selected).root()) {
          assertThat(some.getRowCount()).isEqualTo(selected.length);
          for (int i = 0; i < selected.length; i++) {
            for (ColumnSpec column : columns) {
              assertThat(some.getVector(column.name()).getObject(i))
                  .as(
                      "seed %d, %s of row %d (%s)",
                      SEED, column.name(), selected[i], Arrays.toString(selected))
                  .isEqualTo(all.getVector(column.name()).getObject(selected[i]));
            }
          }
        }
      }
    }
  }
}
