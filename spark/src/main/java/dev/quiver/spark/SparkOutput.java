package dev.quiver.spark;

import dev.quiver.OutputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Writes a training set from the executors: a folder of Parquet part files in row order, or, for an
 * output named {@code .parquet}, one file that Spark itself coalesces. Either is written beside the
 * output under a hidden name and moved into place when complete, so a failed job leaves the
 * previous output (or none), never half of one.
 */
final class SparkOutput {

  private SparkOutput() {}

  /** Whether {@code output} is one Parquet file rather than a folder of them. */
  static boolean isSingleFile(Path output) {
    return output.getFileName().toString().endsWith(".parquet");
  }

  /**
   * @param order the columns giving the rows' order, dropped from what is written
   */
  static void write(Dataset<Row> table, List<String> order, Path output) {
    Path target = output.toAbsolutePath().normalize();
    Path parent = target.getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new OutputException("Cannot create the folder " + parent + ": " + e.getMessage(), e);
    }
    Path staging = parent.resolve("." + target.getFileName() + ".spark-" + UUID.randomUUID());
    try {
      Column[] by = order.stream().map(functions::col).toArray(Column[]::new);
      String[] ranks = order.toArray(String[]::new);
      // One file: one partition sorted by Spark (it spills), as coalescing sorted partitions
      // may put them in any order on a cluster. A folder: a global sort, parts in order.
      Dataset<Row> written =
          isSingleFile(target)
              ? table.repartition(1).sortWithinPartitions(by).drop(ranks)
              : table.orderBy(by).drop(ranks);
      written.write().parquet(staging.toUri().toString());
      try (Stream<Path> files = Files.list(staging)) {
        if (files.noneMatch(f -> f.getFileName().toString().startsWith("part-"))) {
          throw new OutputException(
              "Cannot write "
                  + target
                  + ": Spark's executors wrote no part file where the driver looks; on a cluster,"
                  + " write to a folder the driver and every executor share",
              null);
        }
      }
      if (isSingleFile(target)) {
        List<Path> parts;
        try (Stream<Path> files = Files.list(staging)) {
          parts =
              files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList();
        }
        if (parts.size() != 1) {
          throw new OutputException(
              "Cannot write " + target + ": Spark wrote " + parts.size() + " files, not one", null);
        }
        Files.move(
            parts.get(0),
            target,
            StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } else {
        replaceFolder(staging, target);
        staging = null;
      }
    } catch (IOException e) {
      throw new OutputException("Cannot write " + target + ": " + e.getMessage(), e);
    } finally {
      if (staging != null) {
        deleteTree(staging);
      }
    }
  }

  /** Moves a complete folder to {@code target}, replacing what was there. */
  private static void replaceFolder(Path staging, Path target) throws IOException {
    try (Stream<Path> files = Files.list(staging)) {
      // Spark's checksum files are noise beside the data; its _SUCCESS marker stays.
      for (Path file : files.toList()) {
        if (file.getFileName().toString().endsWith(".crc")) {
          Files.delete(file);
        }
      }
    }
    Path old = null;
    if (Files.exists(target)) {
      old = target.resolveSibling("." + target.getFileName() + ".old-" + UUID.randomUUID());
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    if (old != null) {
      deleteTree(old);
    }
  }

  /** Writes a small text file atomically: a hidden file beside it, then moved into place. */
  static void writeText(Path file, String text) {
    Path staging = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID());
    try {
      Files.writeString(staging, text);
      Files.move(
          staging, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new OutputException("Cannot write " + file + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(staging);
      } catch (IOException ignored) {
        // Nothing to add to the error above, if any.
      }
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
