package dev.quiver.offline.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.offline.SourceDataException;
import dev.quiver.offline.testing.ParquetDamage;
import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file whose footer is intact but whose pages are not names itself, its row group and column. */
class DamagedPagesTest {

  @TempDir Path dir;

  private static final List<ColumnSpec> COLUMNS =
      List.of(
          new ColumnSpec("id", "id", ValueType.scalar(ScalarType.INT64)),
          new ColumnSpec("created", "created", ValueType.scalar(ScalarType.TIMESTAMP)));

  private Path fileWithTwoRowGroups() {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (long i = 0; i < 200; i++) {
      Map<String, Object> row = new HashMap<>();
      row.put("id", i);
      row.put("created", i % 7 == 0 ? null : 1_700_000_000_000_000_000L + i * 1_000_000_000L);
      rows.add(row);
    }
    return ParquetFixtures.write(
        dir.resolve("stats.parquet"),
        "message m { required int64 id; optional int64 created (TIMESTAMP(MICROS,true)); }",
        rows,
        100);
  }

  @Test
  void aDamagedPageNamesTheFileRowGroupAndColumn() {
    Path file = fileWithTwoRowGroups();
    ParquetDamage.damageFirstDataPage(file, 1, "created");

    try (RootAllocator allocator = new RootAllocator();
        ParquetTableReader reader = ParquetTableReader.open(file)) {
      List<ParquetField> fields = reader.resolve(COLUMNS, "stats");
      try (var intact = reader.read(0, COLUMNS, fields, allocator).root()) {
        assertThat(intact.getRowCount()).isEqualTo(100);
      }
      assertThatThrownBy(() -> reader.read(1, COLUMNS, fields, allocator))
          .isInstanceOf(SourceDataException.class)
          .hasMessageStartingWith(
              "Cannot read " + file + ": row group 1, column 'created' cannot be decoded (")
          // The codec's own words, not an exception's class name.
          .hasMessageNotContaining("Exception");
    }
  }

  /** Running out of the memory budget is not damage: the caller waits or spills on it. */
  @Test
  void anIntactFileReadBeyondTheMemoryLimitIsNotCalledDamaged() {
    Path file = fileWithTwoRowGroups();

    try (RootAllocator allocator = new RootAllocator(64);
        ParquetTableReader reader = ParquetTableReader.open(file)) {
      List<ParquetField> fields = reader.resolve(COLUMNS, "stats");
      assertThatThrownBy(() -> reader.read(0, COLUMNS, fields, allocator))
          .isInstanceOf(OutOfMemoryException.class);
    }
  }
}
