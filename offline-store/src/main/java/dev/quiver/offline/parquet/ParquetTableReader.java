package dev.quiver.offline.parquet;

import dev.quiver.QuiverException;
import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.SourceDataException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.impl.ColumnReadStoreImpl;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.HadoopParquetConfiguration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.schema.MessageType;

/**
 * Reads chosen columns of one local Parquet file into Arrow, one row group at a time, and keeps a
 * CRC32C of the bytes read per row group. Not thread-safe: open one reader per thread.
 */
public final class ParquetTableReader implements AutoCloseable {

  private static final ParquetConfiguration CONFIGURATION =
      new HadoopParquetConfiguration(SharedConfiguration.hadoop());

  private final Path path;
  private final ChecksummedInputFile input;
  private final ParquetFileReader reader;
  private final long footerChecksum;
  private final long footerBytes;

  private ParquetTableReader(Path path) throws IOException {
    this.path = path;
    this.input = new ChecksummedInputFile(path);
    this.reader = ParquetFileReader.open(input, ParquetReadOptions.builder(CONFIGURATION).build());
    this.footerChecksum = input.resetChecksum();
    this.footerBytes = input.bytesRead();
  }

  /**
   * @throws SourceDataException when the file cannot be opened as Parquet
   */
  public static ParquetTableReader open(Path path) {
    try {
      return new ParquetTableReader(path);
    } catch (IOException | RuntimeException e) {
      throw new SourceDataException(
          "Cannot read " + path + ": not a readable Parquet file (" + e.getMessage() + ")", e);
    }
  }

  public Path path() {
    return path;
  }

  public MessageType schema() {
    return reader.getFooter().getFileMetaData().getSchema();
  }

  public List<BlockMetaData> rowGroups() {
    return reader.getRowGroups();
  }

  public long rowCount() {
    return rowGroups().stream().mapToLong(BlockMetaData::getRowCount).sum();
  }

  /** The checksum of the footer, read when the file was opened. */
  public long footerChecksum() {
    return footerChecksum;
  }

  /** The bytes the footer took to read. */
  public long footerBytes() {
    return footerBytes;
  }

  /**
   * Finds the columns in this file.
   *
   * @throws SourceDataException naming the file and every missing or incompatible column
   */
  public List<ParquetField> resolve(List<ColumnSpec> columns, String what) {
    List<ParquetField> fields = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (ColumnSpec column : columns) {
      Optional<ParquetField> field = ParquetField.find(schema(), column.sourceName());
      if (field.isEmpty()) {
        problems.add(
            "has no column '"
                + column.sourceName()
                + "'"
                + dev.quiver.registry.load.Suggestions.nameHint(
                    column.sourceName(),
                    schema().getFields().stream()
                        .map(org.apache.parquet.schema.Type::getName)
                        .toList()));
      } else if (!field.get().canReadAs(column.type())) {
        problems.add(
            "column '"
                + column.sourceName()
                + "' is "
                + field.get().describe()
                + ", which cannot be read as "
                + column.type());
      } else {
        fields.add(field.get());
      }
    }
    if (!problems.isEmpty()) {
      throw new SourceDataException(
          "Cannot read " + what + " from " + path + ": it " + String.join("; it ", problems));
    }
    return fields;
  }

  /** A row group read into Arrow, with the checksum and count of the bytes its reading took. */
  public record RowGroup(VectorSchemaRoot root, long checksum, long bytes) {}

  /**
   * Reads one row group's columns; the caller owns (and closes) the returned vectors.
   *
   * @param fields from {@link #resolve}, in the same order as {@code columns}
   * @throws SourceDataException when the file cannot be read (naming the row group, and the column
   *     whose pages cannot be decoded), or holds a timestamp outside 1677..2262
   */
  public RowGroup read(
      int rowGroup,
      List<ColumnSpec> columns,
      List<ParquetField> fields,
      BufferAllocator allocator) {
    MessageType projection = ParquetField.projection(schema(), fields);
    List<FieldVector> vectors = new ArrayList<>();
    try {
      input.resetChecksum();
      long bytesBefore = input.bytesRead();
      reader.setRequestedSchema(projection);
      PageReadStore pages = reader.readRowGroup(rowGroup);
      int rows = Math.toIntExact(pages.getRowCount());
      ColumnReadStoreImpl store = null;
      BlockMetaData block = rowGroups().get(rowGroup);
      for (int i = 0; i < columns.size(); i++) {
        ColumnSpec column = columns.get(i);
        ParquetField field = fields.get(i);
        FieldVector vector = ArrowTypes.field(column.name(), column.type()).createVector(allocator);
        vectors.add(vector);
        try {
          if (PageDecoder.supports(field, column.type(), chunk(block, field))) {
            PageDecoder.fill(
                field, column.type().element(), pages.getPageReader(field.column()), vector, rows);
          } else {
            if (store == null) {
              store =
                  new ColumnReadStoreImpl(
                      pages,
                      new GroupRecordConverter(projection).getRootConverter(),
                      projection,
                      reader.getFileMetaData().getCreatedBy());
            }
            new ColumnFiller(field, column.type(), vector)
                .fill(store.getColumnReader(field.column()), rows);
          }
        } catch (ArithmeticException | OutOfMemoryException | QuiverException e) {
          // Not the pages: a value out of range, the memory budget used up (an operation waits
          // or spills on it), or a failure that says itself what is wrong.
          throw e;
        } catch (RuntimeException e) {
          // The footer was read, so the pages are what is damaged: their decoders fail in any
          // way (ParquetDecodingException, IllegalArgumentException, index errors...).
          throw new SourceDataException(
              "Cannot read "
                  + path
                  + ": row group "
                  + rowGroup
                  + ", column '"
                  + column.sourceName()
                  + "' cannot be decoded ("
                  + firstLine(e.getMessage())
                  + "); the file is damaged: write it again",
              e);
        }
      }
      VectorSchemaRoot root = new VectorSchemaRoot(vectors);
      root.setRowCount(rows);
      return new RowGroup(root, input.resetChecksum(), input.bytesRead() - bytesBefore);
    } catch (IOException e) {
      vectors.forEach(FieldVector::close);
      throw new SourceDataException(
          "Cannot read row group "
              + rowGroup
              + " of "
              + path
              + ": "
              + e.getMessage()
              + " (was the file replaced or damaged while it was read?)",
          e);
    } catch (ArithmeticException e) {
      vectors.forEach(FieldVector::close);
      throw new SourceDataException(
          "Cannot read " + path + ": a timestamp lies outside 1677..2262, which nanoseconds hold",
          e);
    } catch (RuntimeException e) {
      vectors.forEach(FieldVector::close);
      throw e;
    }
  }

  private static ColumnChunkMetaData chunk(BlockMetaData block, ParquetField field) {
    ColumnPath path = ColumnPath.get(field.column().getPath());
    for (ColumnChunkMetaData chunk : block.getColumns()) {
      if (chunk.getPath().equals(path)) {
        return chunk;
      }
    }
    throw new SourceDataException("The footer lists no chunk for column " + path);
  }

  private static String firstLine(String message) {
    return message == null ? "its decoder failed" : message.lines().findFirst().orElse("");
  }

  @Override
  public void close() {
    try {
      reader.close();
    } catch (IOException e) {
      throw new SourceDataException("Cannot close " + path + ": " + e.getMessage(), e);
    }
  }
}
