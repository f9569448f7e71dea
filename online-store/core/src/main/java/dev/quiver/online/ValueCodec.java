package dev.quiver.online;

import dev.quiver.EpochNanos;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Encodes an online row compactly. Each value is stored under a 32-bit hash of its feature's name
 * with its type tag, so rows stay readable when a view gains, loses or retypes features: a feature
 * a row does not have, or has under another type, reads as absent, never as another feature's
 * bytes.
 *
 * <pre>
 * u8 format (1) | i64 event time | i64 created time (MIN = none) | u16 count
 * | per feature: i32 name hash | u8 type tag (0 = null) | value
 * values as in {@link EntityKeyCodec}, plus float32 4 bytes, float64 8 bytes; a list is a u32
 * count, then per element a u8 presence flag and the value when present
 * </pre>
 *
 * The times sit at fixed offsets (1 and 9), so a store can apply newer-wins without decoding.
 */
public final class ValueCodec {

  static final int FORMAT = 1;
  private static final int HEADER = 1 + 8 + 8 + 2;

  private ValueCodec() {}

  /** The stable 32-bit id of a feature name in encoded rows. */
  public static int nameHash(String name) {
    return NAME_HASHES.computeIfAbsent(name, Feature::nameHash);
  }

  /** Feature names are few and hashed on every row written or read. */
  private static final java.util.concurrent.ConcurrentHashMap<String, Integer> NAME_HASHES =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Checks that no two features of a view share a name hash. Definitions are validated so (see
   * {@link Feature#nameHash}), so a clash here means definitions that skipped validation.
   *
   * @throws IllegalArgumentException naming both when they do
   */
  public static void checkDistinctHashes(List<Feature> features) {
    Map<Integer, String> seen = new HashMap<>();
    for (Feature feature : features) {
      String other = seen.putIfAbsent(nameHash(feature.name()), feature.name());
      if (other != null) {
        throw new IllegalArgumentException(
            "features '" + other + "' and '" + feature.name() + "' have the same name hash");
      }
    }
  }

  /**
   * @param features the view's features, giving each value's type
   * @throws IllegalArgumentException when a value does not match its feature's type
   */
  public static byte[] encode(OnlineRow row, List<Feature> features) {
    return encode(
        row.eventTs(), row.createdTs(), features, i -> row.values().get(features.get(i).name()));
  }

  /**
   * Encodes a row whose values come from {@code valueOf} (feature index to value), without building
   * a map; for writers that hold values in columns.
   */
  public static byte[] encode(
      long eventTs,
      long createdTs,
      List<Feature> features,
      java.util.function.IntFunction<Object> valueOf) {
    Object[] values = new Object[features.size()];
    int size = HEADER;
    for (int i = 0; i < values.length; i++) {
      values[i] = valueOf.apply(i);
      size += 5 + sizeOf(features.get(i).type(), values[i]);
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put((byte) FORMAT).putLong(eventTs).putLong(createdTs);
    out.putShort((short) features.size());
    for (int i = 0; i < values.length; i++) {
      Feature feature = features.get(i);
      Object value = values[i];
      out.putInt(nameHash(feature.name()));
      if (value == null) {
        out.put((byte) ValueTags.NULL);
        continue;
      }
      out.put((byte) ValueTags.of(feature.type()));
      try {
        if (feature.type().list()) {
          List<?> items = (List<?>) value;
          out.putInt(items.size());
          for (Object item : items) {
            out.put((byte) (item == null ? 0 : 1));
            if (item != null) {
              put(out, feature.type().element(), item);
            }
          }
        } else {
          put(out, feature.type().element(), value);
        }
      } catch (ClassCastException e) {
        throw new IllegalArgumentException(
            "feature '"
                + feature.name()
                + "' needs a "
                + feature.type()
                + " value, got "
                + value.getClass().getSimpleName(),
            e);
      }
    }
    return out.array();
  }

  /**
   * Values of one row held in typed columns, read without boxing. Indexes are feature positions.
   * Text and bytes come as their raw bytes; timestamps as UTC nanoseconds.
   */
  public interface ValueSource {
    boolean isNull(int feature);

    boolean getBool(int feature);

    int getInt(int feature);

    long getLong(int feature);

    float getFloat(int feature);

    double getDouble(int feature);

    /** The UTF-8 bytes of a string, or the bytes of a bytes value. */
    byte[] getBytes(int feature);

    /** A list value, boxed as {@link #encode(OnlineRow, List)} takes it. */
    List<?> getList(int feature);
  }

  /** An encoder of rows of {@code features} from typed columns. */
  public static ColumnEncoder columnEncoder(List<Feature> features) {
    return new ColumnEncoder(features);
  }

  /**
   * Encodes rows straight from typed columns: the same bytes as {@link #encode(OnlineRow, List)},
   * with the feature-name hashes computed once (the profile of a materialization showed looking
   * them up per row at an eighth of the time).
   */
  public static final class ColumnEncoder {
    private final List<Feature> features;
    private final int[] nameHashes;

    private ColumnEncoder(List<Feature> features) {
      this.features = List.copyOf(features);
      this.nameHashes = new int[features.size()];
      for (int i = 0; i < nameHashes.length; i++) {
        nameHashes[i] = nameHash(features.get(i).name());
      }
    }

    public byte[] encode(long eventTs, long createdTs, ValueSource source) {
      int count = features.size();
      byte[][] variable = new byte[count][];
      List<?>[] lists = new List<?>[count];
      int size = HEADER;
      for (int i = 0; i < count; i++) {
        size += 5;
        if (source.isNull(i)) {
          continue;
        }
        ValueType type = features.get(i).type();
        if (type.list()) {
          lists[i] = source.getList(i);
          size += sizeOf(type, lists[i]);
          continue;
        }
        switch (type.element()) {
          case BOOL -> size += 1;
          case INT32, FLOAT32 -> size += 4;
          case INT64, FLOAT64, TIMESTAMP -> size += 8;
          case STRING, BYTES -> {
            variable[i] = source.getBytes(i);
            size += 4 + variable[i].length;
          }
        }
      }
      ByteBuffer out = ByteBuffer.allocate(size);
      out.put((byte) FORMAT).putLong(eventTs).putLong(createdTs).putShort((short) count);
      for (int i = 0; i < count; i++) {
        Feature feature = features.get(i);
        out.putInt(nameHashes[i]);
        if (source.isNull(i)) {
          out.put((byte) ValueTags.NULL);
          continue;
        }
        out.put((byte) ValueTags.of(feature.type()));
        if (lists[i] != null) {
          out.putInt(lists[i].size());
          for (Object item : lists[i]) {
            out.put((byte) (item == null ? 0 : 1));
            if (item != null) {
              put(out, feature.type().element(), item);
            }
          }
          continue;
        }
        switch (feature.type().element()) {
          case BOOL -> out.put((byte) (source.getBool(i) ? 1 : 0));
          case INT32 -> out.putInt(source.getInt(i));
          case INT64, TIMESTAMP -> out.putLong(source.getLong(i));
          case FLOAT32 -> out.putFloat(source.getFloat(i));
          case FLOAT64 -> out.putDouble(source.getDouble(i));
          case STRING, BYTES -> out.putInt(variable[i].length).put(variable[i]);
        }
      }
      return out.array();
    }
  }

  public static long eventTs(byte[] encoded) {
    return ByteBuffer.wrap(encoded, 1, 8).getLong();
  }

  public static long createdTs(byte[] encoded) {
    return ByteBuffer.wrap(encoded, 9, 8).getLong();
  }

  /**
   * Whether a write of {@code candidate} replaces {@code stored}: when it is newer, or when it has
   * the same times but another set of features (the view gained or lost one since the stored row
   * was written; re-materializing must fill the new feature in). Never moves a value back in time.
   */
  public static boolean replaces(byte[] candidate, byte[] stored) {
    if (isNewer(candidate, stored)) {
      return true;
    }
    return eventTs(candidate) == eventTs(stored)
        && createdTs(candidate) == createdTs(stored)
        && !featureHashes(candidate).equals(featureHashes(stored));
  }

  private static java.util.Set<Integer> featureHashes(byte[] encoded) {
    return decode(encoded).hashSet();
  }

  /** Whether encoded row {@code candidate} is newer than {@code stored}: later (event, created). */
  public static boolean isNewer(byte[] candidate, byte[] stored) {
    long event = eventTs(candidate);
    long storedEvent = eventTs(stored);
    return event > storedEvent || event == storedEvent && createdTs(candidate) > createdTs(stored);
  }

  /**
   * A decoded row's features: present (value possibly null) or absent. Held in arrays in stored
   * order, not maps: two boxed-key hash maps per row were most of a lookup's allocation, and a
   * row's features are few and usually asked for in the order they were written.
   */
  public static final class Decoded {
    private final long eventTs;
    private final long createdTs;
    private final int[] hashes;
    private final int[] tags;
    private final Object[] values;

    /** Where the next lookup starts: after the last one found. */
    private int next;

    private Decoded(long eventTs, long createdTs, int[] hashes, int[] tags, Object[] values) {
      this.eventTs = eventTs;
      this.createdTs = createdTs;
      this.hashes = hashes;
      this.tags = tags;
      this.values = values;
    }

    public long eventTs() {
      return eventTs;
    }

    public long createdTs() {
      return createdTs;
    }

    /**
     * The feature's value: empty when the row does not hold the feature as this type; a present
     * optional holding null for a null value.
     */
    public Optional<Optional<Object>> value(Feature feature) {
      int at = indexOf(nameHash(feature.name()));
      if (at < 0) {
        return Optional.empty();
      }
      int tag = tags[at];
      if (tag == ValueTags.NULL) {
        return Optional.of(Optional.empty());
      }
      if (tag != ValueTags.of(feature.type())) {
        return Optional.empty();
      }
      return Optional.of(Optional.of(values[at]));
    }

    /** The position of a name hash, searched from the one after the last found; -1 if absent. */
    private int indexOf(int hash) {
      int count = hashes.length;
      int start = next < count ? next : 0;
      for (int i = 0; i < count; i++) {
        int at = start + i < count ? start + i : start + i - count;
        if (hashes[at] == hash) {
          next = at + 1;
          return at;
        }
      }
      return -1;
    }

    java.util.Set<Integer> hashSet() {
      java.util.Set<Integer> set = new java.util.HashSet<>(hashes.length * 2);
      for (int hash : hashes) {
        set.add(hash);
      }
      return set;
    }
  }

  public static Decoded decode(byte[] encoded) {
    ByteBuffer in = ByteBuffer.wrap(encoded);
    int format = in.get();
    if (format != FORMAT) {
      throw new OnlineStoreException("Cannot read an online row of format " + format);
    }
    long eventTs = in.getLong();
    long createdTs = in.getLong();
    int count = in.getShort() & 0xFFFF;
    int[] hashes = new int[count];
    int[] tags = new int[count];
    Object[] values = new Object[count];
    for (int i = 0; i < count; i++) {
      int hash = in.getInt();
      int tag = in.get() & 0xFF;
      hashes[i] = hash;
      tags[i] = tag;
      if (tag == ValueTags.NULL) {
        continue;
      }
      if ((tag & ValueTags.LIST) != 0) {
        int size = in.getInt();
        List<Object> items = new ArrayList<>(size);
        for (int j = 0; j < size; j++) {
          items.add(in.get() == 0 ? null : get(in, tag & ~ValueTags.LIST));
        }
        values[i] = items;
      } else {
        values[i] = get(in, tag);
      }
    }
    return new Decoded(eventTs, createdTs, hashes, tags, values);
  }

  private static int sizeOf(ValueType type, Object value) {
    if (value == null) {
      return 0;
    }
    if (type.list()) {
      int size = 4;
      for (Object item : (List<?>) value) {
        size += 1 + (item == null ? 0 : scalarSize(type.element(), item));
      }
      return size;
    }
    return scalarSize(type.element(), value);
  }

  private static int scalarSize(ScalarType type, Object value) {
    return switch (type) {
      case BOOL -> 1;
      case INT32, FLOAT32 -> 4;
      case INT64, FLOAT64, TIMESTAMP -> 8;
      case STRING -> 4 + ((String) value).getBytes(StandardCharsets.UTF_8).length;
      case BYTES -> 4 + ((byte[]) value).length;
    };
  }

  private static void put(ByteBuffer out, ScalarType type, Object value) {
    switch (type) {
      case BOOL -> out.put((byte) ((Boolean) value ? 1 : 0));
      case INT32 -> out.putInt((Integer) value);
      case INT64 -> out.putLong((Long) value);
      case FLOAT32 -> out.putFloat((Float) value);
      case FLOAT64 -> out.putDouble((Double) value);
      case TIMESTAMP -> out.putLong(EpochNanos.of((Instant) value));
      case STRING -> {
        byte[] text = ((String) value).getBytes(StandardCharsets.UTF_8);
        out.putInt(text.length).put(text);
      }
      case BYTES -> {
        byte[] raw = (byte[]) value;
        out.putInt(raw.length).put(raw);
      }
    }
  }

  private static Object get(ByteBuffer in, int tag) {
    return switch (tag) {
      case 1 -> in.get() != 0;
      case 2 -> in.getInt();
      case 3 -> in.getLong();
      case 4 -> in.getFloat();
      case 5 -> in.getDouble();
      case 6 -> {
        byte[] text = new byte[in.getInt()];
        in.get(text);
        yield new String(text, StandardCharsets.UTF_8);
      }
      case 7 -> {
        byte[] raw = new byte[in.getInt()];
        in.get(raw);
        yield raw;
      }
      case 8 -> EpochNanos.toInstant(in.getLong());
      default -> throw new OnlineStoreException("Cannot read an online value with type tag " + tag);
    };
  }
}
