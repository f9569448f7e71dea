package dev.quiver.offline.io;

import dev.quiver.EpochNanos;
import dev.quiver.QuiverException;
import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.SourceDataException;
import dev.quiver.offline.join.EntityTable;
import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.parquet.ParquetField;
import dev.quiver.offline.parquet.ParquetTableReader;
import dev.quiver.offline.parquet.ReadChecksum;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.parquet.schema.Type;

/**
 * Reads entity rows from a Parquet or CSV file (chosen by extension) into Arrow.
 *
 * <p>Parquet columns keep their types. CSV has none, so the join keys a request needs are parsed as
 * their entities' types, {@code event_timestamp} as an ISO-8601 instant (with {@code Z} or an
 * offset; without one it is UTC), and every other column stays text. An empty CSV cell is null.
 */
public final class EntityFiles {

  private EntityFiles() {}

  /** Entity rows and the fingerprint of the file they came from. */
  public record Loaded(VectorSchemaRoot root, FileRead read) {}

  /**
   * The entity file is the request's: everything wrong with it is the caller's to fix.
   *
   * @param keyTypes the declared type of each join key the request needs (for CSV)
   * @throws InvalidRequestException for a missing or unreadable file, an unknown extension, a file
   *     that is not Parquet or CSV, or a value that does not parse
   */
  public static Loaded read(
      Path file, Map<String, ScalarType> keyTypes, BufferAllocator allocator) {
    if (!Files.isRegularFile(file)) {
      throw noFile(file);
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".parquet")) {
      return readParquet(file, allocator);
    }
    if (name.endsWith(".csv")) {
      return readCsv(file, keyTypes, allocator);
    }
    throw new InvalidRequestException(
        "Cannot read entity rows from " + file + ": use a .parquet or a .csv file");
  }

  private static InvalidRequestException noFile(Path file) {
    return new InvalidRequestException("Cannot read entity rows: there is no file " + file);
  }

  /**
   * About the most memory {@link #read} takes for {@code file}, known before reading it: for
   * Parquet, from its footer (every row group decoded, and the largest once more while it is
   * appended); for CSV, twice the file's size. 0 for a file it cannot size (reading it will say
   * why).
   */
  public static long estimateBytes(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    try {
      if (name.endsWith(".csv")) {
        return 2 * Files.size(file);
      }
      if (name.endsWith(".parquet")) {
        try (ParquetTableReader reader = ParquetTableReader.open(file)) {
          long total = 0;
          long largest = 0;
          for (var group : reader.rowGroups()) {
            long bytes = 0;
            for (var column : group.getColumns()) {
              bytes += Math.max(column.getTotalUncompressedSize(), group.getRowCount() * 8);
            }
            total += bytes;
            largest = Math.max(largest, bytes);
          }
          return total + largest;
        }
      }
    } catch (IOException | QuiverException e) {
      // Reading the file reports it.
    }
    return 0;
  }

  private static Loaded readParquet(Path file, BufferAllocator allocator) {
    try {
      return readParquetFile(file, allocator);
    } catch (SourceDataException e) {
      // The reader speaks of sources; this file is the request's.
      throw new InvalidRequestException(e.getMessage(), e);
    }
  }

  private static Loaded readParquetFile(Path file, BufferAllocator allocator) {
    try (ParquetTableReader reader = ParquetTableReader.open(file)) {
      List<ColumnSpec> columns = new ArrayList<>();
      for (Type field : reader.schema().getFields()) {
        Optional<ValueType> type =
            ParquetField.find(reader.schema(), field.getName()).flatMap(ParquetField::naturalType);
        if (type.isEmpty()) {
          throw new InvalidRequestException(
              "Cannot read entity rows from "
                  + file
                  + ": column '"
                  + field.getName()
                  + "' has a type Quiver does not read ("
                  + field
                  + ")");
        }
        columns.add(new ColumnSpec(field.getName(), field.getName(), type.get()));
      }
      List<ParquetField> fields = reader.resolve(columns, "entity rows");
      ReadChecksum checksum = new ReadChecksum(file, reader.rowGroups().size());
      VectorSchemaRoot all = emptyRoot(columns, allocator);
      try {
        for (int g = 0; g < reader.rowGroups().size(); g++) {
          if (reader.rowGroups().get(g).getRowCount() == 0) {
            continue; // writers of empty tables leave one; parquet-mr refuses to read it
          }
          ParquetTableReader.RowGroup group = reader.read(g, columns, fields, allocator);
          try (VectorSchemaRoot root = group.root()) {
            checksum.add(reader, g, group);
            VectorSchemaRootAppender.append(all, root);
          }
        }
      } catch (RuntimeException e) {
        all.close();
        throw e;
      }
      return new Loaded(all, checksum.result());
    }
  }

  private static VectorSchemaRoot emptyRoot(List<ColumnSpec> columns, BufferAllocator allocator) {
    List<FieldVector> vectors = new ArrayList<>();
    for (ColumnSpec column : columns) {
      FieldVector vector = ArrowTypes.field(column.name(), column.type()).createVector(allocator);
      vector.allocateNew();
      vectors.add(vector);
    }
    VectorSchemaRoot root = new VectorSchemaRoot(vectors);
    root.setRowCount(0);
    return root;
  }

  private static Loaded readCsv(
      Path file, Map<String, ScalarType> keyTypes, BufferAllocator allocator) {
    CRC32C checksum = new CRC32C();
    List<FieldVector> vectors = new ArrayList<>();
    try (CheckedInputStream in = new CheckedInputStream(Files.newInputStream(file), checksum);
        BufferedReader text =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        CSVParser parser =
            CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(text)) {
      List<String> header = parser.getHeaderNames();
      if (!header.contains(EntityTable.DEFAULT_TIMESTAMP_COLUMN)) {
        throw new InvalidRequestException(
            "Cannot read entity rows from "
                + file
                + ": a CSV file needs an '"
                + EntityTable.DEFAULT_TIMESTAMP_COLUMN
                + "' column (found: "
                + String.join(", ", header)
                + ")");
      }
      List<ScalarType> types = new ArrayList<>();
      for (String column : header) {
        ScalarType type =
            column.equals(EntityTable.DEFAULT_TIMESTAMP_COLUMN)
                ? ScalarType.TIMESTAMP
                : keyTypes.getOrDefault(column, ScalarType.STRING);
        types.add(type);
        FieldVector vector =
            ArrowTypes.field(column, ValueType.scalar(type)).createVector(allocator);
        vector.allocateNew();
        vectors.add(vector);
      }
      int row = 0;
      for (CSVRecord record : parser) {
        if (record.size() != header.size()) {
          throw new InvalidRequestException(
              "Cannot read entity rows from "
                  + file
                  + ": line "
                  + parser.getCurrentLineNumber()
                  + " has "
                  + record.size()
                  + " values, the header "
                  + header.size());
        }
        for (int c = 0; c < header.size(); c++) {
          String value = record.get(c);
          if (!value.isEmpty()) {
            try {
              set(vectors.get(c), types.get(c), row, value);
            } catch (IllegalArgumentException | DateTimeParseException | ArithmeticException e) {
              throw new InvalidRequestException(
                  "Cannot read entity rows from "
                      + file
                      + ": line "
                      + parser.getCurrentLineNumber()
                      + ", column '"
                      + header.get(c)
                      + "': '"
                      + value
                      + "' is not a valid "
                      + types.get(c).yamlName()
                      + (types.get(c) == ScalarType.TIMESTAMP
                          ? " (write ISO-8601, e.g. 2026-03-02T05:00:00Z)"
                          : ""),
                  e);
            }
          }
        }
        row++;
      }
      VectorSchemaRoot root = new VectorSchemaRoot(vectors);
      root.setRowCount(row);
      long size = Files.size(file);
      return new Loaded(
          root,
          new FileRead(
              file,
              size,
              Files.getLastModifiedTime(file).toInstant(),
              checksum.getValue(),
              size,
              row));
    } catch (NoSuchFileException e) {
      vectors.forEach(FieldVector::close);
      throw noFile(file);
    } catch (IOException | UncheckedIOException e) {
      // Commons CSV reports a failed read while iterating as UncheckedIOException.
      vectors.forEach(FieldVector::close);
      Throwable io = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e;
      throw new InvalidRequestException(
          "Cannot read entity rows from " + file + ": " + io.getMessage(), io);
    } catch (RuntimeException e) {
      vectors.forEach(FieldVector::close);
      throw e;
    }
  }

  private static void set(FieldVector vector, ScalarType type, int row, String value) {
    switch (type) {
      case BOOL -> ((BitVector) vector).setSafe(row, parseBool(value) ? 1 : 0);
      case INT32 -> ((IntVector) vector).setSafe(row, Integer.parseInt(value.strip()));
      case INT64 -> ((BigIntVector) vector).setSafe(row, Long.parseLong(value.strip()));
      case STRING -> ((VarCharVector) vector).setSafe(row, value.getBytes(StandardCharsets.UTF_8));
      case BYTES ->
          ((VarBinaryVector) vector).setSafe(row, Base64.getDecoder().decode(value.strip()));
      case TIMESTAMP ->
          ((TimeStampNanoTZVector) vector).setSafe(row, EpochNanos.of(parseInstant(value)));
      default -> throw new IllegalArgumentException("not a join key type: " + type);
    }
  }

  private static boolean parseBool(String value) {
    return switch (value.strip().toLowerCase(Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw new IllegalArgumentException("not a boolean: " + value);
    };
  }

  /** ISO-8601 with {@code Z} or an offset; without one (or with a space for T), UTC. */
  public static Instant parseInstant(String text) {
    String t = text.strip().replace(' ', 'T');
    try {
      return OffsetDateTime.parse(t).toInstant();
    } catch (DateTimeParseException withoutOffset) {
      return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    }
  }
}
