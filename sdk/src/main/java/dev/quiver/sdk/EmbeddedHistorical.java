package dev.quiver.sdk;

import dev.quiver.QuiverVersion;
import dev.quiver.offline.SourceDataException;
import dev.quiver.offline.io.EntityFiles;
import dev.quiver.offline.io.FileRead;
import dev.quiver.offline.io.TableChecksum;
import dev.quiver.offline.io.TrainingSetFiles;
import dev.quiver.offline.join.EntityTable;
import dev.quiver.offline.join.PointInTimeJoin;
import dev.quiver.offline.join.SourceFileRead;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.offline.parquet.SourceFiles;
import dev.quiver.offline.resources.MemoryBudget;
import dev.quiver.offline.resources.MemoryLimitException;
import dev.quiver.offline.resources.Reservation;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.store.RegistrySnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store's offline role: training sets joined in this process from the repo's sources
 * (or, to reproduce one, from the sources and definitions a manifest recorded), each within a
 * reservation of the process's memory. A retrieval reads the registry's snapshot once, at the
 * start, and its manifest records that version.
 */
final class EmbeddedHistorical implements HistoricalFeatures, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedHistorical.class);

  private final EmbeddedRegistry registry;
  private final Clock clock;

  /**
   * Holds what outlives an operation (training sets handed to the caller, files being written);
   * each operation works in a reservation of the process's {@link MemoryBudget}.
   */
  private final BufferAllocator allocator =
      MemoryBudget.process().root().newChildAllocator("feature-store", 0, Long.MAX_VALUE);

  EmbeddedHistorical(EmbeddedRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  /**
   * What a retrieval runs against: the definitions of one registry version (the one current when it
   * started, or the one a manifest recorded), and the repo whose sources it reads.
   */
  private record Inputs(Definitions definitions, long registryVersion, Path repoRoot) {}

  /** The current registry version's definitions and the repo: read once, at the start. */
  private Inputs current() {
    RegistrySnapshot snapshot = registry.snapshot();
    return new Inputs(registry.definitions(snapshot), snapshot.version(), registry.config().root());
  }

  @Override
  public TrainingSet historicalFeatures(HistoricalRequest request) {
    Run run = run(request, current(), request.entityFile(), null);
    return new TrainingSet(run.table, run.manifest(null));
  }

  @Override
  public DatasetManifest streamHistoricalFeatures(
      HistoricalRequest request, Consumer<VectorSchemaRoot> batches) {
    Objects.requireNonNull(batches, "batches");
    return run(request, current(), request.entityFile(), batches).manifest(null);
  }

  @Override
  public DatasetManifest writeHistoricalFeatures(HistoricalRequest request, Path output) {
    Inputs inputs = current();
    try (TrainingSetOutput file =
        new TrainingSetOutput(
            output, allocator, TrainingSetOutput.featureColumns(request, inputs.definitions()))) {
      Run run = run(request, inputs, request.entityFile(), file);
      return file.commit(run.manifest(file.path()));
    }
  }

  @Override
  public DatasetManifest reproduce(Path manifestPath, Path output) {
    TrainingSetFiles.formatOf(output);
    DatasetManifest original = DatasetManifest.read(manifestPath);
    if (!original.engine().equals(DatasetManifest.EMBEDDED)) {
      throw new dev.quiver.registry.InvalidRequestException(
          "Cannot reproduce "
              + manifestPath
              + " in process: the "
              + original.engine()
              + " engine built it, and its checksums are that engine's; run 'quiver reproduce'"
              + " on it, which starts the same engine");
    }
    Definitions definitions =
        FeatureRepo.definitionsFromData(original.definitions(), manifestPath.toString());
    List<String> changes = new ArrayList<>(quickChanges(original, definitions));
    if (!changes.isEmpty()) {
      throw new InputsChangedException(changes);
    }
    HistoricalRequest.Builder request =
        HistoricalRequest.builder()
            .entities(original.entities().path())
            .features(original.features())
            .fullFeatureNames(original.fullFeatureNames())
            // Every CSV column as the original run read it, not as inference would read it now.
            .columnTypes(
                original.entityColumnTypes() != null
                    ? original.entityColumnTypes()
                    : original.entityColumns().types());
    if (original.entityColumns().timestampColumn() != null) {
      request.timestampColumn(original.entityColumns().timestampColumn());
    }
    if (original.entityColumns().untypedColumns() != null) {
      request.untypedColumns(original.entityColumns().untypedColumns());
    }
    Inputs inputs = new Inputs(definitions, original.registryVersion(), original.repoRoot());
    HistoricalRequest reproduction = request.build();
    try (TrainingSetOutput file =
        new TrainingSetOutput(
            output,
            allocator,
            TrainingSetOutput.featureColumns(reproduction, inputs.definitions()))) {
      Run run = run(reproduction, inputs, original.entities().path(), file);
      changes.addAll(checksumChanges(original, run));
      if (!changes.isEmpty()) {
        throw new InputsChangedException(changes);
      }
      return file.commit(run.manifest(file.path()));
    }
  }

  /** Changes visible without reading: missing, resized or added files. */
  private static List<String> quickChanges(DatasetManifest original, Definitions definitions) {
    List<String> changes = new ArrayList<>();
    describeChange(original.entities(), "entity file").ifPresent(changes::add);
    Map<String, List<Path>> recorded = new LinkedHashMap<>();
    for (SourceFileRead source : original.sources()) {
      recorded.computeIfAbsent(source.view(), v -> new ArrayList<>()).add(source.file().path());
      describeChange(source.file(), "source file of '" + source.view() + "'")
          .ifPresent(changes::add);
    }
    for (Map.Entry<String, List<Path>> view : recorded.entrySet()) {
      FeatureView definition = definitions.featureView(view.getKey()).orElseThrow();
      ParquetSource source = definitions.sourceOf(definition);
      for (Path now : SourceFiles.resolve(original.repoRoot(), source.path())) {
        if (!view.getValue().contains(now)) {
          changes.add("new source file of '" + view.getKey() + "': " + now);
        }
      }
    }
    return changes;
  }

  private static java.util.Optional<String> describeChange(FileRead recorded, String what) {
    Path path = recorded.path();
    try {
      if (!Files.exists(path)) {
        return java.util.Optional.of(what + " " + path + " is gone");
      }
      long size = Files.size(path);
      if (size != recorded.size()) {
        return java.util.Optional.of(
            what + " " + path + " changed size (" + recorded.size() + " -> " + size + " bytes)");
      }
      return java.util.Optional.empty();
    } catch (IOException e) {
      throw new SourceDataException(
          "Cannot reproduce: the attributes of " + path + " cannot be read (" + e + ")", e);
    }
  }

  /** Changes the checksums computed while reading reveal. */
  private static List<String> checksumChanges(DatasetManifest original, Run run) {
    List<String> changes = new ArrayList<>();
    if (original.entities().checksum() != run.entities.checksum()) {
      changes.add("entity file " + original.entities().path() + " has new content");
    }
    Map<String, SourceFileRead> now = new HashMap<>();
    for (SourceFileRead read : run.reads.sourceFiles()) {
      now.put(read.view() + "|" + read.file().path(), read);
    }
    for (SourceFileRead before : original.sources()) {
      SourceFileRead after = now.get(before.view() + "|" + before.file().path());
      if (after == null || after.file().checksum() != before.file().checksum()) {
        changes.add(
            "source file of '" + before.view() + "' " + before.file().path() + " has new content");
      }
    }
    return changes;
  }

  /** One retrieval: what the manifest needs to describe it. */
  private final class Run {
    /** The whole training set, when the join ran all at once; the caller closes it. */
    final VectorSchemaRoot table;

    final PointInTimeJoin.Reads reads;
    final long rows;
    final FileRead entities;
    final Map<String, ScalarType> entityColumnTypes;
    final FeatureSelection selection;
    final HistoricalRequest request;
    final Inputs inputs;
    final Instant started;
    final Duration took;

    Run(
        VectorSchemaRoot table,
        PointInTimeJoin.Reads reads,
        long rows,
        FileRead entities,
        Map<String, ScalarType> entityColumnTypes,
        FeatureSelection selection,
        HistoricalRequest request,
        Inputs inputs,
        Instant started,
        Duration took) {
      this.table = table;
      this.reads = reads;
      this.rows = rows;
      this.entities = entities;
      this.entityColumnTypes = entityColumnTypes;
      this.selection = selection;
      this.request = request;
      this.inputs = inputs;
      this.started = started;
      this.took = took;
    }

    DatasetManifest manifest(Path output) {
      return new DatasetManifest(
          QuiverVersion.current(),
          started,
          registry.project(),
          inputs.repoRoot(),
          inputs.registryVersion(),
          selection.references(),
          request.featureService(),
          request.fullFeatureNames(),
          DatasetManifest.usedDefinitions(inputs.definitions(), selection),
          entities,
          request.entityColumns(),
          entityColumnTypes,
          reads.sourceFiles(),
          output,
          rows,
          reads.sourceRowsRead(),
          reads.skippedNullKeyRows(),
          reads.skippedNullTimestampRows(),
          took.toMillis(),
          DatasetManifest.EMBEDDED);
    }
  }

  /**
   * Runs the join: in chunks, each handed to {@code chunks} and then released, or (with {@code
   * chunks} null) all at once, the whole table in the returned run's {@code table}, which the
   * caller then owns.
   */
  private Run run(
      HistoricalRequest request,
      Inputs inputs,
      Path entityFile,
      Consumer<VectorSchemaRoot> chunks) {
    Instant started = clock.instant();
    long startNanos = System.nanoTime();
    Definitions definitions = inputs.definitions();
    Path repoRoot = inputs.repoRoot();
    FeatureSelection selection =
        FeatureSelection.of(definitions, request.featureService(), request.features());
    MemoryBudget budget = MemoryBudget.process();
    long entityBytes =
        entityFile != null
            ? EntityFiles.estimateBytes(entityFile.toAbsolutePath())
            : bufferBytes(request.entityRows());
    // As much of the process's budget as is free (the join gives back what its plan shows it will
    // not need), once at least the entity rows (and their converted keys) and a join that reads a
    // row group at a time and spills the rest fit.
    long least = 2 * entityBytes + PointInTimeJoin.leastMemory(selection, definitions, repoRoot);
    try (Reservation memory = budget.reserve("historical", budget.limit(), least)) {
      long readingEntities = System.nanoTime();
      VectorSchemaRoot rows;
      FileRead entityRead;
      Map<String, ScalarType> entityColumnTypes = null;
      if (entityFile != null) {
        EntityFiles.Loaded loaded =
            EntityFiles.read(
                entityFile.toAbsolutePath(),
                EntityFiles.columnTypes(selection, definitions),
                request.entityColumns(),
                memory.allocator());
        rows = loaded.root();
        entityRead = loaded.read();
        entityColumnTypes = loaded.csvColumnTypes();
      } else {
        rows = copyRows(request.entityRows(), memory.allocator());
        entityRead = TableChecksum.of(rows);
      }
      LOG.info(
          "{} entity rows read in {} ms",
          rows.getRowCount(),
          (System.nanoTime() - readingEntities) / 1_000_000);
      EntityTable entityTable;
      try {
        entityTable = EntityTable.of(rows, request.entityColumns().timestampColumn());
      } catch (RuntimeException e) {
        rows.close();
        throw e;
      }
      try (EntityTable table = entityTable;
          TableCollector whole = chunks == null ? new TableCollector(allocator) : null) {
        long outputRows = table.rowCount();
        Consumer<VectorSchemaRoot> consumer = chunks == null ? whole : chunks;
        // The manifest's duration is the join's: time spent by the consumer (writing a file,
        // sending batches) is left out, as it was when the whole table was returned first.
        long[] consumerNanos = {0};
        PointInTimeJoin.Reads reads =
            PointInTimeJoin.runInChunks(
                table,
                selection,
                definitions,
                repoRoot,
                request.fullFeatureNames(),
                request.joinOptions(),
                memory,
                request.progress(),
                chunk -> {
                  long handing = System.nanoTime();
                  try {
                    consumer.accept(chunk);
                  } finally {
                    consumerNanos[0] += System.nanoTime() - handing;
                  }
                });
        return new Run(
            whole == null ? null : whole.take(),
            reads,
            outputRows,
            entityRead,
            entityColumnTypes,
            selection,
            request,
            inputs,
            started,
            Duration.ofNanos(System.nanoTime() - startNanos - consumerNanos[0]));
      }
    } catch (OutOfMemoryException e) {
      throw new MemoryLimitException(
          "Cannot retrieve features: the retrieval needed more memory than the process's limit of "
              + MemoryBudget.megabytes(budget.limit())
              + " leaves free; raise "
              + MemoryBudget.LIMIT_VARIABLE
              + " or the JVM's -Xmx, send fewer entity rows at a time, or run it when fewer"
              + " operations are",
          e);
    }
  }

  private static long bufferBytes(VectorSchemaRoot rows) {
    long bytes = 0;
    for (FieldVector vector : rows.getFieldVectors()) {
      bytes += vector.getBufferSize();
    }
    return bytes;
  }

  /**
   * A copy of the caller's table in this store's memory: the caller's table stays untouched, and
   * may come from any allocator (Arrow cannot share buffers across root allocators). Columns keep
   * their types, timestamps their unit and zone.
   */
  private static VectorSchemaRoot copyRows(VectorSchemaRoot rows, BufferAllocator allocator) {
    List<FieldVector> vectors = new ArrayList<>();
    try {
      for (FieldVector vector : rows.getFieldVectors()) {
        FieldVector copy = vector.getField().createVector(allocator);
        vectors.add(copy);
        copy.setInitialCapacity(rows.getRowCount());
        copy.allocateNew();
        for (int row = 0; row < rows.getRowCount(); row++) {
          copy.copyFromSafe(row, row, vector);
        }
        copy.setValueCount(rows.getRowCount());
      }
    } catch (RuntimeException e) {
      vectors.forEach(FieldVector::close);
      throw e;
    }
    VectorSchemaRoot copy = new VectorSchemaRoot(vectors);
    copy.setRowCount(rows.getRowCount());
    return copy;
  }

  @Override
  public void close() {
    allocator.close();
  }
}
