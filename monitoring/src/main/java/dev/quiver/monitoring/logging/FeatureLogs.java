package dev.quiver.monitoring.logging;

import dev.quiver.EpochNanos;
import dev.quiver.offline.io.EntityFiles;
import dev.quiver.registry.InvalidRequestException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;

/**
 * Reads a service's feature logs ({@link FeatureLogger} writes them): the finished files of its
 * folder, oldest first, and their rows as Arrow tables, optionally only those served since an
 * instant. Files still being written have hidden names and are not listed.
 */
public final class FeatureLogs {

  private FeatureLogs() {}

  /**
   * The finished log files in {@code folder}, in the order they were started; with {@code since},
   * only those that may hold a row served at or after it (a file is finished after its last row, so
   * one last modified before {@code since} holds none).
   *
   * @return empty when the folder does not exist
   */
  public static List<Path> files(Path folder, Instant since) {
    if (!Files.isDirectory(folder)) {
      return List.of();
    }
    try (Stream<Path> listed = Files.list(folder)) {
      return listed
          .filter(f -> isLogFile(f.getFileName().toString()))
          .filter(f -> since == null || !modified(f).isBefore(since))
          .sorted(
              java.util.Comparator.comparing((Path f) -> startMillis(f.getFileName().toString()))
                  .thenComparing(f -> f.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the feature logs in " + folder, e);
    }
  }

  /** Whether a file name is a finished log file's. */
  static boolean isLogFile(String name) {
    return name.startsWith("log-") && name.endsWith(".parquet");
  }

  private static long startMillis(String name) {
    String[] parts = name.split("-");
    try {
      return Long.parseLong(parts[1]);
    } catch (RuntimeException e) {
      return Long.MAX_VALUE;
    }
  }

  private static Instant modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toInstant();
    } catch (IOException e) {
      return Instant.MAX;
    }
  }

  /**
   * The rows of one log file, with {@code since} only those served at or after it. Close the table.
   *
   * @throws InvalidRequestException when the file is not a readable Parquet file
   */
  public static VectorSchemaRoot read(Path file, Instant since, BufferAllocator allocator) {
    VectorSchemaRoot all = EntityFiles.read(file, Map.of(), allocator).root();
    if (since == null) {
      return all;
    }
    try {
      FieldVector times = all.getVector(FeatureLogSchema.REQUEST_TIME);
      if (!(times instanceof TimeStampVector stamps)) {
        throw new InvalidRequestException(
            "Cannot read feature log " + file + ": it has no request_time column");
      }
      long perUnit =
          dev.quiver.offline.ArrowTypes.nanosPerUnit(
              ((ArrowType.Timestamp) stamps.getField().getType()).getUnit());
      long sinceNanos = EpochNanos.of(since);
      VectorSchemaRoot kept = VectorSchemaRoot.create(all.getSchema(), allocator);
      try {
        kept.allocateNew();
        int out = 0;
        for (int row = 0; row < all.getRowCount(); row++) {
          if (stamps.isNull(row) || stamps.get(row) * perUnit < sinceNanos) {
            continue;
          }
          for (int c = 0; c < all.getFieldVectors().size(); c++) {
            kept.getVector(c).copyFromSafe(row, out, all.getVector(c));
          }
          out++;
        }
        kept.setRowCount(out);
        return kept;
      } catch (RuntimeException e) {
        kept.close();
        throw e;
      }
    } finally {
      all.close();
    }
  }
}
