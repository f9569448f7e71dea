package dev.quiver.offline.testing;

import dev.quiver.offline.parquet.Timestamps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Writes small Parquet files for tests from rows of plain values. Timestamps are given as
 * nanoseconds and stored in whatever unit the schema declares (millis, micros, nanos or INT96);
 * lists are Java lists written in the standard three-level layout.
 */
public final class ParquetFixtures {

  private ParquetFixtures() {}

  /** A value written exactly as given, in the column's own unit (to store the unrepresentable). */
  public record Raw(long value) {}

  /**
   * @param schema Parquet's text form, e.g. {@code message m { required int64 id; }}
   * @param rows column name to value; absent or null means null
   * @param rowGroupRows rows per row group (0 for the writer's default)
   */
  public static Path write(
      Path file, String schema, List<Map<String, Object>> rows, int rowGroupRows) {
    MessageType type = MessageTypeParser.parseMessageType(schema);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.deleteIfExists(file);
      ExampleParquetWriter.Builder builder =
          ExampleParquetWriter.builder(new LocalOutputFile(file))
              .withType(type)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE);
      if (rowGroupRows > 0) {
        builder.withRowGroupRowCountLimit(rowGroupRows);
      }
      try (ParquetWriter<Group> writer = builder.build()) {
        SimpleGroupFactory groups = new SimpleGroupFactory(type);
        for (Map<String, Object> row : rows) {
          Group group = groups.newGroup();
          for (Type field : type.getFields()) {
            Object value = row.get(field.getName());
            if (value != null) {
              append(group, field, value);
            }
          }
          writer.write(group);
        }
      }
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void append(Group group, Type field, Object value) {
    if (!field.isPrimitive()) {
      // LIST: group (LIST) { repeated group list { optional <T> element; } }
      Group list = group.addGroup(field.getName());
      Type element = field.asGroupType().getType(0).asGroupType().getType(0);
      for (Object item : (List<?>) value) {
        Group entry = list.addGroup(0);
        if (item != null) {
          appendPrimitive(entry, element.asPrimitiveType(), element.getName(), item);
        }
      }
      return;
    }
    appendPrimitive(group, field.asPrimitiveType(), field.getName(), value);
  }

  private static void appendPrimitive(Group group, PrimitiveType type, String name, Object value) {
    LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
    switch (type.getPrimitiveTypeName()) {
      case BOOLEAN -> group.append(name, (Boolean) value);
      case INT32 -> group.append(name, ((Number) value).intValue());
      case INT64 -> {
        if (value instanceof Raw raw) {
          group.append(name, raw.value());
          return;
        }
        long v = ((Number) value).longValue();
        if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation t) {
          v = Math.floorDiv(v, Timestamps.nanosPerUnit(t.getUnit()));
        }
        group.append(name, v);
      }
      case INT96 -> group.append(name, Timestamps.nanosToInt96(((Number) value).longValue()));
      case FLOAT -> group.append(name, ((Number) value).floatValue());
      case DOUBLE -> group.append(name, ((Number) value).doubleValue());
      case BINARY, FIXED_LEN_BYTE_ARRAY ->
          group.append(
              name,
              value instanceof byte[] bytes
                  ? Binary.fromConstantByteArray(bytes)
                  : Binary.fromString(value.toString()));
    }
  }
}
