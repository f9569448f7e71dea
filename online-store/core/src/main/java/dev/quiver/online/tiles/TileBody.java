package dev.quiver.online.tiles;

import dev.quiver.registry.model.ScalarType;

/**
 * Writes one tile's body: its row count, its newest event, then each slot's partial in layout
 * order. The partial of a slot by function (a mean is read from the sum and count of its column):
 *
 * <pre>
 * count          varint non-null values
 * sum            float input: f64; integer input: zigzag varint (wrapping long)
 * min max first last   u8 0 (no value) or 1, then the value: bool u8, int32/int64 zigzag varint,
 *                      timestamp i64 nanoseconds, float32 4 bytes, float64 8 bytes,
 *                      string (UTF-8) and bytes varint length + bytes
 * </pre>
 *
 * After the partials, for each first or last slot that holds a value, in slot order, varint (the
 * value's event time - bucket): what ingestion needs to fold a later event into the tile ({@link
 * TileFold}); lookups skip it.
 */
public final class TileBody {

  private TileBody() {}

  /** Starts a body: the tile's rows and its newest event, at or after {@code bucket}. */
  public static void header(TileOutput out, long bucket, long rows, long newestEvent) {
    out.putVarint(rows).putVarint(newestEvent - bucket);
  }

  public static void count(TileOutput out, long count) {
    out.putVarint(count);
  }

  public static void longSum(TileOutput out, long sum) {
    out.putZigzag(sum);
  }

  public static void doubleSum(TileOutput out, double sum) {
    out.putDouble(sum);
  }

  public static void absent(TileOutput out) {
    out.putByte(0);
  }

  /** A value of a bool, int32, int64 or timestamp column. */
  public static void longValue(TileOutput out, ScalarType type, long value) {
    out.putByte(1).putLongValue(type, value);
  }

  /** A value of a float32 or float64 column. */
  public static void doubleValue(TileOutput out, ScalarType type, double value) {
    out.putByte(1).putDoubleValue(type, value);
  }

  /** A value of a string (UTF-8 bytes) or bytes column. */
  public static void bytesValue(TileOutput out, byte[] value) {
    out.putByte(1).putBytesValue(value);
  }

  /** The event time of a first or last slot's value, after every slot's partial. */
  public static void chosenTime(TileOutput out, long bucket, long eventNanos) {
    out.putVarint(eventNanos - bucket);
  }

  /** How a value of {@code type} is held in partials: as a long, a double, or bytes. */
  public enum Holder {
    LONG,
    DOUBLE,
    BYTES;

    public static Holder of(ScalarType type) {
      return switch (type) {
        case BOOL, INT32, INT64, TIMESTAMP -> LONG;
        case FLOAT32, FLOAT64 -> DOUBLE;
        case STRING, BYTES -> BYTES;
      };
    }
  }
}
