package dev.quiver.offline.join;

import dev.quiver.OutputException;
import dev.quiver.offline.ArrowAccess;
import dev.quiver.offline.ArrowTypes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Source rows of one view spilled to disk, one Arrow IPC stream file per key partition, so that the
 * join holds one partition in memory at a time. Each batch carries the search columns (key id,
 * event and created time, order) and the feature values. The folder is deleted on close.
 */
final class SpillPartitions implements AutoCloseable {

  private static final String KEY = "__key";
  private static final String TS = "__ts";
  private static final String CREATED = "__created";
  private static final String ORDINAL = "__ordinal";

  private final Path directory;
  private final List<ViewJoin.FieldVectorSpec> features;
  private final BufferAllocator allocator;
  private final Schema schema;
  private final Writer[] writers;

  /** An open spill file and the root its batches are staged in. */
  private final class Writer {
    final Path file;
    FileChannel channel;
    VectorSchemaRoot root;
    ArrowStreamWriter stream;
    boolean finished;

    Writer(Path file) {
      this.file = file;
    }

    void open() throws IOException {
      channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      root = VectorSchemaRoot.create(schema, allocator);
      stream = new ArrowStreamWriter(root, null, channel);
      stream.start();
    }
  }

  SpillPartitions(
      Path parent,
      int partitions,
      List<ViewJoin.FieldVectorSpec> features,
      BufferAllocator allocator) {
    ArrowAccess.require("spill the join of a source larger than memory to disk");
    this.features = features;
    this.allocator = allocator;
    List<Field> fields = new ArrayList<>();
    fields.add(new Field(KEY, FieldType.notNullable(new ArrowType.Int(32, true)), null));
    fields.add(new Field(TS, FieldType.notNullable(new ArrowType.Int(64, true)), null));
    fields.add(new Field(CREATED, FieldType.notNullable(new ArrowType.Int(64, true)), null));
    fields.add(new Field(ORDINAL, FieldType.notNullable(new ArrowType.Int(64, true)), null));
    for (ViewJoin.FieldVectorSpec feature : features) {
      fields.add(ArrowTypes.field(feature.name(), feature.type()));
    }
    this.schema = new Schema(fields);
    try {
      Files.createDirectories(parent);
      this.directory = Files.createTempDirectory(parent, "quiver-join-");
    } catch (IOException e) {
      throw spillFailed("create a spill folder in", parent, e);
    }
    this.writers = new Writer[partitions];
    for (int p = 0; p < partitions; p++) {
      writers[p] = new Writer(directory.resolve("partition-" + p + ".arrows"));
    }
  }

  /** Appends the rows of {@code rows} (whose refs point into {@code chunk}) to a partition. */
  void write(int partition, SourceRows rows, VectorSchemaRoot chunk) {
    Writer writer = writers[partition];
    synchronized (writer) {
      try {
        if (writer.channel == null) {
          writer.open();
        }
        VectorSchemaRoot root = writer.root;
        root.allocateNew();
        IntVector key = (IntVector) root.getVector(KEY);
        BigIntVector ts = (BigIntVector) root.getVector(TS);
        BigIntVector created = (BigIntVector) root.getVector(CREATED);
        BigIntVector ordinal = (BigIntVector) root.getVector(ORDINAL);
        for (int i = 0; i < rows.size; i++) {
          key.setSafe(i, rows.key[i]);
          ts.setSafe(i, rows.ts[i]);
          created.setSafe(i, rows.created[i]);
          ordinal.setSafe(i, rows.ordinal[i]);
          int sourceRow = SourceRows.rowOf(rows.ref[i]);
          for (ViewJoin.FieldVectorSpec feature : features) {
            root.getVector(feature.name())
                .copyFromSafe(sourceRow, i, chunk.getVector(feature.name()));
          }
        }
        root.setRowCount(rows.size);
        writer.stream.writeBatch();
      } catch (IOException e) {
        throw spillFailed("write the spill file", writer.file, e);
      }
    }
  }

  /** A partition read back: its search columns and the batches its references point into. */
  record Loaded(SourceRows rows, List<VectorSchemaRoot> chunks) implements AutoCloseable {
    @Override
    public void close() {
      chunks.forEach(VectorSchemaRoot::close);
    }
  }

  /** Reads a partition back, after which its file is deleted. */
  Loaded load(int partition) {
    Writer writer = writers[partition];
    List<VectorSchemaRoot> chunks = new ArrayList<>();
    SourceRows rows = new SourceRows(1024);
    synchronized (writer) {
      if (writer.channel == null) {
        return new Loaded(rows, chunks);
      }
      try {
        finish(writer);
        try (FileChannel channel = FileChannel.open(writer.file, StandardOpenOption.READ);
            ArrowStreamReader reader = new ArrowStreamReader(channel, allocator)) {
          while (reader.loadNextBatch()) {
            VectorSchemaRoot batch = reader.getVectorSchemaRoot();
            List<FieldVector> owned = new ArrayList<>();
            for (FieldVector vector : batch.getFieldVectors()) {
              org.apache.arrow.vector.util.TransferPair transfer =
                  vector.getTransferPair(allocator);
              transfer.transfer();
              owned.add((FieldVector) transfer.getTo());
            }
            VectorSchemaRoot chunk = new VectorSchemaRoot(owned);
            chunk.setRowCount(batch.getRowCount());
            int chunkIndex = chunks.size();
            chunks.add(chunk);
            IntVector key = (IntVector) chunk.getVector(KEY);
            BigIntVector ts = (BigIntVector) chunk.getVector(TS);
            BigIntVector created = (BigIntVector) chunk.getVector(CREATED);
            BigIntVector ordinal = (BigIntVector) chunk.getVector(ORDINAL);
            for (int i = 0; i < chunk.getRowCount(); i++) {
              rows.add(
                  key.get(i),
                  ts.get(i),
                  created.get(i),
                  ordinal.get(i),
                  SourceRows.reference(chunkIndex, i));
            }
          }
        }
        Files.deleteIfExists(writer.file);
      } catch (IOException e) {
        chunks.forEach(VectorSchemaRoot::close);
        throw spillFailed("read the spill file", writer.file, e);
      }
    }
    return new Loaded(rows, chunks);
  }

  private static void finish(Writer writer) throws IOException {
    if (!writer.finished) {
      writer.stream.end();
      writer.stream.close();
      writer.root.close();
      writer.channel.close();
      writer.finished = true;
    }
  }

  @Override
  public void close() {
    for (Writer writer : writers) {
      synchronized (writer) {
        if (writer.channel != null) {
          try {
            finish(writer);
          } catch (IOException e) {
            // Closing after a failure; the folder is removed below.
          }
        }
      }
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw spillFailed("delete the spill folder", directory, e);
    }
  }

  /**
   * A spill file or folder the file system refused: the join cannot go on, and the operator has to
   * give it room (the folder is the JVM's {@code java.io.tmpdir} unless the caller chose one).
   */
  private static OutputException spillFailed(String action, Path path, IOException e) {
    return new OutputException(
        "Cannot "
            + action
            + " "
            + path
            + ": "
            + e
            + " (spilling needs free space there; is the disk full or the folder not writable?"
            + " -Djava.io.tmpdir moves it)",
        e);
  }
}
