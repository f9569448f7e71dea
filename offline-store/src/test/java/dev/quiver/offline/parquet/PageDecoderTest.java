package dev.quiver.offline.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page decoder against the values written, on random data (seed printed) in every layout
 * parquet-mr writes: data pages v1 and v2, dictionary and plain encodings, a dictionary that
 * overflows into plain pages mid-chunk, many small pages, nulls from none to all. Chunks the
 * decoder does not read (v2's delta encodings) go through {@link ColumnFiller}: both readers are
 * checked against the same expected values, and the test asserts which one each chunk took.
 */
class PageDecoderTest {

  @TempDir Path dir;

  private static final String SCHEMA =
      """
      message m {
        optional boolean flag;
        optional int32 small;
        optional int32 widened;
        required int64 id;
        optional float ratio;
        optional double amount;
        optional binary name (STRING);
        required binary code (STRING);
        optional binary raw;
        optional int64 at_ms (TIMESTAMP(MILLIS,true));
        optional int64 at_us (TIMESTAMP(MICROS,true));
        optional int64 at_ns (TIMESTAMP(NANOS,true));
      }
      """;

  private static final List<ColumnSpec> COLUMNS =
      List.of(
          spec("flag", ScalarType.BOOL),
          spec("small", ScalarType.INT32),
          spec("widened", ScalarType.INT64),
          spec("id", ScalarType.INT64),
          spec("ratio", ScalarType.FLOAT32),
          spec("amount", ScalarType.FLOAT64),
          spec("name", ScalarType.STRING),
          spec("code", ScalarType.STRING),
          spec("raw", ScalarType.BYTES),
          spec("at_ms", ScalarType.TIMESTAMP),
          spec("at_us", ScalarType.TIMESTAMP),
          spec("at_ns", ScalarType.TIMESTAMP));

  private static ColumnSpec spec(String name, ScalarType type) {
    return new ColumnSpec(name, name, ValueType.scalar(type));
  }

  /** One layout: page version, dictionary, page and dictionary sizes, share of nulls. */
  private record Layout(
      WriterVersion version,
      boolean dictionary,
      int pageRows,
      int dictionaryBytes,
      double nullShare,
      int vocabulary) {}

  @Test
  void everyLayoutReadsBackTheValuesWritten() throws Exception {
    long seed = System.nanoTime();
    System.out.println("PageDecoderTest seed: " + seed);
    Random random = new Random(seed);
    List<Layout> layouts = new ArrayList<>();
    for (WriterVersion version : WriterVersion.values()) {
      for (boolean dictionary : new boolean[] {true, false}) {
        for (double nullShare : new double[] {0, 0.3, 1}) {
          layouts.add(new Layout(version, dictionary, 20_000, 1 << 20, nullShare, 40));
          // Small pages, and a dictionary that fills up and falls back to plain pages mid-chunk.
          layouts.add(new Layout(version, dictionary, 97, 512, nullShare, 5_000));
        }
      }
    }
    int decoded = 0;
    int filled = 0;
    for (Layout layout : layouts) {
      int rows = 1 + random.nextInt(6_000);
      Object[][] values = values(random, rows, layout);
      Path file = write(layout, values, rows, random.nextInt(3) == 0 ? 1_000 : 0);
      int[] taken = check(file, values, rows, layout);
      decoded += taken[0];
      filled += taken[1];
    }
    // Both readers were exercised: v1 files are decoded, v2's delta chunks filled.
    assertThat(decoded).isGreaterThan(100);
    assertThat(filled).isGreaterThan(10);
  }

  private static Object[][] values(Random random, int rows, Layout layout) {
    Object[][] values = new Object[COLUMNS.size()][rows];
    String[] words = new String[layout.vocabulary()];
    for (int i = 0; i < words.length; i++) {
      char[] chars = new char[random.nextInt(12)];
      for (int c = 0; c < chars.length; c++) {
        chars[c] = (char) (random.nextInt(5) == 0 ? 0x4E00 + random.nextInt(200) : 'a' + c);
      }
      words[i] = new String(chars) + i;
    }
    for (int row = 0; row < rows; row++) {
      for (int c = 0; c < COLUMNS.size(); c++) {
        String name = COLUMNS.get(c).name();
        boolean required = name.equals("id") || name.equals("code");
        if (!required && random.nextDouble() < layout.nullShare()) {
          continue;
        }
        values[c][row] =
            switch (name) {
              case "flag" -> random.nextBoolean();
              case "small", "widened" ->
                  random.nextInt(3) == 0 ? random.nextInt() : random.nextInt(layout.vocabulary());
              case "id" -> random.nextInt(4) == 0 ? random.nextLong() : (long) row;
              case "ratio" ->
                  random.nextInt(50) == 0
                      ? Float.NaN
                      : random.nextInt(50) == 0 ? -0.0f : (float) random.nextInt(100) / 7;
              case "amount" ->
                  random.nextInt(50) == 0 ? Double.NaN : random.nextInt(layout.vocabulary()) * 0.1;
              case "name", "code" -> words[random.nextInt(words.length)];
              case "raw" -> {
                byte[] bytes = new byte[random.nextInt(9)];
                random.nextBytes(bytes);
                yield bytes;
              }
              // Stored units: 1970..2200, within what nanoseconds hold.
              case "at_ms" -> random.nextLong(7_258_118_400_000L);
              case "at_us" -> random.nextLong(7_258_118_400_000_000L);
              case "at_ns" -> random.nextLong(Long.MAX_VALUE);
              default -> throw new IllegalStateException(name);
            };
      }
    }
    return values;
  }

  private Path write(Layout layout, Object[][] values, int rows, int rowGroupRows)
      throws Exception {
    MessageType schema = MessageTypeParser.parseMessageType(SCHEMA);
    Path file = dir.resolve("layout-" + System.nanoTime() + ".parquet");
    ExampleParquetWriter.Builder builder =
        ExampleParquetWriter.builder(new LocalOutputFile(file))
            .withType(schema)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withWriterVersion(layout.version())
            .withDictionaryEncoding(layout.dictionary())
            .withDictionaryPageSize(layout.dictionaryBytes())
            .withPageRowCountLimit(layout.pageRows())
            .withCompressionCodec(CompressionCodecName.SNAPPY);
    if (rowGroupRows > 0) {
      builder.withRowGroupRowCountLimit(rowGroupRows);
    }
    try (ParquetWriter<Group> writer = builder.build()) {
      SimpleGroupFactory groups = new SimpleGroupFactory(schema);
      for (int row = 0; row < rows; row++) {
        Group group = groups.newGroup();
        for (int c = 0; c < COLUMNS.size(); c++) {
          Object value = values[c][row];
          String name = COLUMNS.get(c).name();
          if (value == null) {
            continue;
          }
          if (value instanceof Boolean b) {
            group.append(name, b);
          } else if (value instanceof Integer i) {
            group.append(name, i);
          } else if (value instanceof Long l) {
            group.append(name, l);
          } else if (value instanceof Float f) {
            group.append(name, f);
          } else if (value instanceof Double d) {
            group.append(name, d);
          } else if (value instanceof String text) {
            group.append(name, text);
          } else {
            group.append(name, Binary.fromConstantByteArray((byte[]) value));
          }
        }
        writer.write(group);
      }
    }
    return file;
  }

  /** Reads every row group and compares; returns how many chunks each reader took. */
  private static int[] check(Path file, Object[][] values, int rows, Layout layout) {
    int decoded = 0;
    int filled = 0;
    try (RootAllocator allocator = new RootAllocator();
        ParquetTableReader reader = ParquetTableReader.open(file)) {
      List<ParquetField> fields = reader.resolve(COLUMNS, "test");
      int start = 0;
      for (int g = 0; g < reader.rowGroups().size(); g++) {
        BlockMetaData block = reader.rowGroups().get(g);
        for (int c = 0; c < COLUMNS.size(); c++) {
          ColumnChunkMetaData chunk = block.getColumns().get(c);
          boolean supported = PageDecoder.supports(fields.get(c), COLUMNS.get(c).type(), chunk);
          if (supported) {
            decoded++;
          } else {
            filled++;
          }
          if (layout.version() == WriterVersion.PARQUET_1_0) {
            assertThat(supported).as("%s in %s", chunk.getEncodings(), layout).isTrue();
          }
        }
        try (VectorSchemaRoot root = reader.read(g, COLUMNS, fields, allocator).root()) {
          int count = root.getRowCount();
          for (int c = 0; c < COLUMNS.size(); c++) {
            FieldVector vector = root.getVector(c);
            for (int i = 0; i < count; i++) {
              Object expected = expected(COLUMNS.get(c).name(), values[c][start + i]);
              assertThat(actual(vector, i))
                  .as("column %s row %d of %s", COLUMNS.get(c).name(), start + i, layout)
                  .isEqualTo(expected);
            }
          }
          start += count;
        }
      }
      assertThat(start).isEqualTo(rows);
    }
    return new int[] {decoded, filled};
  }

  private static Object expected(String name, Object value) {
    if (value == null) {
      return null;
    }
    return switch (name) {
      case "widened" -> (long) (Integer) value;
      case "ratio" -> Float.floatToRawIntBits((Float) value);
      case "amount" -> Double.doubleToRawLongBits((Double) value);
      case "name", "code" -> Arrays.toString(((String) value).getBytes(StandardCharsets.UTF_8));
      case "raw" -> Arrays.toString((byte[]) value);
      case "at_ms" -> (Long) value * 1_000_000L;
      case "at_us" -> (Long) value * 1_000L;
      default -> value;
    };
  }

  private static Object actual(FieldVector vector, int i) {
    if (vector.isNull(i)) {
      return null;
    }
    if (vector instanceof BitVector v) {
      return v.get(i) == 1;
    } else if (vector instanceof Float4Vector v) {
      return Float.floatToRawIntBits(v.get(i));
    } else if (vector instanceof Float8Vector v) {
      return Double.doubleToRawLongBits(v.get(i));
    } else if (vector instanceof VarCharVector v) {
      return Arrays.toString(v.get(i));
    } else if (vector instanceof VarBinaryVector v) {
      return Arrays.toString(v.get(i));
    }
    // int32, int64 and timestamps (nanoseconds)
    return vector.getObject(i) instanceof Integer n
        ? n
        : ((Number) vector.getObject(i)).longValue();
  }
}
