package dev.quiver.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.QuiverException;
import dev.quiver.offline.io.EntityFiles;
import dev.quiver.offline.join.JoinProgress;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.ScalarType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;

/**
 * The remote store's offline role: training sets over Arrow Flight. The entity rows go to the
 * server in batches; the training set comes back batch by batch, then its manifest as the last
 * batch's metadata. Metadata-only messages before that carry the join's progress, passed on to the
 * request's {@link JoinProgress} as the embedded store reports it.
 */
final class RemoteHistorical implements HistoricalFeatures {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BATCH_ROWS = 65_536;

  private final FeatureServerClient client;
  private final RemoteRegistry registry;

  RemoteHistorical(FeatureServerClient client, RemoteRegistry registry) {
    this.client = client;
    this.registry = registry;
  }

  @Override
  public TrainingSet historicalFeatures(HistoricalRequest request) {
    VectorSchemaRoot[] table = new VectorSchemaRoot[1];
    try {
      DatasetManifest manifest =
          streamHistoricalFeatures(
              request,
              batch -> {
                if (table[0] == null) {
                  table[0] = VectorSchemaRoot.create(batch.getSchema(), client.allocator());
                  // Appending needs allocated buffers (offsets of text columns, for one).
                  table[0].allocateNew();
                }
                if (batch.getRowCount() > 0) {
                  VectorSchemaRootAppender.append(table[0], batch);
                }
              });
      return new TrainingSet(table[0], manifest);
    } catch (RuntimeException e) {
      if (table[0] != null) {
        table[0].close();
      }
      throw e;
    }
  }

  @Override
  public DatasetManifest streamHistoricalFeatures(
      HistoricalRequest request, Consumer<VectorSchemaRoot> batches) {
    Objects.requireNonNull(batches, "batches");
    Map<String, Object> command = new LinkedHashMap<>();
    if (request.featureService() != null) {
      command.put("feature_service", request.featureService());
    } else {
      command.put("features", request.features());
    }
    command.put("full_feature_names", request.fullFeatureNames());
    if (request.entityColumns().timestampColumn() != null) {
      command.put("timestamp_column", request.entityColumns().timestampColumn());
    }
    command.put("progress", request.progress() != JoinProgress.NONE);
    try (VectorSchemaRoot entities = entityRows(request);
        FlightClient.ExchangeReaderWriter exchange = client.exchange(command)) {
      send(entities, exchange.getWriter());
      return receive(exchange.getReader(), batches, request.progress());
    } catch (FlightRuntimeException e) {
      throw client.flightError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException("Interrupted while fetching a training set", e);
    } catch (Exception e) {
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new QuiverException(
          "Cannot fetch a training set from " + client.server() + ": " + e, e);
    }
  }

  /** Sends the entity rows in batches of at most {@link #BATCH_ROWS} (one empty when none). */
  private void send(VectorSchemaRoot entities, FlightClient.ClientStreamListener writer) {
    try (VectorSchemaRoot batch =
        VectorSchemaRoot.create(entities.getSchema(), client.allocator())) {
      writer.start(batch);
      for (int from = 0; from < Math.max(entities.getRowCount(), 1); from += BATCH_ROWS) {
        int rows = Math.min(BATCH_ROWS, entities.getRowCount() - from);
        batch.allocateNew();
        if (rows > 0) {
          try (VectorSchemaRoot slice = entities.slice(from, rows)) {
            VectorSchemaRootAppender.append(batch, slice);
          }
        }
        writer.putNext();
      }
      writer.completed();
    }
  }

  /** Hands on the training set's batches and the progress; returns the manifest. */
  private DatasetManifest receive(
      FlightStream reader, Consumer<VectorSchemaRoot> batches, JoinProgress progress) {
    boolean delivered = false;
    String manifest = null;
    while (reader.next()) {
      ArrowBuf metadata = reader.getLatestMetadata();
      String text = null;
      if (metadata != null) {
        byte[] bytes = new byte[(int) metadata.readableBytes()];
        metadata.getBytes(0, bytes);
        text = new String(bytes, StandardCharsets.UTF_8);
        if (reportProgress(text, progress)) {
          continue;
        }
        // The last batch (empty from this server): its metadata is the manifest.
        manifest = text;
      }
      if (!reader.hasRoot()) {
        continue;
      }
      boolean last = text != null;
      if (reader.getRoot().getRowCount() > 0 || (last && !delivered)) {
        // Every batch with rows; an empty one only when nothing else came (for the schema).
        batches.accept(reader.getRoot());
        delivered = true;
      }
    }
    if (manifest == null) {
      throw new QuiverException(
          "The feature server at " + client.server() + " sent no training set");
    }
    return DatasetManifest.fromJson(manifest, client.server().toString());
  }

  /** Passes a progress message on; false when {@code text} is not one. */
  private static boolean reportProgress(String text, JoinProgress progress) {
    if (!text.startsWith("{\"" + ServerProtocol.PROGRESS + "\"")) {
      return false;
    }
    try {
      JsonNode node = JSON.readTree(text).get(ServerProtocol.PROGRESS);
      if (node.has("total_source_rows")) {
        progress.totalSourceRows(node.get("total_source_rows").asLong());
      }
      if (node.has("source_rows_read")) {
        progress.sourceRowsRead(node.get("source_rows_read").asLong());
      }
    } catch (IOException e) {
      // A message the server sends only as progress; one that does not parse is not shown.
    }
    return true;
  }

  /** The request's entity rows, read from its file here when it names one. */
  private VectorSchemaRoot entityRows(HistoricalRequest request) {
    if (request.entityFile() == null) {
      VectorSchemaRoot rows =
          VectorSchemaRoot.create(request.entityRows().getSchema(), client.allocator());
      rows.allocateNew();
      VectorSchemaRootAppender.append(rows, request.entityRows());
      return rows;
    }
    Definitions definitions = registry.snapshot().definitions();
    // The same column types as the embedded store reads the file with.
    Map<String, ScalarType> columnTypes =
        EntityFiles.columnTypes(
            FeatureSelection.of(definitions, request.featureService(), request.features()),
            definitions);
    return EntityFiles.read(
            request.entityFile().toAbsolutePath(),
            columnTypes,
            request.entityColumns(),
            client.allocator())
        .root();
  }

  @Override
  public DatasetManifest writeHistoricalFeatures(HistoricalRequest request, Path output) {
    Definitions definitions = registry.snapshot().definitions();
    try (TrainingSetOutput file =
        new TrainingSetOutput(
            output, client.allocator(), TrainingSetOutput.featureColumns(request, definitions))) {
      DatasetManifest received = streamHistoricalFeatures(request, file);
      return file.commit(received.withOutput(file.path()));
    }
  }

  /**
   * Reproducing reads the repo's source files and checks their checksums, which only the server's
   * host has: run {@code quiver reproduce} there, or open the repo with {@link FeatureStore#open}.
   */
  @Override
  public DatasetManifest reproduce(Path manifest, Path output) {
    throw new UnsupportedOperationException(
        "Cannot reproduce through the feature server at "
            + client.server()
            + ": reproducing checks the repo's source files, which are on the server's host; run"
            + " 'quiver reproduce' there");
  }
}
