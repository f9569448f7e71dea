package dev.quiver.online.tiles;

import dev.quiver.registry.model.ScalarType;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A growable byte buffer with the tile codec's primitives: unsigned and zigzag varints (LEB128),
 * big-endian fixed-width numbers, and values by type. Reused across tiles by {@link #reset()}.
 */
public final class TileOutput {

  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private byte[] bytes;
  private int size;

  public TileOutput() {
    this(64);
  }

  public TileOutput(int capacity) {
    bytes = new byte[Math.max(16, capacity)];
  }

  public int size() {
    return size;
  }

  public void reset() {
    size = 0;
  }

  /** The buffer itself; its first {@link #size()} bytes are what was written. */
  byte[] bytes() {
    return bytes;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, size);
  }

  private void ensure(int more) {
    if (size + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
    }
  }

  public TileOutput putByte(int value) {
    ensure(1);
    bytes[size++] = (byte) value;
    return this;
  }

  public TileOutput putInt(int value) {
    ensure(4);
    INT.set(bytes, size, value);
    size += 4;
    return this;
  }

  public TileOutput putLong(long value) {
    ensure(8);
    LONG.set(bytes, size, value);
    size += 8;
    return this;
  }

  public TileOutput putDouble(double value) {
    return putLong(Double.doubleToRawLongBits(value));
  }

  /** An unsigned LEB128 varint: 7 bits a byte, least significant first. */
  public TileOutput putVarint(long value) {
    ensure(10);
    while ((value & ~0x7FL) != 0) {
      bytes[size++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    bytes[size++] = (byte) value;
    return this;
  }

  /** A signed value as a zigzag varint, so small negative numbers stay short. */
  public TileOutput putZigzag(long value) {
    return putVarint((value << 1) ^ (value >> 63));
  }

  public TileOutput putBytes(byte[] value) {
    return putBytes(value, 0, value.length);
  }

  public TileOutput putBytes(byte[] value, int from, int length) {
    ensure(length);
    System.arraycopy(value, from, bytes, size, length);
    size += length;
    return this;
  }

  /** Appends what {@code other} holds. */
  public TileOutput put(TileOutput other) {
    return putBytes(other.bytes, 0, other.size);
  }

  /**
   * A value held as a long: bool (0/1), int32 and int64 (zigzag varints), timestamp (8 bytes of
   * nanoseconds).
   */
  public TileOutput putLongValue(ScalarType type, long value) {
    return switch (type) {
      case BOOL -> putByte((int) value);
      case INT32, INT64 -> putZigzag(value);
      case TIMESTAMP -> putLong(value);
      default -> throw new IllegalArgumentException(type + " is not held as a long");
    };
  }

  /** A float32 (4 bytes, IEEE) or float64 (8 bytes) value. */
  public TileOutput putDoubleValue(ScalarType type, double value) {
    return switch (type) {
      case FLOAT32 -> putInt(Float.floatToRawIntBits((float) value));
      case FLOAT64 -> putDouble(value);
      default -> throw new IllegalArgumentException(type + " is not held as a double");
    };
  }

  /** A string (UTF-8) or bytes value: varint length, then the bytes. */
  public TileOutput putBytesValue(byte[] value) {
    return putVarint(value.length).putBytes(value);
  }
}
