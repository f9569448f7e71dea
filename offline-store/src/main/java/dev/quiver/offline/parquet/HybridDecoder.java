package dev.quiver.offline.parquet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.parquet.io.ParquetDecodingException;

/**
 * Decodes Parquet's RLE / bit-packing hybrid encoding (definition levels, dictionary indices,
 * booleans) a run at a time into int arrays: a run of one repeated value is filled, a bit-packed
 * run is unpacked eight values to a group, least significant bit first.
 */
final class HybridDecoder {

  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final byte[] data;
  private final int end;
  private final int bitWidth;
  private final int valueBytes;
  private final long mask;
  private int position;

  /** Values left in the current run, and whether it repeats {@link #repeated}. */
  private int runLeft;

  private boolean repeating;
  private int repeated;

  /** Where the current bit-packed run's next value starts, in bits from the start of data. */
  private long bitPosition;

  /**
   * @param data the encoded bytes from {@code offset} to {@code end} (no length prefix)
   * @param bitWidth bits per value, 0 to 32
   */
  HybridDecoder(byte[] data, int offset, int end, int bitWidth) {
    if (bitWidth < 0 || bitWidth > 32) {
      throw new ParquetDecodingException("invalid bit width " + bitWidth);
    }
    this.data = data;
    this.position = offset;
    this.end = end;
    this.bitWidth = bitWidth;
    this.valueBytes = (bitWidth + 7) / 8;
    this.mask = (1L << bitWidth) - 1;
  }

  /** Reads {@code count} values into {@code out[offset..offset+count)}. */
  void read(int[] out, int offset, int count) {
    int at = offset;
    int stop = offset + count;
    while (at < stop) {
      if (runLeft == 0) {
        if (repeating || position < end) {
          nextRun();
        }
        if (runLeft == 0) {
          throw new ParquetDecodingException(
              "the encoded values end after " + (at - offset) + " of " + count);
        }
      }
      int n = Math.min(runLeft, stop - at);
      if (repeating) {
        Arrays.fill(out, at, at + n, repeated);
      } else {
        unpack(out, at, n);
      }
      at += n;
      runLeft -= n;
    }
  }

  private void nextRun() {
    repeating = false;
    if (position >= end) {
      return;
    }
    int header = readUnsignedVarInt();
    if ((header & 1) == 0) {
      repeating = true;
      runLeft = header >>> 1;
      int value = 0;
      for (int i = 0; i < valueBytes; i++) {
        value |= (byteAt(position++) & 0xFF) << (8 * i);
      }
      repeated = value;
    } else {
      int groups = header >>> 1;
      runLeft = groups * 8;
      bitPosition = (long) position * 8;
      // The run occupies groups * bitWidth bytes; a writer may leave the last group's unused
      // bytes out, which read as zero.
      position = (int) Math.min((long) position + (long) groups * bitWidth, end);
    }
    if (runLeft < 0) {
      throw new ParquetDecodingException("invalid run header");
    }
  }

  private void unpack(int[] out, int at, int n) {
    if (bitWidth == 0) {
      Arrays.fill(out, at, at + n, 0);
      return;
    }
    long bit = bitPosition;
    for (int i = 0; i < n; i++) {
      int index = (int) (bit >>> 3);
      int shift = (int) (bit & 7);
      // Up to 32 + 7 bits: at most five bytes, read as one little-endian long.
      long word =
          index + 8 <= end
              ? (long) LONG_LE.get(data, index)
              : (byteAt(index) & 0xFFL)
                  | (byteAt(index + 1) & 0xFFL) << 8
                  | (byteAt(index + 2) & 0xFFL) << 16
                  | (byteAt(index + 3) & 0xFFL) << 24
                  | (byteAt(index + 4) & 0xFFL) << 32;
      out[at + i] = (int) ((word >>> shift) & mask);
      bit += bitWidth;
    }
    bitPosition = bit;
  }

  /** The byte at {@code index}, zero past the end of the encoded data. */
  private byte byteAt(int index) {
    return index < end ? data[index] : 0;
  }

  private int readUnsignedVarInt() {
    int value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (position >= end) {
        throw new ParquetDecodingException("a run header is cut off");
      }
      int b = data[position++] & 0xFF;
      value |= (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new ParquetDecodingException("a run header is longer than five bytes");
  }
}
