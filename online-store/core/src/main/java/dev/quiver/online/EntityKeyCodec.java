package dev.quiver.online;

import dev.quiver.EpochNanos;
import dev.quiver.registry.model.ScalarType;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes an entity key (the values of a view's join keys) to bytes, deterministically: join keys
 * sorted by name, each with its name, a type tag and its value. The same key always gives the same
 * bytes, whoever writes or reads it.
 *
 * <pre>
 * u8 format (1) | u8 count | per key, by name: u16 name length, UTF-8 name, u8 type tag, value
 * values: bool u8; int32 4 bytes; int64 and timestamp (UTC nanoseconds) 8 bytes, big-endian;
 *         string and bytes: u32 length, then the bytes
 * </pre>
 */
public final class EntityKeyCodec {

  static final int FORMAT = 1;

  private EntityKeyCodec() {}

  /**
   * @param values join key name to value: Boolean, Integer, Long, String, byte[] or Instant, as the
   *     key's type requires
   * @param types join key name to its declared type
   * @throws IllegalArgumentException when a value does not match its type
   */
  public static byte[] encode(Map<String, Object> values, Map<String, ScalarType> types) {
    if (values.size() == 1) {
      Map.Entry<String, Object> only = values.entrySet().iterator().next();
      ScalarType type = types.get(only.getKey());
      if ((type == ScalarType.INT64 && only.getValue() instanceof Long)
          || (type == ScalarType.INT32 && only.getValue() instanceof Integer)) {
        return encodeIntegral(only.getKey(), type, ((Number) only.getValue()).longValue());
      }
    }
    TreeMap<String, Object> sorted = new TreeMap<>(values);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 16 * sorted.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT);
      out.writeByte(sorted.size());
      for (Map.Entry<String, Object> entry : sorted.entrySet()) {
        ScalarType type = types.get(entry.getKey());
        if (type == null) {
          throw new IllegalArgumentException("no type for join key '" + entry.getKey() + "'");
        }
        byte[] name = entry.getKey().getBytes(StandardCharsets.UTF_8);
        out.writeShort(name.length);
        out.write(name);
        out.writeByte(ValueTags.of(type));
        writeValue(out, type, entry.getKey(), entry.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** The common case, a single integer key, without the general path's sorting and streams. */
  private static byte[] encodeIntegral(String name, ScalarType type, long value) {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    int width = type == ScalarType.INT64 ? 8 : 4;
    java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(5 + nameBytes.length + width);
    out.put((byte) FORMAT).put((byte) 1).putShort((short) nameBytes.length).put(nameBytes);
    out.put((byte) ValueTags.of(type));
    if (width == 8) {
      out.putLong(value);
    } else {
      out.putInt((int) value);
    }
    return out.array();
  }

  private static void writeValue(DataOutputStream out, ScalarType type, String name, Object value)
      throws IOException {
    try {
      switch (type) {
        case BOOL -> out.writeByte((Boolean) value ? 1 : 0);
        case INT32 -> out.writeInt((Integer) value);
        case INT64 -> out.writeLong((Long) value);
        case TIMESTAMP -> out.writeLong(EpochNanos.of((Instant) value));
        case STRING -> {
          byte[] text = ((String) value).getBytes(StandardCharsets.UTF_8);
          out.writeInt(text.length);
          out.write(text);
        }
        case BYTES -> {
          byte[] raw = (byte[]) value;
          out.writeInt(raw.length);
          out.write(raw);
        }
        default -> throw new IllegalArgumentException(type + " cannot be a join key type");
      }
    } catch (ClassCastException | NullPointerException e) {
      throw new IllegalArgumentException(
          "join key '"
              + name
              + "' needs a "
              + type.yamlName()
              + " value, got "
              + (value == null ? "null" : value.getClass().getSimpleName()),
          e);
    }
  }
}
