package dev.quiver.monitoring.logging;

import dev.quiver.EpochNanos;
import dev.quiver.offline.ArrowValues;
import dev.quiver.offline.io.PendingFile;
import dev.quiver.offline.io.TrainingSetFiles;
import dev.quiver.offline.io.TrainingSetWriter;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import dev.quiver.sdk.FeatureStatus;
import dev.quiver.sdk.OnlineResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's log file being written: rows gathered in Arrow batches and handed to the offline
 * store's Parquet writer ({@link TrainingSetFiles#open}) under a hidden temporary name, moved into
 * place as {@code log-<start millis>-<run>-<n>.parquet} when it is finished: by size, by age, when
 * the columns change or when the log closes. Used by the log's one thread only.
 */
final class ServiceLog implements AutoCloseable {

  static final int BATCH_ROWS = 4096;

  private static final Logger LOG = LoggerFactory.getLogger(ServiceLog.class);

  private final Path folder;
  private final FeatureLogSchema schema;
  private final BufferAllocator allocator;
  private final String run;
  private final long rollBytes;
  private final int keyCount;

  private PendingFile file;
  private TrainingSetWriter writer;
  private long startedMillis;
  private long bytesWritten;
  private VectorSchemaRoot batch;
  private int batchRows;
  private int fileSequence;
  private final FeatureLogger.Counts counts;
  // Rows appended to the file being written: logged when it is committed, lost when it is dropped.
  private long fileRows;
  private boolean rowFailureReported;

  ServiceLog(
      Path folder,
      FeatureLogSchema schema,
      BufferAllocator allocator,
      String run,
      long rollBytes,
      FeatureLogger.Counts counts) {
    this.counts = counts;
    this.folder = folder;
    this.schema = schema;
    this.allocator = allocator;
    this.run = run;
    this.rollBytes = rollBytes;
    this.keyCount = schema.keys().size();
  }

  FeatureLogSchema schema() {
    return schema;
  }

  /**
   * The indexes in {@code response} of each key column (-1 when the request did not send it), or
   * null when the response's features are not this schema's (answered with another registry
   * version).
   */
  int[] keyIndexes(OnlineResponse response) {
    List<String> names = response.featureNames();
    int entityColumns = names.size() - schema.features().size();
    if (entityColumns < 0) {
      return null;
    }
    for (int f = 0; f < schema.features().size(); f++) {
      FeatureSelection.Requested feature = schema.features().get(f);
      String name = names.get(entityColumns + f);
      if (!name.equals(feature.fullName()) && !name.equals(feature.feature().name())) {
        return null;
      }
    }
    int[] indexes = new int[keyCount + 1];
    indexes[keyCount] = entityColumns;
    for (int k = 0; k < keyCount; k++) {
      int index = names.indexOf(schema.keys().get(k).name());
      indexes[k] = index < entityColumns ? index : -1;
    }
    return indexes;
  }

  /** Appends row {@code row} of {@code response}; {@code indexes} from {@link #keyIndexes}. */
  void append(
      String requestId,
      Instant requestTime,
      OnlineResponse response,
      int[] indexes,
      int row,
      long nowMillis)
      throws IOException {
    if (writer == null) {
      try {
        open(nowMillis);
      } catch (RuntimeException e) {
        counts.lost.increment();
        throw e;
      }
    }
    if (batch == null) {
      batch = VectorSchemaRoot.create(schema.arrow(), allocator);
      batch.allocateNew();
      batchRows = 0;
    }
    try {
      set(requestId, requestTime, response, indexes, row);
    } catch (RuntimeException e) {
      // The row's cells at index batchRows are written over by the next row, or left out by the
      // row count: the file goes on without it.
      counts.lost.increment();
      if (!rowFailureReported) {
        rowFailureReported = true;
        LOG.warn(
            "Cannot log a row of feature service '{}' (counted in quiver_feature_log_lost_total;"
                + " reported once): {}",
            schema.service(),
            e.toString());
      }
      return;
    }
    batchRows++;
    fileRows++;
    batch.setRowCount(batchRows);
    if (batchRows >= BATCH_ROWS) {
      flushBatch();
    }
    if (bytesWritten + (batch == null ? 0 : bufferBytes(batch)) >= rollBytes) {
      finish();
    }
  }

  private void set(
      String requestId, Instant requestTime, OnlineResponse response, int[] indexes, int row) {
    List<FieldVector> vectors = batch.getFieldVectors();
    int i = batchRows;
    ((VarCharVector) vectors.get(0)).setSafe(i, requestId.getBytes(StandardCharsets.UTF_8));
    setMicros(vectors.get(1), i, requestTime);
    int column = 2;
    for (int k = 0; k < keyCount; k++) {
      Feature key = schema.keys().get(k);
      Object value = indexes[k] < 0 ? null : response.results().get(indexes[k]).values().get(row);
      ArrowValues.write(vectors.get(column++), key.type(), i, coerce(key.type(), value));
    }
    int entityColumns = indexes[keyCount];
    for (int f = 0; f < schema.features().size(); f++) {
      OnlineResponse.Column served = response.results().get(entityColumns + f);
      ValueType type = schema.features().get(f).feature().type();
      ArrowValues.write(vectors.get(column++), type, i, coerce(type, served.values().get(row)));
      FeatureStatus status = served.statuses().get(row);
      VarCharVector statuses = (VarCharVector) vectors.get(column++);
      if (status == null) {
        statuses.setNull(i);
      } else {
        statuses.setSafe(i, status.name().getBytes(StandardCharsets.UTF_8));
      }
      Instant eventTime = served.eventTimestamps().get(row);
      setMicros(
          vectors.get(column++),
          i,
          eventTime == null || eventTime.equals(OnlineResponse.NO_TIME) ? null : eventTime);
    }
  }

  /** Finishes the file when it is {@code maxAgeMillis} old at {@code nowMillis}. */
  void rollIfOlder(long nowMillis, long maxAgeMillis) throws IOException {
    if (writer != null && nowMillis - startedMillis >= maxAgeMillis) {
      finish();
    }
  }

  /** Writes the gathered rows, finishes the file and moves it into place; nothing when none. */
  void finish() throws IOException {
    if (writer == null) {
      return;
    }
    try {
      flushBatch();
      writer.finish();
      file.commit();
      counts.logged.add(fileRows);
      fileRows = 0;
    } finally {
      abandon();
    }
  }

  /**
   * Drops the file being written (its temporary file is removed) and the rows gathered, which are
   * counted lost.
   */
  private void abandon() {
    counts.lost.add(fileRows);
    fileRows = 0;
    if (batch != null) {
      batch.close();
      batch = null;
    }
    if (writer != null) {
      writer.close();
      writer = null;
    }
    if (file != null) {
      file.close();
      file = null;
    }
    bytesWritten = 0;
  }

  @Override
  public void close() {
    abandon();
  }

  private void open(long nowMillis) {
    startedMillis = nowMillis;
    bytesWritten = 0;
    String name = "log-" + nowMillis + "-" + run + "-" + (fileSequence++) + ".parquet";
    file = PendingFile.beside(folder.resolve(name));
    try {
      writer = TrainingSetFiles.open(file, schema.arrow(), allocator);
    } catch (RuntimeException e) {
      file.close();
      file = null;
      throw e;
    }
  }

  private void flushBatch() throws IOException {
    if (batch == null || batchRows == 0) {
      return;
    }
    batch.setRowCount(batchRows);
    bytesWritten += bufferBytes(batch);
    writer.write(batch);
    batch.close();
    batch = null;
    batchRows = 0;
  }

  private static long bufferBytes(VectorSchemaRoot root) {
    long bytes = 0;
    for (FieldVector vector : root.getFieldVectors()) {
      bytes += vector.getBufferSize();
    }
    return bytes;
  }

  private static void setMicros(FieldVector vector, int row, Instant time) {
    if (time == null) {
      vector.setNull(row);
    } else {
      ((TimeStampVector) vector).setSafe(row, Math.floorDiv(EpochNanos.of(time), 1000L));
    }
  }

  /**
   * A served value as the Java type {@link ArrowValues#write} takes for {@code type}: request
   * values arrive as JSON gave them (a whole number for a float field, text for a timestamp or
   * bytes).
   */
  static Object coerce(ValueType type, Object value) {
    if (value == null) {
      return null;
    }
    if (type.list()) {
      if (!(value instanceof List<?> items)) {
        return null;
      }
      List<Object> converted = new ArrayList<>(items.size());
      for (Object item : items) {
        converted.add(coerceScalar(type.element(), item));
      }
      return converted;
    }
    return coerceScalar(type.element(), value);
  }

  private static Object coerceScalar(ScalarType type, Object value) {
    if (value == null) {
      return null;
    }
    return switch (type) {
      case INT32 -> value instanceof Number n ? (Object) n.intValue() : null;
      case INT64 -> value instanceof Number n ? (Object) n.longValue() : null;
      case FLOAT32 -> value instanceof Number n ? (Object) n.floatValue() : null;
      case FLOAT64 -> value instanceof Number n ? (Object) n.doubleValue() : null;
      case BOOL -> value instanceof Boolean ? value : null;
      case STRING -> value.toString();
      case BYTES ->
          value instanceof byte[]
              ? value
              : value instanceof String text ? Base64.getDecoder().decode(text) : null;
      case TIMESTAMP ->
          value instanceof Instant
              ? value
              : value instanceof String text ? Instant.parse(text) : null;
    };
  }
}
