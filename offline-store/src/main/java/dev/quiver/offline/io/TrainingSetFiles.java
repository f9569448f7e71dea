package dev.quiver.offline.io;

import dev.quiver.QuiverException;
import java.io.IOException;
import java.io.UncheckedIOException;
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
   * @throws QuiverException for an extension other than .parquet, .arrow (or .feather, .ipc) and
   *     .csv
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
    throw new QuiverException(
        "Cannot write " + file + ": name the output .parquet, .arrow or .csv");
  }

  /** Writes {@code table} to the pending file's temporary path, in the target's format. */
  public static void write(VectorSchemaRoot table, PendingFile output, BufferAllocator allocator) {
    try {
      switch (formatOf(output.target())) {
        case PARQUET ->
            ArrowParquetWriter.write(
                table, output.temp(), Runtime.getRuntime().availableProcessors());
        case ARROW -> writeArrow(table, output.temp(), allocator);
        case CSV -> CsvWriter.write(table, output.temp());
      }
      try (FileChannel written = FileChannel.open(output.temp(), StandardOpenOption.WRITE)) {
        written.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write " + output.target(), e);
    }
  }

  private static void writeArrow(VectorSchemaRoot table, Path file, BufferAllocator allocator)
      throws IOException {
    try (FileChannel channel =
            FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        VectorSchemaRoot batch = VectorSchemaRoot.create(table.getSchema(), allocator);
        ArrowFileWriter writer = new ArrowFileWriter(batch, null, channel)) {
      writer.start();
      VectorLoader loader = new VectorLoader(batch);
      int rows = table.getRowCount();
      for (int start = 0; start < rows || start == 0; start += BATCH_ROWS) {
        int length = Math.min(BATCH_ROWS, rows - start);
        try (VectorSchemaRoot slice = table.slice(start, length);
            ArrowRecordBatch records = new VectorUnloader(slice).getRecordBatch()) {
          loader.load(records);
          writer.writeBatch();
        }
        if (rows == 0) {
          break;
        }
      }
      writer.end();
      channel.force(true);
    }
  }
}
