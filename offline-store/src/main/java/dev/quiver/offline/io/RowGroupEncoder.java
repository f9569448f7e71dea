package dev.quiver.offline.io;

import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.io.IOException;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * Encodes a slice of an Arrow table as one Parquet row group in memory, a column at a time straight
 * from the vectors into parquet-mr's column writers (which keep its encodings, statistics and page
 * layout), then appends it to a file with {@link #appendTo}. Several slices encode at once on
 * different threads; their row groups are appended in order.
 *
 * <p>Flat columns are optional (definition level 1 when set); lists are the standard three-level
 * LIST: a null list has level 0, an empty one 1, a null element 2, an element 3, and every element
 * after a list's first repeats at level 1.
 */
final class RowGroupEncoder implements AutoCloseable {

  /** Rows written to every column before the store hears of them: pages are cut between. */
  private static final int CHUNK_ROWS = 4096;

  private final ColumnChunkPageWriteStore pages;
  private final ColumnWriteStore columns;
  private final int rows;

  private RowGroupEncoder(
      MessageType schema, ParquetProperties properties, CompressionCodecFactory codecs, int rows) {
    CompressionCodecFactory.BytesInputCompressor compressor =
        codecs.getCompressor(org.apache.parquet.hadoop.metadata.CompressionCodecName.SNAPPY);
    this.pages =
        ColumnChunkPageWriteStore.builder()
            .withCompressorProvider(column -> compressor)
            .withSchema(schema)
            .withAllocator(properties.getAllocator())
            .withColumnIndexTruncateLength(properties.getColumnIndexTruncateLength())
            .withPageWriteChecksumEnabled(properties.getPageWriteChecksumEnabled())
            .build();
    this.columns = properties.newColumnWriteStore(schema, pages, pages);
    this.rows = rows;
  }

  /**
   * Encodes rows {@code from..to-1} of the table.
   *
   * @param codecs a factory of this thread's own (its compressors are not thread-safe)
   */
  static RowGroupEncoder encode(
      MessageType schema,
      ParquetProperties properties,
      CompressionCodecFactory codecs,
      List<FieldVector> vectors,
      List<ValueType> types,
      int from,
      int to) {
    RowGroupEncoder encoder = new RowGroupEncoder(schema, properties, codecs, to - from);
    try {
      List<ColumnDescriptor> descriptors = schema.getColumns();
      for (int start = from; start < to; start += CHUNK_ROWS) {
        int end = Math.min(to, start + CHUNK_ROWS);
        for (int c = 0; c < vectors.size(); c++) {
          ColumnWriter writer = encoder.columns.getColumnWriter(descriptors.get(c));
          FieldVector vector = vectors.get(c);
          ScalarType element = types.get(c).element();
          if (vector instanceof ListVector list) {
            writeLists(writer, list, element, start, end);
          } else {
            writeValues(writer, vector, element, start, end, 0, 1);
          }
        }
        for (int row = start; row < end; row++) {
          encoder.columns.endRecord();
        }
      }
      encoder.columns.flush();
      return encoder;
    } catch (RuntimeException e) {
      encoder.close();
      throw e;
    }
  }

  /** Appends the encoded row group to {@code file}. */
  void appendTo(ParquetFileWriter file) throws IOException {
    file.startBlock(rows);
    pages.flushToFileWriter(file);
    file.endBlock();
  }

  @Override
  public void close() {
    columns.close();
    pages.close();
  }

  /**
   * Writes slots {@code from..to-1}; a set value at {@code definition}, a null one level below,
   * both at {@code repetition}.
   */
  private static void writeValues(
      ColumnWriter writer,
      FieldVector vector,
      ScalarType type,
      int from,
      int to,
      int repetition,
      int definition) {
    switch (type) {
      case BOOL -> {
        BitVector v = (BitVector) vector;
        for (int i = from; i < to; i++) {
          if (v.isNull(i)) {
            writer.writeNull(repetition, definition - 1);
          } else {
            writer.write(v.get(i) != 0, repetition, definition);
          }
        }
      }
      case INT32 -> {
        IntVector v = (IntVector) vector;
        for (int i = from; i < to; i++) {
          if (v.isNull(i)) {
            writer.writeNull(repetition, definition - 1);
          } else {
            writer.write(v.get(i), repetition, definition);
          }
        }
      }
      case INT64 -> {
        BigIntVector v = (BigIntVector) vector;
        for (int i = from; i < to; i++) {
          if (v.isNull(i)) {
            writer.writeNull(repetition, definition - 1);
          } else {
            writer.write(v.get(i), repetition, definition);
          }
        }
      }
      case TIMESTAMP -> {
        TimeStampVector v = (TimeStampVector) vector;
        // Parquet has no seconds: those are stored as millis (ArrowParquetWriter's schema).
        long factor =
            ((ArrowType.Timestamp) v.getField().getType()).getUnit()
                    == org.apache.arrow.vector.types.TimeUnit.SECOND
                ? 1000L
                : 1L;
        for (int i = from; i < to; i++) {
          if (v.isNull(i)) {
            writer.writeNull(repetition, definition - 1);
          } else {
            writer.write(Math.multiplyExact(v.get(i), factor), repetition, definition);
          }
        }
      }
      case FLOAT32 -> {
        Float4Vector v = (Float4Vector) vector;
        for (int i = from; i < to; i++) {
          if (v.isNull(i)) {
            writer.writeNull(repetition, definition - 1);
          } else {
            writer.write(v.get(i), repetition, definition);
          }
        }
      }
      case FLOAT64 -> {
        Float8Vector v = (Float8Vector) vector;
        for (int i = from; i < to; i++) {
          if (v.isNull(i)) {
            writer.writeNull(repetition, definition - 1);
          } else {
            writer.write(v.get(i), repetition, definition);
          }
        }
      }
      case STRING, BYTES -> {
        BaseVariableWidthVector v = (BaseVariableWidthVector) vector;
        ArrowBuf offsets = v.getOffsetBuffer();
        ArrowBuf data = v.getDataBuffer();
        byte[] scratch = new byte[64];
        for (int i = from; i < to; i++) {
          if (v.isNull(i)) {
            writer.writeNull(repetition, definition - 1);
            continue;
          }
          int start = offsets.getInt((long) i * BaseVariableWidthVector.OFFSET_WIDTH);
          int length =
              offsets.getInt((long) (i + 1) * BaseVariableWidthVector.OFFSET_WIDTH) - start;
          if (scratch.length < length) {
            scratch = new byte[Math.max(length, scratch.length * 2)];
          }
          data.getBytes(start, scratch, 0, length);
          // Reused: the writers copy what they keep (dictionary entries, statistics).
          writer.write(Binary.fromReusedByteArray(scratch, 0, length), repetition, definition);
        }
      }
    }
  }

  private static void writeLists(
      ColumnWriter writer, ListVector list, ScalarType element, int from, int to) {
    FieldVector values = list.getDataVector();
    for (int row = from; row < to; row++) {
      if (list.isNull(row)) {
        writer.writeNull(0, 0);
        continue;
      }
      int start = list.getElementStartIndex(row);
      int end = list.getElementEndIndex(row);
      if (start == end) {
        writer.writeNull(0, 1);
        continue;
      }
      writeValues(writer, values, element, start, start + 1, 0, 3);
      writeValues(writer, values, element, start + 1, end, 1, 3);
    }
  }
}
