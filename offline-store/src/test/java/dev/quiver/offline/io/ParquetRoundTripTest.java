package dev.quiver.offline.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.parquet.ParquetField;
import dev.quiver.offline.parquet.ParquetTableReader;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training set written as Parquet reads back value for value: every type, nulls, and lists that
 * are null, empty, or hold null elements, on random data (seed printed), across the writer's chunks
 * and pages.
 */
class ParquetRoundTripTest {

  @TempDir Path dir;

  private static final List<ColumnSpec> COLUMNS =
      List.of(
          spec("flag", ValueType.scalar(ScalarType.BOOL)),
          spec("small", ValueType.scalar(ScalarType.INT32)),
          spec("id", ValueType.scalar(ScalarType.INT64)),
          spec("ratio", ValueType.scalar(ScalarType.FLOAT32)),
          spec("amount", ValueType.scalar(ScalarType.FLOAT64)),
          spec("name", ValueType.scalar(ScalarType.STRING)),
          spec("raw", ValueType.scalar(ScalarType.BYTES)),
          spec("at", ValueType.scalar(ScalarType.TIMESTAMP)),
          spec("ids", ValueType.listOf(ScalarType.INT64)),
          spec("tags", ValueType.listOf(ScalarType.STRING)));

  private static ColumnSpec spec(String name, ValueType type) {
    return new ColumnSpec(name, name, type);
  }

  @Test
  void everyTypeReadsBackAsWritten() {
    long seed = System.nanoTime();
    System.out.println("ParquetRoundTripTest seed: " + seed);
    Random random = new Random(seed);
    int rows = 30_000 + random.nextInt(20_000);
    Path file = dir.resolve("round-trip.parquet");
    try (RootAllocator allocator = new RootAllocator();
        VectorSchemaRoot table = table(allocator, random, rows)) {
      try (PendingFile out = PendingFile.beside(file)) {
        TrainingSetFiles.write(table, out, allocator);
        out.commit();
      }
      try (ParquetTableReader reader = ParquetTableReader.open(file)) {
        List<ParquetField> fields = reader.resolve(COLUMNS, "round trip");
        int start = 0;
        for (int g = 0; g < reader.rowGroups().size(); g++) {
          try (VectorSchemaRoot back = reader.read(g, COLUMNS, fields, allocator).root()) {
            for (int c = 0; c < COLUMNS.size(); c++) {
              FieldVector written = table.getVector(c);
              FieldVector read = back.getVector(c);
              for (int i = 0; i < back.getRowCount(); i++) {
                assertThat(read.getObject(i))
                    .as("column %s row %d", COLUMNS.get(c).name(), start + i)
                    .isEqualTo(written.getObject(start + i));
              }
            }
            start += back.getRowCount();
          }
        }
        assertThat(start).isEqualTo(rows);
      }
    }
  }

  private static VectorSchemaRoot table(RootAllocator allocator, Random random, int rows) {
    List<FieldVector> vectors = new ArrayList<>();
    for (ColumnSpec column : COLUMNS) {
      FieldVector vector = ArrowTypes.field(column.name(), column.type()).createVector(allocator);
      vector.allocateNew();
      vectors.add(vector);
    }
    for (int row = 0; row < rows; row++) {
      for (FieldVector vector : vectors) {
        if (random.nextInt(5) == 0) {
          vector.setNull(row);
          continue;
        }
        if (vector instanceof BitVector v) {
          v.setSafe(row, random.nextInt(2));
        } else if (vector instanceof IntVector v) {
          v.setSafe(row, random.nextInt(100));
        } else if (vector instanceof BigIntVector v) {
          v.setSafe(row, random.nextInt(3) == 0 ? random.nextLong() : row);
        } else if (vector instanceof Float4Vector v) {
          v.setSafe(row, random.nextFloat());
        } else if (vector instanceof Float8Vector v) {
          v.setSafe(row, random.nextInt(10) == 0 ? Double.NaN : random.nextGaussian());
        } else if (vector instanceof VarCharVector v) {
          v.setSafe(row, word(random).getBytes(StandardCharsets.UTF_8));
        } else if (vector instanceof VarBinaryVector v) {
          byte[] bytes = new byte[random.nextInt(100)];
          random.nextBytes(bytes);
          v.setSafe(row, bytes);
        } else if (vector instanceof TimeStampNanoTZVector v) {
          v.setSafe(row, 1_700_000_000_000_000_000L + random.nextInt(1_000_000_000) * 997L);
        } else {
          fillList((ListVector) vector, row, random);
        }
      }
    }
    VectorSchemaRoot table = new VectorSchemaRoot(vectors);
    table.setRowCount(rows);
    return table;
  }

  private static void fillList(ListVector list, int row, Random random) {
    FieldVector elements = list.getDataVector();
    int start = list.startNewValue(row);
    int size = random.nextInt(4) == 0 ? 0 : random.nextInt(5);
    for (int i = start; i < start + size; i++) {
      if (random.nextInt(6) == 0) {
        elements.setNull(i);
      } else if (elements instanceof BigIntVector v) {
        v.setSafe(i, random.nextLong());
      } else {
        ((VarCharVector) elements).setSafe(i, word(random).getBytes(StandardCharsets.UTF_8));
      }
    }
    elements.setValueCount(start + size);
    list.endValue(row, size);
  }

  private static String word(Random random) {
    // Long words now and then, past the writer's first scratch buffer.
    int length = random.nextInt(20) == 0 ? 100 + random.nextInt(200) : random.nextInt(8);
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < length; i++) {
      word.append((char) ('a' + random.nextInt(3)));
    }
    return word.toString();
  }
}
