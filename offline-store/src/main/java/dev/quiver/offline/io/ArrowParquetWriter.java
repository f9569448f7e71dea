package dev.quiver.offline.io;

import dev.quiver.QuiverException;
import dev.quiver.offline.ArrowTypes;
import dev.quiver.offline.parquet.ChecksummedInputFile;
import dev.quiver.offline.resources.WorkerPool;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
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

  /** Encodes the table's rows in parallel slices and appends them to the output. */
  private void encode(VectorSchemaRoot table) throws IOException {
    int rows = table.getRowCount();
    int slices = (int) Math.min(threads, Math.max(1, rows / MIN_SLICE_ROWS));
    List<Path> parts = new ArrayList<>();
    try {
      List<WorkerPool.Task> work = new ArrayList<>();
      for (int i = 0; i < slices; i++) {
        int from = (int) ((long) rows * i / slices);
        int to = (int) ((long) rows * (i + 1) / slices);
        Path part = Files.createTempFile(file.toAbsolutePath().getParent(), ".slice-", ".parquet");
        parts.add(part);
        work.add(() -> writeRows(table, from, to, part));
      }
      try {
        WorkerPool.shared().runAll(work, slices);
      } catch (UncheckedIOException e) {
        // The pool carries a slice's IOException so; writers report theirs as IOException.
        throw e.getCause();
      }
      for (Path part : parts) {
        // Parquet's LocalInputFile copies a byte at a time; this one reads in bulk.
        output.appendFile(new ChecksummedInputFile(part));
      }
    } finally {
      for (Path part : parts) {
        Files.deleteIfExists(part);
      }
    }
  }

  private void writeRows(VectorSchemaRoot table, int from, int to, Path part) throws IOException {
    Builder builder =
        new Builder(new LocalOutputFile(part), schema, table, types)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withCompressionCodec(CompressionCodecName.SNAPPY);
    // Floats rarely repeat (sums, means, rates): a dictionary of them costs a hash probe per
    // value until parquet-mr gives up on it at its size limit, and saves nothing.
    for (int c = 0; c < types.size(); c++) {
      ScalarType element = types.get(c).element();
      if (!types.get(c).list()
          && (element == ScalarType.FLOAT32 || element == ScalarType.FLOAT64)) {
        builder.withDictionaryEncoding(schema.getFields().get(c).getName(), false);
      }
    }
    try (ParquetWriter<Integer> writer = builder.build()) {
      for (int row = from; row < to; row++) {
        writer.write(row);
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

  /** A timestamp as its Parquet column stores it ({@link #timestampType}). */
  private static long storedTimestamp(TimeStampVector vector, int index) {
    long value = vector.get(index);
    return ((ArrowType.Timestamp) vector.getField().getType()).getUnit()
            == org.apache.arrow.vector.types.TimeUnit.SECOND
        ? Math.multiplyExact(value, 1000L)
        : value;
  }

  private static final class Builder extends ParquetWriter.Builder<Integer, Builder> {
    private final MessageType schema;
    private final VectorSchemaRoot table;
    private final List<ValueType> types;

    Builder(OutputFile file, MessageType schema, VectorSchemaRoot table, List<ValueType> types) {
      super(file);
      this.schema = schema;
      this.table = table;
      this.types = types;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Integer> getWriteSupport(Configuration conf) {
      return new RowWriteSupport(schema, table, types);
    }
  }

  /** Emits row {@code i} of the table as one Parquet record. */
  private static final class RowWriteSupport extends WriteSupport<Integer> {
    private final MessageType schema;
    private final List<FieldVector> vectors;
    private final List<ValueType> types;
    private RecordConsumer consumer;

    RowWriteSupport(MessageType schema, VectorSchemaRoot table, List<ValueType> types) {
      this.schema = schema;
      this.vectors = table.getFieldVectors();
      this.types = types;
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(schema, new HashMap<>());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      this.consumer = recordConsumer;
    }

    @Override
    public void write(Integer row) {
      consumer.startMessage();
      for (int c = 0; c < vectors.size(); c++) {
        FieldVector vector = vectors.get(c);
        if (vector.isNull(row)) {
          continue;
        }
        String name = schema.getFieldName(c);
        consumer.startField(name, c);
        if (vector instanceof ListVector list) {
          writeList(list, row, types.get(c).element());
        } else {
          writeValue(vector, row, types.get(c).element());
        }
        consumer.endField(name, c);
      }
      consumer.endMessage();
    }

    private void writeList(ListVector list, int row, ScalarType element) {
      FieldVector values = list.getDataVector();
      int start = list.getElementStartIndex(row);
      int end = list.getElementEndIndex(row);
      consumer.startGroup();
      if (end > start) {
        consumer.startField("list", 0);
        for (int i = start; i < end; i++) {
          consumer.startGroup();
          if (!values.isNull(i)) {
            consumer.startField("element", 0);
            writeValue(values, i, element);
            consumer.endField("element", 0);
          }
          consumer.endGroup();
        }
        consumer.endField("list", 0);
      }
      consumer.endGroup();
    }

    private void writeValue(FieldVector vector, int index, ScalarType type) {
      switch (type) {
        case BOOL -> consumer.addBoolean(((BitVector) vector).get(index) != 0);
        case INT32 -> consumer.addInteger(((IntVector) vector).get(index));
        case INT64 -> consumer.addLong(((BigIntVector) vector).get(index));
        case FLOAT32 -> consumer.addFloat(((Float4Vector) vector).get(index));
        case FLOAT64 -> consumer.addDouble(((Float8Vector) vector).get(index));
        case STRING ->
            consumer.addBinary(Binary.fromConstantByteArray(((VarCharVector) vector).get(index)));
        case BYTES ->
            consumer.addBinary(Binary.fromConstantByteArray(((VarBinaryVector) vector).get(index)));
        case TIMESTAMP -> consumer.addLong(storedTimestamp((TimeStampVector) vector, index));
      }
    }
  }
}
