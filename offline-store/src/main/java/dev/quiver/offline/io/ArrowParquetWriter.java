package dev.quiver.offline.io;

import dev.quiver.QuiverException;
import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.parquet.SharedConfiguration;
import dev.quiver.offline.resources.WorkerPool;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.CodecFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Writes Arrow batches as one Parquet file, row by row straight from the vectors. Timestamps keep
 * their unit and zone flag ({@code TIMESTAMP(unit, isAdjustedToUTC)}: adjusted when the Arrow type
 * has a zone; seconds as millis), lists are the standard three-level LIST.
 *
 * <p>Encoding is the slow part and parquet-mr encodes on one thread, so rows are encoded in slices
 * on several threads into temporary files whose row groups are then appended, byte for byte, to the
 * output. Small batches are gathered (copied) until they reach {@link #FLUSH_ROWS} rows or {@link
 * #FLUSH_BYTES} bytes, so that row groups stay large; a batch that reaches either alone is encoded
 * as it is, so the copies never hold more than that.
 */
final class ArrowParquetWriter implements TrainingSetWriter {

  /** Tables smaller than two slices of this many rows are written on one thread. */
  private static final int MIN_SLICE_ROWS = 200_000;

  static final int FLUSH_ROWS = 1_000_000;
  static final long FLUSH_BYTES = 128L << 20;

  private final Path file;
  private final int threads;
  private final List<ValueType> types = new ArrayList<>();
  private final MessageType schema;
  private final ParquetProperties properties;
  private final ParquetFileWriter output;
  private final VectorSchemaRoot pending;
  private boolean ended;

  ArrowParquetWriter(Path file, Schema arrowSchema, int threads, BufferAllocator allocator)
      throws IOException {
    List<Type> fields = new ArrayList<>();
    for (Field field : arrowSchema.getFields()) {
      ValueType type = ArrowTypes.valueType(field);
      if (type == null) {
        throw new QuiverException(
            "Cannot write column '"
                + field.getName()
                + "' to Parquet: its type "
                + field.getType()
                + " is not supported");
      }
      types.add(type);
      fields.add(parquetType(field, type));
    }
    this.file = file;
    this.threads = Math.max(1, threads);
    this.schema = new MessageType("training_set", fields);
    ParquetProperties.Builder properties =
        ParquetProperties.builder().withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0);
    // Floats rarely repeat (sums, means, rates): a dictionary of them costs a hash probe per
    // value until parquet-mr gives up on it at its size limit, and saves nothing.
    for (int c = 0; c < types.size(); c++) {
      ScalarType element = types.get(c).element();
      if (!types.get(c).list()
          && (element == ScalarType.FLOAT32 || element == ScalarType.FLOAT64)) {
        properties.withDictionaryEncoding(fields.get(c).getName(), false);
      }
    }
    this.properties = properties.build();
    this.output =
        new ParquetFileWriter(
            new LocalOutputFile(file),
            schema,
            ParquetFileWriter.Mode.OVERWRITE,
            ParquetWriter.DEFAULT_BLOCK_SIZE,
            ParquetWriter.MAX_PADDING_SIZE_DEFAULT);
    VectorSchemaRoot root = null;
    try {
      output.start();
      root = VectorSchemaRoot.create(arrowSchema, allocator);
      // Appending needs allocated buffers (offsets of text columns, for one).
      root.allocateNew();
    } catch (IOException | RuntimeException e) {
      if (root != null) {
        root.close();
      }
      closeQuietly(output);
      throw e;
    }
    this.pending = root;
  }

  @Override
  public void write(VectorSchemaRoot batch) throws IOException {
    long bytes = bufferBytes(batch);
    if (batch.getRowCount() >= FLUSH_ROWS || bytes >= FLUSH_BYTES) {
      flush();
      encode(batch);
      return;
    }
    if (pending.getRowCount() + batch.getRowCount() > FLUSH_ROWS
        || bufferBytes(pending) + bytes > FLUSH_BYTES) {
      flush();
    }
    VectorSchemaRootAppender.append(pending, batch);
  }

  @Override
  public void finish() throws IOException {
    flush();
    output.end(new HashMap<>());
    ended = true;
  }

  /** Releases the gathered rows and, if the file was not finished, its open stream. */
  @Override
  public void close() {
    pending.close();
    if (!ended) {
      closeQuietly(output);
    }
  }

  private static void closeQuietly(ParquetFileWriter writer) {
    try {
      writer.close();
    } catch (IOException e) {
      // An unfinished file is abandoned anyway.
    }
  }

  private void flush() throws IOException {
    if (pending.getRowCount() > 0) {
      encode(pending);
      pending.clear();
      pending.allocateNew();
    }
  }

  private static long bufferBytes(VectorSchemaRoot root) {
    long bytes = 0;
    for (FieldVector vector : root.getFieldVectors()) {
      bytes += vector.getBufferSize();
    }
    return bytes;
  }

  /** Encodes the table's rows in parallel slices and appends them to the output in order. */
  private void encode(VectorSchemaRoot table) throws IOException {
    int rows = table.getRowCount();
    int slices = (int) Math.min(threads, Math.max(1, rows / MIN_SLICE_ROWS));
    RowGroupEncoder[] encoded = new RowGroupEncoder[slices];
    try {
      List<WorkerPool.Task> work = new ArrayList<>();
      for (int i = 0; i < slices; i++) {
        int slice = i;
        int from = (int) ((long) rows * i / slices);
        int to = (int) ((long) rows * (i + 1) / slices);
        work.add(
            () -> {
              CodecFactory codecs =
                  new CodecFactory(SharedConfiguration.hadoop(), properties.getPageSizeThreshold());
              try {
                encoded[slice] =
                    RowGroupEncoder.encode(
                        schema, properties, codecs, table.getFieldVectors(), types, from, to);
              } finally {
                codecs.release();
              }
            });
      }
      WorkerPool.shared().runAll(work, slices);
      for (RowGroupEncoder slice : encoded) {
        slice.appendTo(output);
      }
    } finally {
      for (RowGroupEncoder slice : encoded) {
        if (slice != null) {
          slice.close();
        }
      }
    }
  }

  private static Type parquetType(Field field, ValueType type) {
    if (!type.list()) {
      return primitive(Types.optional(physical(type.element())), type.element(), field.getType())
          .named(field.getName());
    }
    return Types.optionalList()
        .setElementType(
            primitive(
                    Types.optional(physical(type.element())),
                    type.element(),
                    field.getChildren().get(0).getType())
                .named("element"))
        .named(field.getName());
  }

  private static PrimitiveTypeName physical(ScalarType type) {
    return switch (type) {
      case BOOL -> PrimitiveTypeName.BOOLEAN;
      case INT32 -> PrimitiveTypeName.INT32;
      case INT64, TIMESTAMP -> PrimitiveTypeName.INT64;
      case FLOAT32 -> PrimitiveTypeName.FLOAT;
      case FLOAT64 -> PrimitiveTypeName.DOUBLE;
      case STRING, BYTES -> PrimitiveTypeName.BINARY;
    };
  }

  private static Types.PrimitiveBuilder<org.apache.parquet.schema.PrimitiveType> primitive(
      Types.PrimitiveBuilder<org.apache.parquet.schema.PrimitiveType> builder,
      ScalarType type,
      ArrowType arrow) {
    return switch (type) {
      case STRING -> builder.as(LogicalTypeAnnotation.stringType());
      case TIMESTAMP -> builder.as(timestampType((ArrowType.Timestamp) arrow));
      default -> builder;
    };
  }

  /**
   * The Parquet type of an Arrow timestamp: its unit (seconds, which Parquet lacks, as millis) and,
   * when it has a zone, adjusted to UTC.
   */
  private static LogicalTypeAnnotation timestampType(ArrowType.Timestamp type) {
    LogicalTypeAnnotation.TimeUnit unit =
        switch (type.getUnit()) {
          case SECOND, MILLISECOND -> LogicalTypeAnnotation.TimeUnit.MILLIS;
          case MICROSECOND -> LogicalTypeAnnotation.TimeUnit.MICROS;
          case NANOSECOND -> LogicalTypeAnnotation.TimeUnit.NANOS;
        };
    return LogicalTypeAnnotation.timestampType(type.getTimezone() != null, unit);
  }
}
