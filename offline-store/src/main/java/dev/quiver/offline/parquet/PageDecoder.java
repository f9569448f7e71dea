package dev.quiver.offline.parquet;

import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.parquet.bytes.BytesUtils;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.page.DataPage;
import org.apache.parquet.column.page.DataPageV1;
import org.apache.parquet.column.page.DataPageV2;
import org.apache.parquet.column.page.DictionaryPage;
import org.apache.parquet.column.page.PageReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.ParquetDecodingException;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Reads the pages of one flat column chunk straight into an Arrow vector, a page at a time: the
 * definition levels and dictionary indices are decoded a run at a time and plain values copied in
 * bulk, where parquet-mr's column reader hands out one value per call. It reads the plain,
 * dictionary and RLE encodings, which are what Parquet writers use unless told otherwise; {@link
 * #supports} says when a chunk needs {@link ColumnFiller} instead (lists, INT96 and fixed-length
 * values, the delta and byte-stream-split encodings).
 */
final class PageDecoder {

  private static final Set<Encoding> ENCODINGS =
      EnumSet.of(
          Encoding.PLAIN,
          Encoding.PLAIN_DICTIONARY,
          Encoding.RLE_DICTIONARY,
          Encoding.RLE,
          Encoding.BIT_PACKED);

  private static final Set<PrimitiveTypeName> PHYSICAL =
      EnumSet.of(
          PrimitiveTypeName.BOOLEAN,
          PrimitiveTypeName.INT32,
          PrimitiveTypeName.INT64,
          PrimitiveTypeName.FLOAT,
          PrimitiveTypeName.DOUBLE,
          PrimitiveTypeName.BINARY);

  private final ColumnDescriptor column;
  private final int maxDefinition;
  private final ValueSink sink;
  private int[] levels = new int[0];
  private int[] indices = new int[0];

  private PageDecoder(ParquetField field, ScalarType type, FieldVector vector, int rows) {
    this.column = field.column();
    this.maxDefinition = column.getMaxDefinitionLevel();
    this.sink = sink(field, type, vector, rows);
  }

  /** Whether this decoder reads the chunk of {@code field} as {@code type}. */
  static boolean supports(ParquetField field, ValueType type, ColumnChunkMetaData chunk) {
    return !field.list()
        && !type.list()
        && field.column().getMaxRepetitionLevel() == 0
        && PHYSICAL.contains(field.leaf().getPrimitiveTypeName())
        && ENCODINGS.containsAll(chunk.getEncodings());
  }

  /**
   * Reads every page of the chunk into slots {@code 0..rows-1} of {@code vector}, which this
   * allocates.
   *
   * @throws ParquetDecodingException (or another runtime exception) when the pages are damaged
   * @throws ArithmeticException when a timestamp lies outside what nanoseconds in a long hold
   */
  static void fill(
      ParquetField field, ScalarType type, PageReader pages, FieldVector vector, int rows) {
    new PageDecoder(field, type, vector, rows).readAll(pages, rows);
    vector.setValueCount(rows);
  }

  private void readAll(PageReader pages, int rows) {
    DictionaryPage dictionary = pages.readDictionaryPage();
    if (dictionary != null) {
      byte[] bytes = bytes(dictionary.getBytes());
      sink.dictionary(bytes, 0, bytes.length, dictionary.getDictionarySize());
    }
    int row = 0;
    for (DataPage page = pages.readPage(); page != null; page = pages.readPage()) {
      int count = page.getValueCount();
      if (count > rows - row) {
        throw new ParquetDecodingException(
            "the pages hold more than the row group's " + rows + " values");
      }
      if (page instanceof DataPageV1 v1) {
        readV1(v1, row, count);
      } else if (page instanceof DataPageV2 v2) {
        readV2(v2, row, count);
      } else {
        throw new ParquetDecodingException("unknown page kind " + page.getClass().getName());
      }
      row += count;
    }
    if (row != rows) {
      throw new ParquetDecodingException(
          "the pages hold " + row + " values for the row group's " + rows);
    }
  }

  private void readV1(DataPageV1 page, int row, int count) {
    byte[] bytes = bytes(page.getBytes());
    int position = 0;
    int defined = count;
    if (maxDefinition > 0) {
      int[] levels = levels(count);
      int width = BytesUtils.getWidthFromMaxInt(maxDefinition);
      if (page.getDlEncoding() == Encoding.RLE) {
        int length = intLittleEndian(bytes, 0);
        position = 4 + length;
        checkWithin(position, bytes.length);
        new HybridDecoder(bytes, 4, position, width).read(levels, 0, count);
      } else if (page.getDlEncoding() == Encoding.BIT_PACKED) {
        position = unpackBigEndian(bytes, 0, width, levels, count);
      } else {
        throw new ParquetDecodingException(
            "definition levels in " + page.getDlEncoding() + " are not read here");
      }
      defined = defined(levels, count);
    }
    readValues(page.getValueEncoding(), bytes, position, bytes.length, row, count, defined);
  }

  private void readV2(DataPageV2 page, int row, int count) {
    int defined = count;
    if (maxDefinition > 0) {
      byte[] levelBytes = bytes(page.getDefinitionLevels());
      int[] levels = levels(count);
      new HybridDecoder(
              levelBytes, 0, levelBytes.length, BytesUtils.getWidthFromMaxInt(maxDefinition))
          .read(levels, 0, count);
      defined = defined(levels, count);
    }
    byte[] bytes = bytes(page.getData());
    readValues(page.getDataEncoding(), bytes, 0, bytes.length, row, count, defined);
  }

  private void readValues(
      Encoding encoding, byte[] bytes, int offset, int end, int row, int count, int defined) {
    int[] levels = defined == count ? null : this.levels;
    if (encoding.usesDictionary()) {
      if (!sink.hasDictionary()) {
        throw new ParquetDecodingException("a dictionary-encoded page without a dictionary");
      }
      checkWithin(offset + 1, end);
      int width = bytes[offset] & 0xFF;
      int[] indices = indices(defined);
      new HybridDecoder(bytes, offset + 1, end, width).read(indices, 0, defined);
      sink.indexed(indices, levels, maxDefinition, row, count);
    } else if (encoding == Encoding.PLAIN) {
      sink.plain(bytes, offset, end, levels, maxDefinition, row, count, defined);
    } else if (encoding == Encoding.RLE
        && column.getPrimitiveType().getPrimitiveTypeName() == PrimitiveTypeName.BOOLEAN) {
      checkWithin(offset + 4, end);
      int length = intLittleEndian(bytes, offset);
      checkWithin(offset + 4 + length, end);
      int[] values = indices(defined);
      new HybridDecoder(bytes, offset + 4, offset + 4 + length, 1).read(values, 0, defined);
      ((ValueSink.Booleans) sink).bits(values, levels, maxDefinition, row, count);
    } else {
      throw new ParquetDecodingException("values in " + encoding + " are not read here");
    }
  }

  private int[] levels(int count) {
    if (levels.length < count) {
      levels = new int[count];
    }
    return levels;
  }

  private int[] indices(int count) {
    if (indices.length < count) {
      indices = new int[count];
    }
    return indices;
  }

  /** The deprecated BIT_PACKED level encoding: most significant bit first, no run headers. */
  private static int unpackBigEndian(byte[] bytes, int offset, int width, int[] out, int count) {
    long bit = (long) offset * 8;
    int end = offset + (int) (((long) count * width + 7) / 8);
    checkWithin(end, bytes.length);
    for (int i = 0; i < count; i++) {
      int value = 0;
      for (int b = 0; b < width; b++, bit++) {
        int set = (bytes[(int) (bit >>> 3)] >>> (7 - (int) (bit & 7))) & 1;
        value = (value << 1) | set;
      }
      out[i] = value;
    }
    return end;
  }

  static int intLittleEndian(byte[] bytes, int offset) {
    checkWithin(offset + 4, bytes.length);
    return (int) ValueSink.INT_LE.get(bytes, offset);
  }

  /** How many of a page's {@code count} values are defined (not null). */
  private int defined(int[] levels, int count) {
    int defined = 0;
    for (int i = 0; i < count; i++) {
      if (levels[i] == maxDefinition) {
        defined++;
      }
    }
    return defined;
  }

  static void checkWithin(int position, int end) {
    if (position < 0 || position > end) {
      throw new ParquetDecodingException("a length points past the end of the page");
    }
  }

  private static byte[] bytes(org.apache.parquet.bytes.BytesInput input) {
    try {
      return input.toByteArray();
    } catch (IOException e) {
      // Decompression failed (a damaged page): its codec's own words, not a class name.
      throw new ParquetDecodingException("the page cannot be decompressed: " + e.getMessage(), e);
    }
  }

  private static ValueSink sink(ParquetField field, ScalarType type, FieldVector vector, int rows) {
    PrimitiveTypeName physical = field.leaf().getPrimitiveTypeName();
    if (vector instanceof BaseVariableWidthVector variable) {
      return new ValueSink.Binaries(variable, rows);
    }
    BaseFixedWidthVector fixed = (BaseFixedWidthVector) vector;
    return switch (type) {
      case BOOL -> new ValueSink.Booleans(fixed, rows);
      case INT32, FLOAT32 -> new ValueSink.Ints(fixed, rows);
      case FLOAT64 -> new ValueSink.Longs(fixed, rows, false, 1);
      case INT64 -> new ValueSink.Longs(fixed, rows, physical == PrimitiveTypeName.INT32, 1);
      case TIMESTAMP ->
          new ValueSink.Longs(
              fixed,
              rows,
              false,
              Timestamps.nanosPerUnit(
                  ((LogicalTypeAnnotation.TimestampLogicalTypeAnnotation)
                          field.leaf().getLogicalTypeAnnotation())
                      .getUnit()));
      case STRING, BYTES -> throw new IllegalStateException("not a variable-width vector");
    };
  }
}
