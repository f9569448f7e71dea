package dev.quiver.offline.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.offline.parquet.ParquetTableReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingSetFilesTest {

  @TempDir Path dir;

  @Test
  void aLargeTableIsEncodedInParallelSlicesAndReadsBackInOrder() {
    int rows = 450_000;
    try (RootAllocator allocator = new RootAllocator()) {
      BigIntVector ids = new BigIntVector("id", allocator);
      VarCharVector names = new VarCharVector("name", allocator);
      TimeStampNanoTZVector times = new TimeStampNanoTZVector("event_timestamp", allocator, "UTC");
      ids.allocateNew(rows);
      names.allocateNew(rows);
      times.allocateNew(rows);
      for (int i = 0; i < rows; i++) {
        ids.set(i, i);
        if (i % 7 != 0) {
          names.setSafe(i, ("n" + i).getBytes(StandardCharsets.UTF_8));
        }
        times.set(i, 1_772_000_000_000_000_001L + i);
      }
      Path file = dir.resolve("big.parquet");
      try (VectorSchemaRoot table = new VectorSchemaRoot(List.of(ids, names, times));
          PendingFile out = PendingFile.beside(file)) {
        table.setRowCount(rows);
        TrainingSetFiles.write(table, out, allocator);
        out.commit();
      }

      try (ParquetTableReader reader = ParquetTableReader.open(file)) {
        assertThat(reader.rowGroups()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(reader.rowCount()).isEqualTo(rows);
      }
      try (VectorSchemaRoot back = EntityFiles.read(file, Map.of(), allocator).root()) {
        assertThat(back.getRowCount()).isEqualTo(rows);
        for (int i : new int[] {0, 1, 7, 224_999, 225_000, 225_001, rows - 1}) {
          assertThat(back.getVector("id").getObject(i)).isEqualTo((long) i);
          assertThat(back.getVector("name").isNull(i)).isEqualTo(i % 7 == 0);
          assertThat(((TimeStampNanoTZVector) back.getVector("event_timestamp")).get(i))
              .isEqualTo(1_772_000_000_000_000_001L + i);
        }
      }
      assertThat(dir).isDirectoryNotContaining("glob:**.slice-*");
    }
  }
}
