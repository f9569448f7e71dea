package dev.quiver.offline.io;

import dev.quiver.EpochNanos;
import dev.quiver.Excerpt;
import dev.quiver.OutputException;
import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.ArrowValues;
import dev.quiver.offline.parquet.SourceFiles;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Rows appended to a Parquet source's folder, each append one new file, so that training reads what
 * pushes and stream ingestion wrote online. A file is written under a hidden name ({@code .}
 * prefix, which source readers skip), forced to disk and then linked into place under its final
 * name only if that name is free: an append of a name already logged (a replayed stream range, a
 * retried write) writes nothing.
 *
 * <p>Columns are the source's: feature and join-key names mapped back through its {@code
 * field_mapping}, its {@code timestamp_field} as UTC nanoseconds ({@code TIMESTAMP(NANOS, true)},
 * so an event time keeps every digit the online store keeps), and its {@code
 * created_timestamp_field} when it declares one.
 */
public final class OfflineLog {

  private static final DateTimeFormatter PUSH_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSSSSSSSS").withZone(ZoneOffset.UTC);

  private OfflineLog() {}

  /**
   * The folder the source's {@code path} names, relative to {@code repoRoot}, created when missing.
   *
   * @throws InvalidRequestException when the path is a single file or a glob, which cannot take new
   *     files
   * @throws OutputException when the folder cannot be created
   */
  public static Path directoryOf(ParquetSource source, Path repoRoot) {
    String path = source.path();
    Path resolved = repoRoot.resolve(path).normalize();
    String problem =
        SourceFiles.isGlob(path)
            ? "is a glob"
            : Files.isRegularFile(resolved)
                    || (!Files.exists(resolved) && path.endsWith(".parquet"))
                ? "names a single file"
                : null;
    if (problem != null) {
      throw new InvalidRequestException(
          "Cannot append rows to source '"
              + source.name()
              + "': its path '"
              + path
              + "' "
              + problem
              + "; appends need a directory: set path to the folder holding its Parquet files");
    }
    try {
      return Files.createDirectories(resolved);
    } catch (IOException e) {
      throw new OutputException(
          "Cannot append rows to source '"
              + source.name()
              + "': its folder "
              + resolved
              + " cannot be created ("
              + e
              + ")",
          e);
    }
  }

  /**
   * The columns a logged file of {@code source} must have, by feature or join-key name: the join
   * keys and source columns of every view reading it ({@link FeatureView#sourceColumns}), in
   * definition order. A reader fails on a file that lacks a column a view reads, so a file written
   * for one view carries the other views' columns too (null where its writer has no value).
   *
   * @throws InvalidRequestException when two views read one column as different types
   */
  public static Map<String, ValueType> columnsOf(Definitions definitions, ParquetSource source) {
    Map<String, ValueType> columns = new LinkedHashMap<>();
    for (FeatureView view : definitions.featureViews()) {
      if (!definitions.sourceOf(view).name().equals(source.name())) {
        continue;
      }
      Map<String, ValueType> read = new LinkedHashMap<>();
      definitions.entitiesOf(view).forEach(e -> read.put(e.joinKey(), ValueType.scalar(e.type())));
      view.sourceColumns().forEach(f -> read.put(f.name(), f.type()));
      for (Map.Entry<String, ValueType> column : read.entrySet()) {
        ValueType before = columns.putIfAbsent(column.getKey(), column.getValue());
        if (before != null && !before.equals(column.getValue())) {
          throw new InvalidRequestException(
              "Cannot append rows to source '"
                  + source.name()
                  + "': its views read '"
                  + column.getKey()
                  + "' as "
                  + before
                  + " and as "
                  + column.getValue()
                  + " (feature view '"
                  + view.name()
                  + "'); declare one type");
        }
      }
    }
    return columns;
  }

  /**
   * The Arrow schema of a logged file: one column per entry of {@code columns} (feature or join-key
   * name to its type, in the map's order) under the source's column name, then the timestamp column
   * and, when the source declares one, the created-timestamp column.
   *
   * @throws InvalidRequestException when two columns would share a name in the source
   */
  public static Schema schema(ParquetSource source, Map<String, ValueType> columns) {
    List<Field> fields = new ArrayList<>();
    Map<String, String> taken = new LinkedHashMap<>();
    for (Map.Entry<String, ValueType> column : columns.entrySet()) {
      String name = source.columnFor(column.getKey());
      claim(source, taken, name, column.getKey());
      fields.add(ArrowTypes.field(name, column.getValue()));
    }
    ValueType timestamp = ValueType.scalar(ScalarType.TIMESTAMP);
    claim(source, taken, source.timestampField(), "timestamp_field");
    fields.add(ArrowTypes.field(source.timestampField(), timestamp));
    if (source.createdTimestampField() != null) {
      claim(source, taken, source.createdTimestampField(), "created_timestamp_field");
      fields.add(ArrowTypes.field(source.createdTimestampField(), timestamp));
    }
    return new Schema(fields);
  }

  private static void claim(
      ParquetSource source, Map<String, String> taken, String column, String what) {
    String before = taken.putIfAbsent(column, what);
    if (before != null) {
      throw new InvalidRequestException(
          "Cannot append rows to source '"
              + source.name()
              + "': "
              + before
              + " and "
              + what
              + " are both its column '"
              + column
              + "'");
    }
  }

  /**
   * Writes {@code rows} as the file {@code fileName} in {@code directory}, atomically, unless a
   * file of that name is already there.
   *
   * @param fileName a {@code .parquet} name not starting with {@code .} or {@code _} (readers would
   *     skip it)
   * @return false when the file already existed (nothing was written)
   * @throws OutputException when the file cannot be written
   */
  public static boolean write(
      Path directory, String fileName, VectorSchemaRoot rows, BufferAllocator allocator) {
    if (!fileName.endsWith(".parquet")
        || fileName.startsWith(".")
        || fileName.startsWith("_")
        || fileName.contains("/")) {
      throw new IllegalArgumentException(
          "A logged file's name must end in .parquet and not start with . or _: " + fileName);
    }
    Path target = directory.resolve(fileName);
    if (Files.exists(target)) {
      return false;
    }
    try (PendingFile output = PendingFile.beside(target)) {
      TrainingSetFiles.write(rows, output, allocator);
      return output.commitIfAbsent();
    }
  }

  /**
   * The name of a pushed file: {@code push-<UTC time to the nanosecond>-<8 hex digits>.parquet}.
   */
  public static String pushFileName(Instant receivedAt) {
    return "push-"
        + PUSH_TIME.format(receivedAt)
        + "-"
        + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt())
        + ".parquet";
  }

  /**
   * The name of a stream's logged offsets, {@code stream-<topic>-<partition, 5 digits>-<first
   * offset, 20 digits>-<last, 20 digits>.parquet}: path order is offset order within a partition,
   * and a replayed range has the same name.
   */
  public static String streamFileName(String topic, int partition, long first, long last) {
    if (partition < 0 || partition > 99_999 || first < 0 || last < first) {
      throw new IllegalArgumentException(
          "No stream file for partition " + partition + ", offsets " + first + " to " + last);
    }
    return "stream-%s-%05d-%020d-%020d.parquet".formatted(topic, partition, first, last);
  }

  /** What a stream file's name says: its partition and the first and last offsets it holds. */
  public record StreamRange(int partition, long firstOffset, long lastOffset) {}

  /** The range a file of {@code topic} covers, or empty when the name is not such a file's. */
  public static Optional<StreamRange> streamRange(String topic, String fileName) {
    String prefix = "stream-" + topic + "-";
    if (!fileName.startsWith(prefix)) {
      return Optional.empty();
    }
    Matcher m = STREAM_SUFFIX.matcher(fileName.substring(prefix.length()));
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new StreamRange(
              Integer.parseInt(m.group(1)),
              Long.parseLong(m.group(2)),
              Long.parseLong(m.group(3))));
    } catch (NumberFormatException e) {
      // 20 digits can exceed a long.
      return Optional.empty();
    }
  }

  private static final Pattern STREAM_SUFFIX =
      Pattern.compile("(\\d{5})-(\\d{20})-(\\d{20})\\.parquet");

  /**
   * The highest offset of {@code topic}'s {@code partition} logged in {@code directory} (its
   * committed files only), or empty when none is.
   *
   * @throws OutputException when the folder cannot be listed
   */
  public static OptionalLong lastLoggedOffset(Path directory, String topic, int partition) {
    if (!Files.isDirectory(directory)) {
      return OptionalLong.empty();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .map(f -> streamRange(topic, f.getFileName().toString()))
          .flatMap(Optional::stream)
          .filter(r -> r.partition() == partition)
          .mapToLong(StreamRange::lastOffset)
          .max();
    } catch (IOException e) {
      throw new OutputException("Cannot list the logged files in " + directory + ": " + e, e);
    }
  }

  /**
   * Rows gathered in Arrow vectors for one logged file. Values are the Java objects of online rows:
   * Long (int64), Integer (int32), Double, Float, Boolean, String, byte[], Instant (timestamp),
   * List of those (lists), or null. The rows are held until {@link #close}; a batch is what its
   * caller gathers, so the caller bounds its size.
   */
  public static final class Batch implements AutoCloseable {
    private final ParquetSource source;
    private final List<String> names;
    private final List<ValueType> types;
    private final VectorSchemaRoot root;
    private final BufferAllocator allocator;
    private int rows;

    /**
     * @param columns feature or join-key name to type, as for {@link OfflineLog#schema}
     */
    public Batch(ParquetSource source, Map<String, ValueType> columns, BufferAllocator allocator) {
      this.source = source;
      this.names = List.copyOf(columns.keySet());
      this.types = List.copyOf(columns.values());
      this.allocator = allocator;
      this.root = VectorSchemaRoot.create(schema(source, columns), allocator);
      root.allocateNew();
    }

    /** Adds a row without a created time (null in the created column, if the source has one). */
    public void add(long eventNanos, Map<String, ?> values) {
      add(eventNanos, null, values);
    }

    /**
     * Adds a row; names of {@code values} missing from the batch's columns are null.
     *
     * @param createdNanos the created time, written when the source has a created column; may be
     *     null
     * @throws InvalidRequestException for a value of another type than its column's (the batch is
     *     unchanged), or a name that is not one of its columns
     */
    public void add(long eventNanos, Long createdNanos, Map<String, ?> values) {
      for (String name : values.keySet()) {
        if (!names.contains(name)) {
          throw new InvalidRequestException(
              "Cannot log a row to source '"
                  + source.name()
                  + "': it has no column for '"
                  + Excerpt.of(name)
                  + "'; the columns are "
                  + String.join(", ", names));
        }
      }
      for (int c = 0; c < names.size(); c++) {
        Object value = values.get(names.get(c));
        if (value != null && !fits(types.get(c), value)) {
          throw new InvalidRequestException(
              "Cannot log a row to source '"
                  + source.name()
                  + "': '"
                  + names.get(c)
                  + "' is "
                  + types.get(c)
                  + ", not "
                  + value.getClass().getSimpleName()
                  + " ("
                  + Excerpt.of(value)
                  + ")");
        }
      }
      List<FieldVector> vectors = root.getFieldVectors();
      for (int c = 0; c < names.size(); c++) {
        ArrowValues.write(vectors.get(c), types.get(c), rows, values.get(names.get(c)));
      }
      ((TimeStampVector) vectors.get(names.size())).setSafe(rows, eventNanos);
      if (source.createdTimestampField() != null) {
        TimeStampVector created = (TimeStampVector) vectors.get(names.size() + 1);
        if (createdNanos == null) {
          created.setNull(rows);
        } else {
          created.setSafe(rows, createdNanos);
        }
      }
      rows++;
      root.setRowCount(rows);
    }

    public int rows() {
      return rows;
    }

    /**
     * Writes the rows as {@code fileName} in {@code directory} ({@link OfflineLog#write}).
     *
     * @return false when that file already existed (nothing was written)
     */
    public boolean writeTo(Path directory, String fileName) {
      return write(directory, fileName, root, allocator);
    }

    @Override
    public void close() {
      root.close();
    }

    private static boolean fits(ValueType type, Object value) {
      if (!type.list()) {
        return fits(type.element(), value);
      }
      if (!(value instanceof List<?> items)) {
        return false;
      }
      for (Object item : items) {
        if (item != null && !fits(type.element(), item)) {
          return false;
        }
      }
      return true;
    }

    private static boolean fits(ScalarType type, Object value) {
      return switch (type) {
        case BOOL -> value instanceof Boolean;
        case INT32 -> value instanceof Integer;
        case INT64 -> value instanceof Long;
        case FLOAT32 -> value instanceof Float;
        case FLOAT64 -> value instanceof Double;
        case STRING -> value instanceof String;
        case BYTES -> value instanceof byte[];
        case TIMESTAMP -> value instanceof Instant instant && EpochNanos.holds(instant);
      };
    }
  }
}
