package dev.quiver.offline.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.ErrorKind;
import dev.quiver.OutputException;
import dev.quiver.offline.parquet.ParquetTableReader;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.ScalarType;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingSetFilesTest {

  @TempDir Path dir;

  @Test
  void aLargeTableIsEncodedInParallelSlicesAndReadsBackInOrder() {
    int rows = 450_000;
    try (RootAllocator allocator = new RootAllocator()) {
      Path file = dir.resolve("big.parquet");
      try (VectorSchemaRoot table = table(allocator, 0, rows);
          PendingFile out = PendingFile.beside(file)) {
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

  @Test
  void batchesWrittenOneAfterAnotherReadBackAsOneTableInOrder() throws Exception {
    try (RootAllocator allocator = new RootAllocator()) {
      // Parquet gathers small batches and encodes big ones at once: a small one before a big one
      // must still come first.
      int[] parquetBatches = {3, ArrowParquetWriter.FLUSH_ROWS + 1, 0, 5};
      int[] otherBatches = {3, 0, 70_000, 5};
      for (String name : List.of("out.parquet", "out.arrow", "out.csv")) {
        int[] sizes = name.endsWith(".parquet") ? parquetBatches : otherBatches;
        Path file = dir.resolve(name);
        int rows = 0;
        try (PendingFile out = PendingFile.beside(file)) {
          try (TrainingSetWriter writer =
              TrainingSetFiles.open(out, schemaOf(allocator), allocator)) {
            for (int size : sizes) {
              try (VectorSchemaRoot batch = table(allocator, rows, size)) {
                writer.write(batch);
              }
              rows += size;
            }
            writer.finish();
          }
          out.commit();
        }
        List<Long> ids = readIds(file, allocator);
        assertThat(ids).as(name).hasSize(rows);
        for (int i = 0; i < rows; i++) {
          if (ids.get(i) != i) {
            throw new AssertionError(name + ": row " + i + " holds id " + ids.get(i));
          }
        }
      }
      assertThat(dir).isDirectoryNotContaining("glob:**.slice-*");
    }
  }

  @Test
  void aWriterClosedUnfinishedLeavesNoOpenFileBehind() throws Exception {
    Path descriptors = Path.of("/proc/self/fd");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Files.isDirectory(descriptors), "needs /proc to count open files");
    try (RootAllocator allocator = new RootAllocator()) {
      for (String name : List.of("a.parquet", "a.arrow", "a.csv")) {
        long before = openFiles(descriptors, dir);
        try (PendingFile out = PendingFile.beside(dir.resolve(name));
            TrainingSetWriter writer = TrainingSetFiles.open(out, schemaOf(allocator), allocator);
            VectorSchemaRoot batch = table(allocator, 0, 10)) {
          writer.write(batch);
          // A failure here: no finish, no commit.
        }
        assertThat(openFiles(descriptors, dir)).as(name).isEqualTo(before);
      }
      assertThat(dir).isEmptyDirectory();
    }
  }

  @Test
  void anOutputWhoseFolderCannotBeMadeIsAnOutputExceptionWithItsCause() throws Exception {
    // A regular file where the output's folder should be: the file system refuses, even to root.
    Path notAFolder = Files.writeString(dir.resolve("taken"), "a file");
    Path output = notAFolder.resolve("training.parquet");
    assertThatThrownBy(() -> PendingFile.beside(output))
        .isInstanceOfSatisfying(
            OutputException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.SERVER_FAILED))
        .hasMessageStartingWith(
            "Cannot write " + output + ": a temporary file cannot be created beside it (")
        .hasMessageEndingWith("); is its folder writable?")
        .hasCauseInstanceOf(FileSystemException.class);
  }

  @Test
  void anOutputOfNoKnownFormatIsTheRequestsFault() {
    assertThatThrownBy(() -> TrainingSetFiles.formatOf(dir.resolve("training.xlsx")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(
            "Cannot write "
                + dir.resolve("training.xlsx")
                + ": name the output .parquet, .arrow or .csv");
  }

  /**
   * The process's open files within {@code folder}: only those, as the JVM and other threads open
   * and close files of their own meanwhile (counting every descriptor made this test flaky).
   */
  private static long openFiles(Path descriptors, Path folder) throws Exception {
    Path real = folder.toRealPath();
    try (var entries = Files.list(descriptors)) {
      return entries
          .filter(
              fd -> {
                try {
                  return Files.readSymbolicLink(fd).startsWith(real);
                } catch (java.io.IOException e) {
                  return false; // closed while listed
                }
              })
          .count();
    }
  }

  private static Schema schemaOf(RootAllocator allocator) {
    try (VectorSchemaRoot empty = table(allocator, 0, 0)) {
      return empty.getSchema();
    }
  }

  /** Rows {@code from .. from + rows - 1}: id, a name (null every 7th row), a time. */
  private static VectorSchemaRoot table(RootAllocator allocator, int from, int rows) {
    BigIntVector ids = new BigIntVector("id", allocator);
    VarCharVector names = new VarCharVector("name", allocator);
    TimeStampNanoTZVector times = new TimeStampNanoTZVector("event_timestamp", allocator, "UTC");
    ids.allocateNew(rows);
    names.allocateNew(rows);
    times.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      ids.set(i, from + i);
      if ((from + i) % 7 != 0) {
        names.setSafe(i, ("n" + (from + i)).getBytes(StandardCharsets.UTF_8));
      }
      times.set(i, 1_772_000_000_000_000_001L + from + i);
    }
    VectorSchemaRoot table = new VectorSchemaRoot(List.of(ids, names, times));
    table.setRowCount(rows);
    return table;
  }

  private static List<Long> readIds(Path file, RootAllocator allocator) throws Exception {
    List<Long> ids = new ArrayList<>();
    if (file.toString().endsWith(".arrow")) {
      try (FileChannel channel = FileChannel.open(file);
          ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
        while (reader.loadNextBatch()) {
          BigIntVector vector = (BigIntVector) reader.getVectorSchemaRoot().getVector("id");
          for (int i = 0; i < vector.getValueCount(); i++) {
            ids.add(vector.get(i));
          }
        }
      }
      return ids;
    }
    try (VectorSchemaRoot back =
        EntityFiles.read(file, Map.of("id", ScalarType.INT64), allocator).root()) {
      BigIntVector vector = (BigIntVector) back.getVector("id");
      for (int i = 0; i < back.getRowCount(); i++) {
        ids.add(vector.get(i));
      }
    }
    return ids;
  }
}
