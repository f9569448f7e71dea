package dev.quiver.offline.parquet;

import static dev.quiver.offline.parquet.PageDecoder.checkWithin;
import static dev.quiver.offline.parquet.PageDecoder.intLittleEndian;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.parquet.io.ParquetDecodingException;

/**
 * Where {@link PageDecoder} puts one page's values: an Arrow vector of one type, filled from plain
 * bytes or from dictionary indices. {@code levels} are the page's definition levels ({@code null}
 * when every value of the page is defined); slot {@code row + i} is null when {@code levels[i]} is
 * below {@code maxDefinition}, and the defined values come in order.
 */
abstract sealed class ValueSink {

  static final VarHandle INT_LE =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Decodes a plain-encoded dictionary page of {@code size} values. */
  abstract void dictionary(byte[] bytes, int offset, int end, int size);

  abstract boolean hasDictionary();

  /** Plain values of a page, {@code defined} of its {@code count} slots set. */
  abstract void plain(
      byte[] bytes,
      int offset,
      int end,
      int[] levels,
      int maxDefinition,
      int row,
      int count,
      int defined);

  abstract void indexed(int[] indices, int[] levels, int maxDefinition, int row, int count);

  /** Fixed-width values: the validity bits are set here, the values by each type. */
  abstract static sealed class Fixed extends ValueSink {

    final ArrowBuf validity;
    final ArrowBuf data;

    Fixed(BaseFixedWidthVector vector, int rows) {
      vector.allocateNew(rows);
      this.validity = vector.getValidityBuffer();
      this.data = vector.getDataBuffer();
    }

    /**
     * Marks the page's defined slots valid and calls {@code put(slot, k)} for the k-th defined
     * value.
     */
    final void scatter(int[] levels, int maxDefinition, int row, int count, Put put) {
      if (levels == null) {
        markValid(row, count);
        for (int i = 0; i < count; i++) {
          put.put(row + i, i);
        }
        return;
      }
      int k = 0;
      for (int i = 0; i < count; i++) {
        if (levels[i] == maxDefinition) {
          BitVectorHelper.setBit(validity, row + i);
          put.put(row + i, k++);
        }
      }
    }

    /** Copies {@code count} plain values of {@code width} bytes in one go (no nulls). */
    final void copy(byte[] bytes, int offset, int end, int width, int row, int count) {
      long length = (long) count * width;
      checkWithin((int) Math.min(offset + length, Integer.MAX_VALUE), end);
      data.setBytes((long) row * width, bytes, offset, length);
      markValid(row, count);
    }

    /** Sets the validity bits of slots {@code row..row+count-1}, whole bytes where it can. */
    final void markValid(int row, int count) {
      int slot = row;
      int end = row + count;
      while (slot < end && (slot & 7) != 0) {
        BitVectorHelper.setBit(validity, slot++);
      }
      while (slot + 8 <= end) {
        validity.setByte(slot >>> 3, 0xFF);
        slot += 8;
      }
      while (slot < end) {
        BitVectorHelper.setBit(validity, slot++);
      }
    }

    /** Dictionary values of 8 bytes (int64, timestamps, float64 bits) by index. */
    final void indexed(
        long[] values, int[] indices, int[] levels, int maxDefinition, int row, int count) {
      if (levels == null) {
        // The common page without nulls: no call per value.
        markValid(row, count);
        for (int i = 0; i < count; i++) {
          data.setLong((long) (row + i) * 8, values[checkedIndex(indices[i], values.length)]);
        }
        return;
      }
      scatter(
          levels,
          maxDefinition,
          row,
          count,
          (slot, k) ->
              data.setLong((long) slot * 8, values[checkedIndex(indices[k], values.length)]));
    }

    /** Dictionary values of 4 bytes (int32, float32 bits) by index. */
    final void indexed(
        int[] values, int[] indices, int[] levels, int maxDefinition, int row, int count) {
      if (levels == null) {
        markValid(row, count);
        for (int i = 0; i < count; i++) {
          data.setInt((long) (row + i) * 4, values[checkedIndex(indices[i], values.length)]);
        }
        return;
      }
      scatter(
          levels,
          maxDefinition,
          row,
          count,
          (slot, k) ->
              data.setInt((long) slot * 4, values[checkedIndex(indices[k], values.length)]));
    }

    static int checkedIndex(int index, int size) {
      if (index < 0 || index >= size) {
        throw new ParquetDecodingException(
            "dictionary index " + index + " outside the dictionary of " + size);
      }
      return index;
    }
  }

  @FunctionalInterface
  interface Put {
    void put(int slot, int value);
  }

  /**
   * 8-byte values: int64 (also widened from int32), timestamps (converted to nanoseconds by {@code
   * factor}), and float64 as its bits (a double read and written again could change a NaN's
   * payload).
   */
  static final class Longs extends Fixed {

    private final boolean fromInt32;
    private final long factor;
    private long[] dictionary;

    Longs(BaseFixedWidthVector vector, int rows, boolean fromInt32, long factor) {
      super(vector, rows);
      this.fromInt32 = fromInt32;
      this.factor = factor;
    }

    private long read(byte[] bytes, int position) {
      long value =
          fromInt32 ? (int) INT_LE.get(bytes, position) : (long) LONG_LE.get(bytes, position);
      return factor == 1 ? value : Timestamps.toNanos(value, factor);
    }

    private int width() {
      return fromInt32 ? 4 : 8;
    }

    @Override
    void dictionary(byte[] bytes, int offset, int end, int size) {
      checkWithin(offset + size * width(), end);
      dictionary = new long[size];
      for (int i = 0; i < size; i++) {
        dictionary[i] = read(bytes, offset + i * width());
      }
    }

    @Override
    boolean hasDictionary() {
      return dictionary != null;
    }

    @Override
    void plain(
        byte[] bytes,
        int offset,
        int end,
        int[] levels,
        int maxDefinition,
        int row,
        int count,
        int defined) {
      if (levels == null && !fromInt32 && factor == 1) {
        copy(bytes, offset, end, 8, row, count);
        return;
      }
      int width = width();
      checkWithin(offset + defined * width, end);
      scatter(
          levels,
          maxDefinition,
          row,
          count,
          (slot, k) -> data.setLong((long) slot * 8, read(bytes, offset + k * width)));
    }

    @Override
    void indexed(int[] indices, int[] levels, int maxDefinition, int row, int count) {
      indexed(dictionary, indices, levels, maxDefinition, row, count);
    }
  }

  /** 4-byte values: int32, and float32 as its bits. */
  static final class Ints extends Fixed {

    private int[] dictionary;

    Ints(BaseFixedWidthVector vector, int rows) {
      super(vector, rows);
    }

    @Override
    void dictionary(byte[] bytes, int offset, int end, int size) {
      checkWithin(offset + size * 4, end);
      dictionary = new int[size];
      for (int i = 0; i < size; i++) {
        dictionary[i] = (int) INT_LE.get(bytes, offset + i * 4);
      }
    }

    @Override
    boolean hasDictionary() {
      return dictionary != null;
    }

    @Override
    void plain(
        byte[] bytes,
        int offset,
        int end,
        int[] levels,
        int maxDefinition,
        int row,
        int count,
        int defined) {
      if (levels == null) {
        copy(bytes, offset, end, 4, row, count);
        return;
      }
      checkWithin(offset + defined * 4, end);
      scatter(
          levels,
          maxDefinition,
          row,
          count,
          (slot, k) -> data.setInt((long) slot * 4, (int) INT_LE.get(bytes, offset + k * 4)));
    }

    @Override
    void indexed(int[] indices, int[] levels, int maxDefinition, int row, int count) {
      indexed(dictionary, indices, levels, maxDefinition, row, count);
    }
  }

  /** Booleans: plain is one bit per value, least significant first; RLE comes as bits too. */
  static final class Booleans extends Fixed {

    Booleans(BaseFixedWidthVector vector, int rows) {
      super(vector, rows);
    }

    @Override
    void dictionary(byte[] bytes, int offset, int end, int size) {
      throw new ParquetDecodingException("a dictionary for booleans");
    }

    @Override
    boolean hasDictionary() {
      return false;
    }

    @Override
    void plain(
        byte[] bytes,
        int offset,
        int end,
        int[] levels,
        int maxDefinition,
        int row,
        int count,
        int defined) {
      checkWithin(offset + (defined + 7) / 8, end);
      scatter(
          levels,
          maxDefinition,
          row,
          count,
          (slot, k) -> {
            if ((bytes[offset + (k >>> 3)] >>> (k & 7) & 1) != 0) {
              BitVectorHelper.setBit(data, slot);
            }
          });
    }

    /** Booleans decoded from the RLE encoding, one 0 or 1 per defined value. */
    void bits(int[] values, int[] levels, int maxDefinition, int row, int count) {
      scatter(
          levels,
          maxDefinition,
          row,
          count,
          (slot, k) -> {
            if (values[k] != 0) {
              BitVectorHelper.setBit(data, slot);
            }
          });
    }

    @Override
    void indexed(int[] indices, int[] levels, int maxDefinition, int row, int count) {
      throw new ParquetDecodingException("dictionary indices for booleans");
    }
  }

  /** Strings and bytes: plain values are a 4-byte little-endian length and the bytes. */
  static final class Binaries extends ValueSink {

    private final BaseVariableWidthVector vector;
    private byte[] dictionaryBytes;
    private int[] dictionaryOffsets;

    Binaries(BaseVariableWidthVector vector, int rows) {
      this.vector = vector;
      vector.setInitialCapacity(rows);
      vector.allocateNew();
    }

    @Override
    void dictionary(byte[] bytes, int offset, int end, int size) {
      dictionaryBytes = bytes;
      dictionaryOffsets = new int[size + 1];
      int position = offset;
      for (int i = 0; i < size; i++) {
        int length = intLittleEndian(bytes, position);
        dictionaryOffsets[i] = position + 4;
        position += 4 + length;
        checkWithin(position, end);
      }
      // Each value starts 4 bytes after the previous one ends: offsets[i + 1] - 4 is where
      // value i ends.
      dictionaryOffsets[size] = position + 4;
    }

    @Override
    boolean hasDictionary() {
      return dictionaryOffsets != null;
    }

    @Override
    void plain(
        byte[] bytes,
        int offset,
        int end,
        int[] levels,
        int maxDefinition,
        int row,
        int count,
        int defined) {
      int position = offset;
      for (int i = 0; i < count; i++) {
        if (levels == null || levels[i] == maxDefinition) {
          int length = intLittleEndian(bytes, position);
          checkWithin(position + 4 + length, end);
          vector.setSafe(row + i, bytes, position + 4, length);
          position += 4 + length;
        }
      }
    }

    @Override
    void indexed(int[] indices, int[] levels, int maxDefinition, int row, int count) {
      int size = dictionaryOffsets.length - 1;
      int k = 0;
      for (int i = 0; i < count; i++) {
        if (levels == null || levels[i] == maxDefinition) {
          int index = Fixed.checkedIndex(indices[k++], size);
          int start = dictionaryOffsets[index];
          vector.setSafe(row + i, dictionaryBytes, start, dictionaryOffsets[index + 1] - 4 - start);
        }
      }
    }
  }
}
