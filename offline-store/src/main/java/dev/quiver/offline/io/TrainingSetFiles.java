package dev.quiver.offline.io;

import dev.quiver.OutputException;
import dev.quiver.offline.ArrowAccess;
import dev.quiver.offline.resources.WorkerPool;
import dev.quiver.registry.InvalidRequestException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/** Writes a training set to Parquet, an Arrow IPC file or CSV, chosen by the file extension. */
public final class TrainingSetFiles {

  static final int BATCH_ROWS = 65_536;

  /** The output formats, by extension. */
  public enum Format {
    PARQUET,
    ARROW,
    CSV
  }

  private TrainingSetFiles() {}

  /**
   * @throws InvalidRequestException for an extension other than .parquet, .arrow (or .feather,
   *     .ipc) and .csv
   */
  public static Format formatOf(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".parquet")) {
      return Format.PARQUET;
    }
    if (name.endsWith(".arrow") || name.endsWith(".feather") || name.endsWith(".ipc")) {
      return Format.ARROW;
    }
    if (name.endsWith(".csv")) {
      return Format.CSV;
    }
    throw new InvalidRequestException(
        "Cannot write " + file + ": name the output .parquet, .arrow or .csv");
  }

  /**
   * Writes {@code table} to the pending file's temporary path, in the target's format.
   *
   * @throws OutputException when the file cannot be written
   */
  public static void write(VectorSchemaRoot table, PendingFile output, BufferAllocator allocator) {
    try (TrainingSetWriter writer = open(output, table.getSchema(), allocator)) {
      writer.write(table);
      writer.finish();
    } catch (IOException e) {
      throw cannotWrite(output.target(), e);
    }
  }

  /** The failure to write the output {@code target}, for writers of training sets and manifests. */
  public static OutputException cannotWrite(Path target, IOException e) {
    return new OutputException(
        "Cannot write " + target + ": " + e + " (is the disk full, or the folder not writable?)",
        e);
  }

  /**
   * A writer to the pending file's temporary path, in the target's format, for batches of {@code
   * schema} from {@code allocator}. {@link TrainingSetWriter#finish} also forces the file to disk.
   *
   * @throws InvalidRequestException for a target of no known format
   * @throws OutputException when the file cannot be created
   */
  public static TrainingSetWriter open(
      PendingFile output, Schema schema, BufferAllocator allocator) {
    Format format = formatOf(output.target());
    Path file = output.temp();
    try {
      TrainingSetWriter writer =
          switch (format) {
            case PARQUET ->
                new ArrowParquetWriter(file, schema, WorkerPool.shared().threads(), allocator);
            case ARROW -> {
              ArrowAccess.require("write the Arrow IPC file " + output.target());
              yield new ArrowIpcWriter(file, schema, allocator);
            }
            case CSV -> new CsvWriter(file, schema);
          };
      return new Durable(writer, file);
    } catch (IOException e) {
      throw cannotWrite(output.target(), e);
    }
  }

  /** Forces the file to disk once it is finished. */
  private record Durable(TrainingSetWriter writer, Path file) implements TrainingSetWriter {
    @Override
    public void write(VectorSchemaRoot batch) throws IOException {
      writer.write(batch);
    }

    @Override
    public void finish() throws IOException {
      writer.finish();
      try (FileChannel written = FileChannel.open(file, StandardOpenOption.WRITE)) {
        written.force(true);
      }
    }

    @Override
    public void close() {
      writer.close();
    }
  }

  /** The Arrow IPC file format, in batches of at most {@link #BATCH_ROWS} rows. */
  private static final class ArrowIpcWriter implements TrainingSetWriter {
    private final Path file;
    private final FileChannel channel;
    private final VectorSchemaRoot batch;
    private final ArrowFileWriter writer;
    private final VectorLoader loader;
    private boolean empty = true;

    ArrowIpcWriter(Path file, Schema schema, BufferAllocator allocator) throws IOException {
      this.file = file;
      channel =
          FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
      try {
        batch = VectorSchemaRoot.create(schema, allocator);
      } catch (RuntimeException e) {
        channel.close();
        throw e;
      }
      writer = new ArrowFileWriter(batch, null, channel);
      loader = new VectorLoader(batch);
      try {
        writer.start();
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    @Override
    public void write(VectorSchemaRoot table) throws IOException {
      int rows = table.getRowCount();
      for (int start = 0; start < rows; start += BATCH_ROWS) {
        int length = Math.min(BATCH_ROWS, rows - start);
        try (VectorSchemaRoot slice = table.slice(start, length);
            ArrowRecordBatch records = new VectorUnloader(slice).getRecordBatch()) {
          loader.load(records);
          writer.writeBatch();
          empty = false;
        }
      }
    }

    @Override
    public void finish() throws IOException {
      if (empty) {
        // One empty batch, as readers expect at least one.
        batch.setRowCount(0);
        writer.writeBatch();
      }
      writer.end();
    }

    @Override
    public void close() {
      try (channel;
          batch) {
        writer.close();
      } catch (IOException e) {
        throw new OutputException("Cannot close the Arrow file " + file + ": " + e, e);
      }
    }
  }
}
