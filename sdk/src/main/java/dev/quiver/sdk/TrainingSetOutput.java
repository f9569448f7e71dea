package dev.quiver.sdk;

import dev.quiver.offline.ArrowAccess;
import dev.quiver.offline.io.PendingFile;
import dev.quiver.offline.io.TrainingSetFiles;
import dev.quiver.offline.io.TrainingSetWriter;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.offline.stats.TableStatistics;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Definitions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A training set file written batch by batch as the batches arrive, and its manifest, both under
 * temporary names until {@link #commit}: readers never see half a training set, and a failure
 * leaves any earlier output in place.
 */
final class TrainingSetOutput implements Consumer<VectorSchemaRoot>, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TrainingSetOutput.class);

  private final Path output;
  private final BufferAllocator allocator;
  private final PendingFile data;
  private final PendingFile meta;
  private final TableStatistics statistics;
  private TrainingSetWriter writer;
  private long statisticsNanos;

  /**
   * @throws dev.quiver.QuiverException for an extension other than .parquet, .arrow or .csv
   */
  /**
   * @param featureColumns the columns whose statistics the manifest records, gathered from each
   *     batch as it is written
   */
  TrainingSetOutput(Path output, BufferAllocator allocator, Set<String> featureColumns) {
    if (TrainingSetFiles.formatOf(output) == TrainingSetFiles.Format.ARROW) {
      // Before the join runs, not after.
      ArrowAccess.require("write the Arrow IPC file " + output);
    }
    this.output = output.toAbsolutePath();
    this.allocator = allocator;
    this.statistics = new TableStatistics(featureColumns::contains);
    this.data = PendingFile.beside(this.output);
    try {
      this.meta = PendingFile.beside(DatasetManifest.pathFor(this.output));
    } catch (RuntimeException e) {
      data.close();
      throw e;
    }
  }

  /** The output columns of the request's features: those the manifest has statistics of. */
  static Set<String> featureColumns(HistoricalRequest request, Definitions definitions) {
    FeatureSelection selection =
        FeatureSelection.of(definitions, request.featureService(), request.features());
    Set<String> columns = new HashSet<>();
    for (FeatureSelection.Requested requested : selection.requested()) {
      columns.add(requested.outputName(request.fullFeatureNames()));
    }
    return columns;
  }

  Path path() {
    return output;
  }

  /** Writes the next batch (from this output's allocator). */
  @Override
  public void accept(VectorSchemaRoot batch) {
    try {
      if (writer == null) {
        writer = TrainingSetFiles.open(data, batch.getSchema(), allocator);
      }
      writer.write(batch);
      long start = System.nanoTime();
      statistics.update(batch);
      statisticsNanos += System.nanoTime() - start;
    } catch (IOException e) {
      throw TrainingSetFiles.cannotWrite(output, e);
    }
  }

  /**
   * Completes the file, writes the manifest with the statistics of the rows written, and moves both
   * into place; returns that manifest.
   */
  DatasetManifest commit(DatasetManifest withoutStatistics) {
    long start = System.nanoTime();
    DatasetManifest manifest = withoutStatistics.withStatistics(statistics.results());
    statisticsNanos += System.nanoTime() - start;
    LOG.info(
        "Statistics of {} feature columns gathered in {} ms",
        manifest.statistics().size(),
        statisticsNanos / 1_000_000);
    if (writer == null) {
      throw new IllegalStateException(
          "No batch was written to " + output + ", or it was committed");
    }
    try {
      writer.finish();
      // Closed before the move, which some platforms refuse for open files.
      writer.close();
      writer = null;
      try (FileChannel channel =
          FileChannel.open(
              meta.temp(), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        channel.write(ByteBuffer.wrap(manifest.toJson().getBytes(StandardCharsets.UTF_8)));
        channel.force(true);
      }
    } catch (IOException e) {
      throw TrainingSetFiles.cannotWrite(output, e);
    }
    data.commit();
    meta.commit();
    LOG.info("{} and its manifest written", output);
    return manifest;
  }

  /** Releases the writer; without a commit, removes the temporary files. */
  @Override
  public void close() {
    try (data;
        meta) {
      if (writer != null) {
        writer.close();
      }
    }
  }
}
