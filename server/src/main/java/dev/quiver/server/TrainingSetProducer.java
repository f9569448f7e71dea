package dev.quiver.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.ErrorKind;
import dev.quiver.QuiverException;
import dev.quiver.offline.join.JoinOptions;
import dev.quiver.offline.join.JoinProgress;
import dev.quiver.offline.manifest.DatasetManifest;
import dev.quiver.sdk.HistoricalRequest;
import dev.quiver.sdk.ServerProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.ErrorFlightMetadata;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.NoOpFlightProducer;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Historical retrieval over Flight's {@code DoExchange}. The descriptor's command is JSON ({@code
 * {"features": [...]}} or {@code {"feature_service": "..."}}, and {@code "full_feature_names"} and
 * {@code "timestamp_column"}, both optional); the client streams its entity rows, then reads the
 * training set back in batches of {@link #BATCH_ROWS} rows, and last an empty batch whose
 * application metadata is the manifest's JSON. Errors arrive as Flight statuses: NOT_FOUND for an
 * unknown view, feature or service, INVALID_ARGUMENT for a bad request or bad entity rows, INTERNAL
 * with its message for a failure of the server's data (a source file gone, say), INTERNAL without
 * detail for anything unexpected.
 */
final class TrainingSetProducer extends NoOpFlightProducer {

  private static final Logger LOG = LoggerFactory.getLogger(TrainingSetProducer.class);
  static final int BATCH_ROWS = 65_536;

  /** How long a client may take no batch before the server gives up on it. */
  static final Duration CLIENT_TIMEOUT = Duration.ofMinutes(10);

  /** The client cancelled: there is nobody to send an error to. */
  private static final class ClientGone extends RuntimeException {
    ClientGone(String message) {
      super(message, null, false, false);
    }
  }

  /** Rows read are reported at most this often. */
  static final Duration PROGRESS_EVERY = Duration.ofMillis(200);

  /** The most entity rows one request may send (a client cannot fill the server's memory). */
  static final int MAX_ENTITY_ROWS = 50_000_000;

  private final FeatureService features;
  private final JoinOptions joinOptions;
  private final BufferAllocator allocator;

  TrainingSetProducer(FeatureService features, ServerSettings settings, BufferAllocator allocator) {
    this.features = features;
    this.joinOptions = JoinOptions.defaults().withChunkRows(settings.trainingSetChunkRows());
    this.allocator = allocator;
  }

  @Override
  public void doExchange(CallContext context, FlightStream reader, ServerStreamListener writer) {
    try {
      JsonNode command =
          JsonBodies.object(
              new String(reader.getDescriptor().getCommand(), StandardCharsets.UTF_8));
      HistoricalRequest.Builder request = request(command);
      try (VectorSchemaRoot entities = entityRows(reader);
          Batches batches = new Batches(writer)) {
        // Progress goes only to clients that ask for it: others may not expect messages with
        // metadata alone.
        if (JsonBodies.optionalBoolean(command, "progress")) {
          request.progress(batches.progress());
        }
        DatasetManifest manifest =
            features.store().streamHistoricalFeatures(request.entities(entities).build(), batches);
        batches.finish(manifest.toJson());
      }
    } catch (ClientGone e) {
      LOG.info("A training set over Flight stopped: {}", e.getMessage());
    } catch (QuiverException e) {
      writer.error(status(e).toRuntimeException());
    } catch (FlightRuntimeException e) {
      if (e.status().code() == FlightStatusCode.CANCELLED) {
        // The client went away while a batch was being sent: nobody to answer, nothing broken.
        LOG.info("A training set over Flight stopped: the client cancelled ({})", e.getMessage());
      } else {
        LOG.error("A training set over Flight failed", e);
        writer.error(
            CallStatus.INTERNAL
                .withDescription("The server failed to answer; its log has the details")
                .toRuntimeException());
      }
    } catch (RuntimeException e) {
      LOG.error("A training set over Flight failed", e);
      writer.error(
          CallStatus.INTERNAL
              .withDescription("The server failed to answer; its log has the details")
              .toRuntimeException());
    }
  }

  /**
   * A failure as a Flight status by its kind, the kind's label in the metadata (the remote client
   * maps it back to the same exception); failures of the server's own data are logged.
   */
  private static CallStatus status(QuiverException e) {
    ErrorKind kind = e.kind();
    CallStatus status =
        switch (kind) {
          case NOT_FOUND -> CallStatus.NOT_FOUND;
          case UNAUTHORIZED -> CallStatus.UNAUTHENTICATED;
          case ONLINE_STORE, MEMORY_LIMIT -> CallStatus.UNAVAILABLE;
          default ->
              kind.fault() == ErrorKind.Fault.REQUEST
                  ? CallStatus.INVALID_ARGUMENT
                  : CallStatus.INTERNAL;
        };
    if (kind.fault() == ErrorKind.Fault.SERVER) {
      LOG.warn("A training set over Flight failed: {}", e.getMessage());
    }
    ErrorFlightMetadata metadata = new ErrorFlightMetadata();
    metadata.insert(ServerProtocol.FLIGHT_KIND, kind.label());
    return status.withDescription(e.getMessage()).withMetadata(metadata);
  }

  private HistoricalRequest.Builder request(JsonNode body) {
    JsonBodies.FeatureChoice choice = JsonBodies.featureChoice(body);
    HistoricalRequest.Builder request =
        HistoricalRequest.builder()
            .joinOptions(joinOptions)
            .fullFeatureNames(JsonBodies.optionalBoolean(body, "full_feature_names"));
    String timestampColumn = JsonBodies.optionalText(body, "timestamp_column");
    if (timestampColumn != null) {
      if (timestampColumn.isBlank()) {
        throw new BadRequestException("\"timestamp_column\" must name a column");
      }
      request.timestampColumn(timestampColumn);
    }
    return choice.service() != null
        ? request.featureService(choice.service())
        : request.features(choice.references());
  }

  /** The client's entity rows, all batches in one table. */
  private VectorSchemaRoot entityRows(FlightStream reader) {
    VectorSchemaRoot all = VectorSchemaRoot.create(reader.getSchema(), allocator);
    try {
      // Appending needs allocated buffers (offsets of text columns, for one).
      all.allocateNew();
      while (reader.next()) {
        if ((long) all.getRowCount() + reader.getRoot().getRowCount() > MAX_ENTITY_ROWS) {
          throw new BadRequestException(
              "More than " + MAX_ENTITY_ROWS + " entity rows in one request: split it");
        }
        VectorSchemaRootAppender.append(all, reader.getRoot());
      }
      return all;
    } catch (RuntimeException e) {
      all.close();
      throw e;
    }
  }

  /**
   * Sends each chunk of the training set, as the join makes it, in batches of at most {@link
   * #BATCH_ROWS} rows: memory holds one chunk (the store's) and one batch (Flight's), copied out of
   * the chunk in bulk, as the chunk belongs to the store's allocator and the batch to Flight's.
   */
  private final class Batches implements Consumer<VectorSchemaRoot>, AutoCloseable {
    private final ServerStreamListener writer;
    private final BackpressureStrategy backpressure =
        new BackpressureStrategy.CallbackBackpressureStrategy();
    private final ReentrantLock sending = new ReentrantLock();
    private VectorSchemaRoot batch;
    private long sent;
    private ProgressSender progress;

    Batches(ServerStreamListener writer) {
      this.writer = writer;
      backpressure.register(writer);
    }

    /**
     * Waits until the client can take another batch: batches are not piled up in gRPC's queue for a
     * slow client, and a client that went away stops the join (the exception ends it).
     */
    private void awaitClient() {
      switch (backpressure.waitForListener(CLIENT_TIMEOUT.toMillis())) {
        case READY, OTHER -> {}
        case CANCELLED ->
            throw new ClientGone("the client cancelled the call after " + sent + " batches");
        case TIMEOUT ->
            throw new QuiverException(
                "The client took no batch for " + CLIENT_TIMEOUT.toMinutes() + " minutes");
      }
    }

    /**
     * The join's progress, sent to the client as metadata-only messages ({@code {"quiver_progress":
     * {...}}}) as the remote store's roles read them: the total at once, the rows read at most
     * every {@link #PROGRESS_EVERY} and before each batch of rows.
     */
    JoinProgress progress() {
      progress = new ProgressSender();
      return progress;
    }

    private final class ProgressSender implements JoinProgress {
      private final AtomicLong unsent = new AtomicLong();
      private final AtomicLong lastSent = new AtomicLong(System.nanoTime());

      @Override
      public void totalSourceRows(long rows) {
        sendProgress(Map.of("total_source_rows", rows), true);
      }

      @Override
      public void sourceRowsRead(long rows) {
        unsent.addAndGet(rows);
        long now = System.nanoTime();
        long last = lastSent.get();
        if (now - last >= PROGRESS_EVERY.toNanos() && lastSent.compareAndSet(last, now)) {
          flush(false);
        }
      }

      /** Sends the rows read not yet told (kept for later when a batch is being sent). */
      void flush(boolean wait) {
        long rows = unsent.getAndSet(0);
        if (rows > 0 && !sendProgress(Map.of("source_rows_read", rows), wait)) {
          unsent.addAndGet(rows);
        }
      }
    }

    /**
     * Sends a progress message, unless {@code wait} is false and a batch is being sent (which may
     * wait minutes for a slow client: the join's workers must not wait with it).
     *
     * @return whether it was sent
     */
    private boolean sendProgress(Map<String, Object> progress, boolean wait) {
      if (wait) {
        sending.lock();
      } else if (!sending.tryLock()) {
        return false;
      }
      try {
        byte[] message =
            JsonBodies.write(Map.of(ServerProtocol.PROGRESS, progress))
                .getBytes(StandardCharsets.UTF_8);
        ArrowBuf buffer = allocator.buffer(message.length);
        buffer.writeBytes(message);
        writer.putMetadata(buffer);
      } catch (RuntimeException e) {
        // Progress is not worth failing for: a client gone is noticed at the next batch.
        LOG.debug("Progress not sent: {}", e.getMessage());
      } finally {
        sending.unlock();
      }
      return true;
    }

    @Override
    public void accept(VectorSchemaRoot chunk) {
      sending.lock();
      try {
        send(chunk);
      } finally {
        sending.unlock();
      }
    }

    private void send(VectorSchemaRoot chunk) {
      if (progress != null) {
        progress.flush(true);
      }
      if (batch == null) {
        batch = VectorSchemaRoot.create(chunk.getSchema(), allocator);
        writer.start(batch);
      }
      for (int from = 0; from < chunk.getRowCount(); from += BATCH_ROWS) {
        int rows = Math.min(BATCH_ROWS, chunk.getRowCount() - from);
        batch.allocateNew();
        // Buffers copied in bulk (a value at a time took a third of the remote overhead).
        try (VectorSchemaRoot slice = chunk.slice(from, rows)) {
          VectorSchemaRootAppender.append(batch, slice);
        }
        awaitClient();
        writer.putNext();
        sent++;
      }
    }

    /** Last, an empty batch whose metadata is the training set's manifest (JSON). */
    void finish(String manifest) {
      sending.lock();
      try {
        last(manifest);
      } finally {
        sending.unlock();
      }
    }

    private void last(String manifest) {
      if (progress != null) {
        progress.flush(true);
      }
      batch.setRowCount(0);
      byte[] metadata = manifest.getBytes(StandardCharsets.UTF_8);
      ArrowBuf buffer = allocator.buffer(metadata.length);
      buffer.writeBytes(metadata);
      awaitClient();
      writer.putNext(buffer);
      writer.completed();
    }

    @Override
    public void close() {
      if (batch != null) {
        batch.close();
      }
    }
  }
}
