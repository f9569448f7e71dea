package dev.quiver.online.tiles;

import dev.quiver.online.OnlineStoreException;
import dev.quiver.registry.model.ScalarType;

/** Reads what {@link TileOutput} wrote, from a position in a byte array. */
final class TileInput {

  private final byte[] bytes;
  private int position;

  TileInput(byte[] bytes, int position) {
    this.bytes = bytes;
    this.position = position;
  }

  int position() {
    return position;
  }

  void skip(int length) {
    need(length);
    position += length;
  }

  byte[] bytes() {
    return bytes;
  }

  private void need(int length) {
    if (length < 0 || position + length > bytes.length) {
      throw new OnlineStoreException(
          "Cannot read a tile set: it ends at byte " + bytes.length + ", before its data does");
    }
  }

  int getByte() {
    need(1);
    return bytes[position++] & 0xFF;
  }

  int getInt() {
    need(4);
    int value = 0;
    for (int i = 0; i < 4; i++) {
      value = (value << 8) | (bytes[position++] & 0xFF);
    }
    return value;
  }

  long getLong() {
    need(8);
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (bytes[position++] & 0xFF);
    }
    return value;
  }

  double getDouble() {
    return Double.longBitsToDouble(getLong());
  }

  long getVarint() {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = getByte();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new OnlineStoreException("Cannot read a tile set: a varint runs over 10 bytes");
  }

  long getZigzag() {
    long raw = getVarint();
    return (raw >>> 1) ^ -(raw & 1);
  }

  /** A value held as a long, as {@link TileOutput#putLongValue} writes it. */
  long getLongValue(ScalarType type) {
    return switch (type) {
      case BOOL -> getByte();
      case INT32, INT64 -> getZigzag();
      case TIMESTAMP -> getLong();
      default -> throw new IllegalArgumentException(type + " is not held as a long");
    };
  }

  /** A float32 or float64 value, as {@link TileOutput#putDoubleValue} writes it. */
  double getDoubleValue(ScalarType type) {
    return switch (type) {
      case FLOAT32 -> Float.intBitsToFloat(getInt());
      case FLOAT64 -> getDouble();
      default -> throw new IllegalArgumentException(type + " is not held as a double");
    };
  }

  byte[] getBytesValue() {
    long length = getVarint();
    if (length > bytes.length) {
      need(Integer.MAX_VALUE);
    }
    need((int) length);
    byte[] value = java.util.Arrays.copyOfRange(bytes, position, position + (int) length);
    position += (int) length;
    return value;
  }
}
