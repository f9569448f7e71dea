package dev.quiver.offline.io;

import dev.quiver.EpochNanos;
import dev.quiver.QuiverException;
import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.SourceDataException;
import dev.quiver.offline.TimestampColumns;
import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.parquet.ParquetField;
import dev.quiver.offline.parquet.ParquetTableReader;
import dev.quiver.offline.parquet.ReadChecksum;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.registry.load.Suggestions;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Feature;
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
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
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
 * <p>Parquet columns keep their types, timestamps their unit and zone flag. CSV has none: the join
 * keys a request needs are parsed as their entities' types, the timestamp column ({@code
 * event_timestamp} unless named) as ISO-8601 instants (with {@code Z} or an offset; without one,
 * UTC), columns given a type as that type, and every other column as the type its values show
 * ({@link CsvTypeInference}: bool, int64, float64, timestamp, else string). An empty or blank CSV
 * cell is null, whatever the column's type.
 */
public final class EntityFiles {

  private EntityFiles() {}

  /**
   * Entity rows and the fingerprint of the file they came from.
   *
   * @param csvColumnTypes the type each column of a CSV file was read as, in the file's order; null
   *     for Parquet, whose columns carry their types
   */
  public record Loaded(
      VectorSchemaRoot root, FileRead read, Map<String, ScalarType> csvColumnTypes) {}

  /**
   * The entity file is the request's: everything wrong with it is the caller's to fix.
   *
   * @param keyTypes the declared type of each join key the request needs (for CSV)
   * @throws InvalidRequestException for a missing or unreadable file, an unknown extension, a file
   *     that is not Parquet or CSV, or a value that does not parse
   */
  public static Loaded read(
      Path file, Map<String, ScalarType> keyTypes, BufferAllocator allocator) {
    return read(file, keyTypes, EntityColumns.defaults(), allocator);
  }

  /**
   * As {@link #read(Path, Map, BufferAllocator)}, with the timestamp column and CSV column types
   * the caller gives.
   *
   * @throws InvalidRequestException as there, or when a CSV file lacks the timestamp column or a
   *     column given a type
   */
  public static Loaded read(
      Path file,
      Map<String, ScalarType> keyTypes,
      EntityColumns columns,
      BufferAllocator allocator) {
    if (!Files.isRegularFile(file)) {
      throw noFile(file);
    }
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".parquet")) {
      return readParquet(file, allocator);
    }
    if (name.endsWith(".csv")) {
      return readCsv(file, keyTypes, columns, allocator);
    }
    throw new InvalidRequestException(
        "Cannot read entity rows from " + file + ": use a .parquet or a .csv file");
  }

  /**
   * The types the CSV columns a selection reads are given (the {@code keyTypes} of {@link #read}):
   * its join keys as their entities', and the request fields of its on-demand views as the fields'
   * (so that {@code 100} in a float64 field's column is read as a float64, not inferred as an
   * int64). List-typed request fields are left to inference.
   */
  public static Map<String, ScalarType> columnTypes(
      FeatureSelection selection, Definitions definitions) {
    Map<String, ScalarType> types = new LinkedHashMap<>(selection.joinKeyTypes(definitions));
    for (FeatureSelection.Computed computed : selection.computed()) {
      for (Feature field : computed.view().request()) {
        if (!field.type().list()) {
          types.putIfAbsent(field.name(), field.type().element());
        }
      }
    }
    return types;
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
        return new Loaded(storedTimestamps(all, columns, fields), checksum.result(), null);
      } catch (RuntimeException e) {
        all.close();
        throw e;
      }
    }
  }

  /** The rows with every timestamp column back in the unit and zone the file stores it in. */
  private static VectorSchemaRoot storedTimestamps(
      VectorSchemaRoot all, List<ColumnSpec> columns, List<ParquetField> fields) {
    int rows = all.getRowCount();
    List<FieldVector> vectors = new ArrayList<>(all.getFieldVectors());
    try {
      for (int c = 0; c < columns.size(); c++) {
        if (columns.get(c).type().element() == ScalarType.TIMESTAMP) {
          vectors.set(
              c,
              TimestampColumns.restore(vectors.get(c), TimestampColumns.of(fields.get(c).leaf())));
        }
      }
    } catch (RuntimeException e) {
      // The columns restored so far are new vectors, not in the root the caller closes;
      // closing a vector twice is harmless, so close every one held here.
      vectors.forEach(FieldVector::close);
      throw e;
    }
    VectorSchemaRoot root = new VectorSchemaRoot(vectors);
    root.setRowCount(rows);
    return root;
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

  /** One pass over a CSV file's records. */
  private interface CsvPass {
    void read(CSVParser parser, List<String> header) throws IOException;
  }

  /** Runs {@code pass} over the file; returns the CRC32C of the bytes read. */
  private static long readCsvPass(Path file, CsvPass pass) throws IOException {
    CRC32C checksum = new CRC32C();
    try (CheckedInputStream in = new CheckedInputStream(Files.newInputStream(file), checksum);
        BufferedReader text =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        CSVParser parser =
            CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(text)) {
      pass.read(parser, parser.getHeaderNames());
    }
    return checksum.getValue();
  }

  /**
   * Reads a CSV file in two passes: the first checks its shape and infers the type of every column
   * the caller did not type, the second parses the values into Arrow. The file is read twice but
   * held once, as Arrow vectors; a file that changes between the passes is refused.
   */
  private static Loaded readCsv(
      Path file,
      Map<String, ScalarType> keyTypes,
      EntityColumns columns,
      BufferAllocator allocator) {
    String timestampColumn = columns.csvTimestampColumn();
    List<FieldVector> vectors = new ArrayList<>();
    try {
      List<ScalarType> types = new ArrayList<>();
      long inferredFrom =
          readCsvPass(
              file,
              (parser, header) -> {
                if (!header.contains(timestampColumn)) {
                  throw new InvalidRequestException(
                      "Cannot read entity rows from "
                          + file
                          + ": a CSV file needs an '"
                          + timestampColumn
                          + "' column (found: "
                          + String.join(", ", header)
                          + ")"
                          + (columns.timestampColumn() == null
                              ? "; name the column that holds the rows' times instead"
                                  + " (--timestamp-column)"
                              : ""));
                }
                checkTypedColumns(file, header, columns);
                List<CsvTypeInference> inferences = new ArrayList<>();
                for (String column : header) {
                  inferences.add(
                      given(column, timestampColumn, keyTypes, columns) == null
                          ? new CsvTypeInference()
                          : null);
                }
                for (CSVRecord record : parser) {
                  checkWidth(file, parser, record, header);
                  for (int c = 0; c < header.size(); c++) {
                    if (inferences.get(c) != null) {
                      inferences.get(c).accept(record.get(c));
                    }
                  }
                }
                for (int c = 0; c < header.size(); c++) {
                  ScalarType type = given(header.get(c), timestampColumn, keyTypes, columns);
                  types.add(type == null ? inferences.get(c).type() : type);
                }
              });
      int[] rows = {0};
      long checksum =
          readCsvPass(
              file,
              (parser, header) -> {
                for (int c = 0; c < header.size(); c++) {
                  FieldVector vector =
                      ArrowTypes.field(header.get(c), ValueType.scalar(types.get(c)))
                          .createVector(allocator);
                  vectors.add(vector);
                  vector.allocateNew();
                }
                for (CSVRecord record : parser) {
                  checkWidth(file, parser, record, header);
                  for (int c = 0; c < header.size(); c++) {
                    String value = record.get(c);
                    if (!CsvTypeInference.isNull(value)) {
                      set(
                          file,
                          parser,
                          header.get(c),
                          vectors.get(c),
                          types.get(c),
                          rows[0],
                          value);
                    }
                  }
                  rows[0]++;
                }
              });
      if (checksum != inferredFrom) {
        throw new InvalidRequestException(
            "Cannot read entity rows from "
                + file
                + ": the file changed while it was being read; read it again once it is written");
      }
      VectorSchemaRoot root = new VectorSchemaRoot(vectors);
      root.setRowCount(rows[0]);
      long size = Files.size(file);
      Map<String, ScalarType> columnTypes = new LinkedHashMap<>();
      for (FieldVector vector : vectors) {
        columnTypes.put(vector.getName(), types.get(columnTypes.size()));
      }
      return new Loaded(
          root,
          new FileRead(
              file, size, Files.getLastModifiedTime(file).toInstant(), checksum, size, rows[0]),
          Collections.unmodifiableMap(columnTypes));
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

  /**
   * The type a CSV column is read as without inferring it: the timestamp column's, an override, a
   * join key's, or the one for all untyped columns; null when it is inferred.
   */
  private static ScalarType given(
      String column,
      String timestampColumn,
      Map<String, ScalarType> keyTypes,
      EntityColumns columns) {
    if (column.equals(timestampColumn)) {
      return ScalarType.TIMESTAMP;
    }
    ScalarType override = columns.types().get(column);
    if (override != null) {
      return override;
    }
    ScalarType key = keyTypes.get(column);
    return key != null ? key : columns.untypedColumns();
  }

  /** A type given for a column the file lacks is a mistake, most likely a misspelt name. */
  private static void checkTypedColumns(Path file, List<String> header, EntityColumns columns) {
    for (String column : new TreeSet<>(columns.types().keySet())) {
      if (!header.contains(column)) {
        throw new InvalidRequestException(
            "Cannot read entity rows from "
                + file
                + ": a type is given for column '"
                + column
                + "', which the file does not have"
                + Suggestions.nameHint(column, header)
                + " (columns: "
                + String.join(", ", header)
                + ")");
      }
    }
  }

  private static void checkWidth(
      Path file, CSVParser parser, CSVRecord record, List<String> header) {
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
  }

  private static void set(
      Path file,
      CSVParser parser,
      String column,
      FieldVector vector,
      ScalarType type,
      int row,
      String value) {
    try {
      set(vector, type, row, value);
    } catch (IllegalArgumentException | DateTimeParseException | ArithmeticException e) {
      throw new InvalidRequestException(
          "Cannot read entity rows from "
              + file
              + ": line "
              + parser.getCurrentLineNumber()
              + ", column '"
              + column
              + "': '"
              + value
              + (e instanceof ArithmeticException && type == ScalarType.TIMESTAMP
                  ? "' is outside the years 1677 to 2262 that a timestamp holds (nanoseconds"
                      + " since the epoch)"
                  : "' is not a valid "
                      + type.yamlName()
                      + (type == ScalarType.TIMESTAMP
                          ? " (write ISO-8601, e.g. 2026-03-02T05:00:00Z)"
                          : "")),
          e);
    }
  }

  private static void set(FieldVector vector, ScalarType type, int row, String value) {
    switch (type) {
      case BOOL -> ((BitVector) vector).setSafe(row, parseBool(value) ? 1 : 0);
      case INT32 -> ((IntVector) vector).setSafe(row, Integer.parseInt(value.strip()));
      case INT64 -> ((BigIntVector) vector).setSafe(row, Long.parseLong(value.strip()));
      case FLOAT32 -> ((Float4Vector) vector).setSafe(row, Float.parseFloat(value.strip()));
      case FLOAT64 -> ((Float8Vector) vector).setSafe(row, Double.parseDouble(value.strip()));
      case STRING -> ((VarCharVector) vector).setSafe(row, value.getBytes(StandardCharsets.UTF_8));
      case BYTES ->
          ((VarBinaryVector) vector).setSafe(row, Base64.getDecoder().decode(value.strip()));
      case TIMESTAMP ->
          ((TimeStampNanoTZVector) vector).setSafe(row, EpochNanos.of(parseInstant(value)));
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
