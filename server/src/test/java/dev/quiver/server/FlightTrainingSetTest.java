package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.quiver.cli.CliRun;
import dev.quiver.example.ExampleRepo;
import dev.quiver.materializer.MaterializationProgress;
import dev.quiver.registry.InvalidRequestException;
import dev.quiver.sdk.FeatureStore;
import dev.quiver.sdk.HistoricalRequest;
import dev.quiver.sdk.TrainingSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TimeStampMilliTZVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.VectorSchemaRootAppender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training sets over Arrow Flight from the running server, in the same process as its HTTP server:
 * the same rows as {@code quiver historical} on the same entity rows.
 */
class FlightTrainingSetTest {

  @TempDir Path dir;

  private static final Schema ENTITIES =
      new Schema(
          List.of(
              Field.nullable("driver_id", new ArrowType.Int(64, true)),
              new Field(
                  "event_timestamp",
                  FieldType.nullable(new ArrowType.Timestamp(TimeUnit.NANOSECOND, "UTC")),
                  null)));

  /** {@code rows} entity rows, row {@code i} of driver {@code driver(i)}, all at {@code at}. */
  private static void fill(
      VectorSchemaRoot entities,
      int rows,
      java.util.function.IntToLongFunction driver,
      Instant at) {
    BigIntVector ids = (BigIntVector) entities.getVector("driver_id");
    TimeStampNanoTZVector times = (TimeStampNanoTZVector) entities.getVector("event_timestamp");
    for (int row = 0; row < rows; row++) {
      ids.setSafe(row, driver.applyAsLong(row));
      times.setSafe(row, at.getEpochSecond() * 1_000_000_000L);
    }
    entities.setRowCount(rows);
  }

  /** Sends the entity rows, returns every batch of the answer in one table. */
  private static VectorSchemaRoot exchange(
      FlightClient client, String command, VectorSchemaRoot entities, BufferAllocator allocator)
      throws Exception {
    try (FlightClient.ExchangeReaderWriter exchange =
        client.doExchange(FlightDescriptor.command(command.getBytes(StandardCharsets.UTF_8)))) {
      exchange.getWriter().start(entities);
      exchange.getWriter().putNext();
      exchange.getWriter().completed();
      FlightStream reader = exchange.getReader();
      VectorSchemaRoot all = null;
      while (reader.next()) {
        if (all == null) {
          all = VectorSchemaRoot.create(reader.getSchema(), allocator);
        }
        VectorSchemaRootAppender.append(all, reader.getRoot());
      }
      return all;
    }
  }

  @Test
  void aTrainingSetOverFlightHasTheRowsOfTheEmbeddedOne() throws Exception {
    Path repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    ExampleRepo.createAt(repo, end);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    long[] drivers = {1001, 1002, 1500, 9999};
    Instant at = end.minus(3, ChronoUnit.HOURS);
    StringBuilder csv = new StringBuilder("driver_id,event_timestamp\n");
    for (long driver : drivers) {
      csv.append(driver).append(',').append(at).append('\n');
    }
    Path entityFile = Files.writeString(dir.resolve("entities.csv"), csv.toString());
    Path embedded = dir.resolve("embedded.arrow");
    CliRun historical =
        quiver(
            "historical",
            "--entities",
            entityFile.toString(),
            "--features",
            "driver_hourly_stats:conv_rate,driver_hourly_stats:avg_daily_trips",
            "--output",
            embedded.toString(),
            "--repo",
            repo.toString());
    assertThat(historical.exitCode()).as(historical.err()).isZero();

    try (QuiverServer server = QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0));
        BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", server.flightPort()))
                .build();
        VectorSchemaRoot entities = VectorSchemaRoot.create(ENTITIES, allocator)) {
      fill(entities, drivers.length, row -> drivers[row], at);

      try (VectorSchemaRoot remote =
              exchange(
                  client,
                  "{\"features\": [\"driver_hourly_stats:conv_rate\","
                      + " \"driver_hourly_stats:avg_daily_trips\"]}",
                  entities,
                  allocator);
          ArrowFileReader file = new ArrowFileReader(Files.newByteChannel(embedded), allocator)) {
        file.loadNextBatch();
        VectorSchemaRoot local = file.getVectorSchemaRoot();
        assertThat(remote.getSchema().getFields().stream().map(Field::getName).toList())
            .isEqualTo(local.getSchema().getFields().stream().map(Field::getName).toList());
        assertThat(remote.contentToTSVString()).isEqualTo(local.contentToTSVString());
        assertThat(remote.getRowCount()).isEqualTo(drivers.length);
      }

      assertThatThrownBy(
              () ->
                  exchange(
                      client,
                      "{\"features\": [\"driver_hourly_stats:nope\"]}",
                      entities,
                      allocator))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> {
                assertThat(e.status().code()).isEqualTo(CallStatus.NOT_FOUND.code());
                assertThat(e.getMessage()).contains("has no feature 'nope'");
              });
      assertThatThrownBy(() -> exchange(client, "{oops", entities, allocator))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> {
                assertThat(e.status().code()).isEqualTo(CallStatus.INVALID_ARGUMENT.code());
                assertThat(e).hasMessageStartingWith("The request body is not valid JSON: ");
              });
    }
  }

  /**
   * On-demand features over Flight: the request field is a column of the entity rows sent to the
   * server (CSV, typed by the field's declaration), and the remote training set equals the embedded
   * one, nulls included.
   */
  @Test
  void aTrainingSetWithOnDemandFeaturesOverFlightEqualsTheEmbeddedOne() throws Exception {
    Path repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    ExampleRepo.createAt(repo, end);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    StringBuilder csv = new StringBuilder("driver_id,event_timestamp,fare_quote\n");
    for (int i = 0; i < 40; i++) {
      // Whole numbers too: a float64 field's column reads them as float64.
      csv.append(1001 + i * 7)
          .append(',')
          .append(end.minus(i * 37L, ChronoUnit.MINUTES))
          .append(',')
          .append(i % 5 == 0 ? "" : String.valueOf(i % 3 == 0 ? i : i + 0.25))
          .append('\n');
    }
    csv.append("99999,").append(end).append(",10\n");
    Path entityFile = Files.writeString(dir.resolve("entities.csv"), csv.toString());
    HistoricalRequest request =
        HistoricalRequest.builder()
            .entities(entityFile)
            .features(List.of("booking_risk", "driver_trip_activity:fare_mean_7d"))
            .build();
    try (QuiverServer server = QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0));
        FeatureStore remote = FeatureStore.connect(URI.create(server.url()));
        FeatureStore embedded = FeatureStore.open(repo);
        TrainingSet viaFlight = remote.historicalFeatures(request);
        TrainingSet local = embedded.historicalFeatures(request)) {
      VectorSchemaRoot table = viaFlight.table();
      assertThat(table.getSchema().getFields().stream().map(Field::getName).toList())
          .containsExactly(
              "driver_id",
              "event_timestamp",
              "fare_quote",
              "quote_over_mean_fare",
              "busy_last_hour",
              "conv_rate_pct",
              "fare_mean_7d");
      assertThat(table.contentToTSVString()).isEqualTo(local.table().contentToTSVString());
      int rows = table.getRowCount();
      assertThat(rows).isEqualTo(41);
      // No trips for driver 99999: its mean is null, so the ratio is null; its conv_rate too, so
      // conv_rate_pct takes the expression's default.
      assertThat(table.getVector("quote_over_mean_fare").isNull(rows - 1)).isTrue();
      assertThat(table.getVector("conv_rate_pct").getObject(rows - 1)).isEqualTo(0.0f);
      assertThat(table.getVector("quote_over_mean_fare").getNullCount())
          .as("some rows have a mean")
          .isLessThan(rows);
    }
  }

  @Test
  void aFailureOfTheServersOwnDataIsA500WithItsMessageNotTheClientsFault() throws Exception {
    Path repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    ExampleRepo.createAt(repo, end);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    Files.delete(repo.resolve("data/driver_stats.parquet"));
    Path entityFile =
        Files.writeString(
            dir.resolve("entities.csv"),
            "driver_id,event_timestamp\n1001," + end.minus(3, ChronoUnit.HOURS) + "\n");
    try (QuiverServer server = QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0));
        FeatureStore store = FeatureStore.connect(URI.create(server.url()))) {
      HttpResponse<String> materialize =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(server.url() + "/materialize"))
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"start_ts\": \""
                                  + end.minus(1, ChronoUnit.DAYS)
                                  + "\", \"end_ts\": \""
                                  + end
                                  + "\", \"feature_views\": [\"driver_hourly_stats\"]}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(materialize.statusCode()).as(materialize.body()).isEqualTo(500);
      assertThat(materialize.body())
          .contains("\"kind\":\"source_data\"")
          .contains("matches no Parquet file");

      HistoricalRequest request =
          HistoricalRequest.builder()
              .entities(entityFile)
              .features(List.of("driver_hourly_stats:conv_rate"))
              .build();
      // The server's own data failed: the same kind on the client, with the server named.
      assertThatThrownBy(() -> store.historicalFeatures(request))
          .isExactlyInstanceOf(dev.quiver.offline.SourceDataException.class)
          .hasMessageContaining("The feature server at " + server.url() + " failed")
          .hasMessageContaining("matches no Parquet file");
      // The request's own mistakes stay the client's: 400, and the embedded store's exception.
      assertThatThrownBy(
              () ->
                  store.materialize(
                      end, end.minus(1, ChronoUnit.DAYS), List.of(), MaterializationProgress.NONE))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("is after the end");
    }
  }

  @Test
  void aClientThatCancelsStopsTheJoinAtTheNextBatch() throws Exception {
    Path repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    ExampleRepo.createAt(repo, end);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    ch.qos.logback.classic.Logger producerLog =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(TrainingSetProducer.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> events =
        new ch.qos.logback.core.read.ListAppender<>();
    events.start();
    producerLog.addAppender(events);
    ch.qos.logback.classic.Level level = producerLog.getLevel();
    producerLog.setLevel(ch.qos.logback.classic.Level.INFO);
    // 200 chunks of 1,000 rows; waiting for the client, the server runs ahead of it only by what
    // gRPC's flow control lets it queue (about ten batches here), so it must stop long before.
    int rows = 200_000;
    try (QuiverServer server =
            QuiverServer.start(
                repo,
                0,
                Map.of(
                    "quiver.server.flight-port", 0,
                    "quiver.server.training-set-chunk-rows", 1_000));
        BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", server.flightPort()))
                .build();
        VectorSchemaRoot entities = VectorSchemaRoot.create(ENTITIES, allocator)) {
      fill(entities, rows, row -> 1001 + row % 50, end.minus(3, ChronoUnit.HOURS));
      FlightClient.ExchangeReaderWriter exchange =
          client.doExchange(
              FlightDescriptor.command(
                  "{\"features\": [\"driver_hourly_stats:conv_rate\"]}"
                      .getBytes(StandardCharsets.UTF_8)));
      exchange.getWriter().start(entities);
      exchange.getWriter().putNext();
      exchange.getWriter().completed();
      FlightStream reader = exchange.getReader();
      assertThat(reader.next()).isTrue();
      assertThat(reader.getRoot().getRowCount()).isEqualTo(1_000);
      reader.cancel("enough", null);
      try {
        exchange.close();
      } catch (Exception e) {
        // Closing a cancelled exchange reports the cancellation.
      }

      String stopped =
          await()
              .alias("the producer's log line that it stopped")
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(50))
              .until(
                  () -> {
                    synchronized (events) {
                      return events.list.stream()
                          .map(e -> e.getFormattedMessage())
                          .filter(m -> m.contains("stopped"))
                          .findFirst()
                          .orElse(null);
                    }
                  },
                  Objects::nonNull);
      assertThat(stopped).contains("the client cancelled the call after");
      java.util.regex.Matcher batches =
          java.util.regex.Pattern.compile("after ([0-9]+) batches").matcher(stopped);
      assertThat(batches.find()).isTrue();
      assertThat(Integer.parseInt(batches.group(1))).as(stopped).isLessThan(100);
    } finally {
      producerLog.detachAppender(events);
      producerLog.setLevel(level);
    }
  }

  @Test
  void theFlightCommandNamesTheTimestampColumnAndTimestampsKeepTheirUnit() throws Exception {
    Path repo = dir.resolve("repo");
    Instant end = Instant.now().truncatedTo(ChronoUnit.HOURS);
    ExampleRepo.createAt(repo, end);
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    Schema twoTimes =
        new Schema(
            List.of(
                Field.nullable("driver_id", new ArrowType.Int(64, true)),
                new Field(
                    "booked_at",
                    FieldType.nullable(new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
                    null),
                new Field(
                    "paid_at",
                    FieldType.nullable(new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC")),
                    null)));
    long booked = end.minus(3, ChronoUnit.HOURS).getEpochSecond() * 1_000_000L;

    try (QuiverServer server = QuiverServer.start(repo, 0, Map.of("quiver.server.flight-port", 0));
        BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", server.flightPort()))
                .build();
        VectorSchemaRoot entities = VectorSchemaRoot.create(twoTimes, allocator)) {
      ((BigIntVector) entities.getVector("driver_id")).setSafe(0, 1001);
      ((TimeStampMicroVector) entities.getVector("booked_at")).setSafe(0, booked);
      ((TimeStampMilliTZVector) entities.getVector("paid_at")).setSafe(0, booked / 1000 + 1);
      entities.setRowCount(1);

      assertThatThrownBy(
              () ->
                  exchange(
                      client,
                      "{\"features\": [\"driver_hourly_stats:conv_rate\"]}",
                      entities,
                      allocator))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> {
                assertThat(e.status().code()).isEqualTo(CallStatus.INVALID_ARGUMENT.code());
                assertThat(e)
                    .hasMessage(
                        "Cannot retrieve features: the entity rows need an 'event_timestamp'"
                            + " column (they have several timestamp columns: booked_at, paid_at)");
              });

      try (VectorSchemaRoot remote =
          exchange(
              client,
              "{\"features\": [\"driver_hourly_stats:conv_rate\"],"
                  + " \"timestamp_column\": \"booked_at\"}",
              entities,
              allocator)) {
        assertThat(remote.getRowCount()).isEqualTo(1);
        assertThat(remote.getVector("conv_rate").isNull(0)).isFalse();
        assertThat(remote.getSchema().findField("booked_at").getType())
            .isEqualTo(new ArrowType.Timestamp(TimeUnit.MICROSECOND, null));
        assertThat(((TimeStampMicroVector) remote.getVector("booked_at")).get(0)).isEqualTo(booked);
        assertThat(remote.getSchema().findField("paid_at").getType())
            .isEqualTo(new ArrowType.Timestamp(TimeUnit.MILLISECOND, "UTC"));
        assertThat(((TimeStampMilliTZVector) remote.getVector("paid_at")).get(0))
            .isEqualTo(booked / 1000 + 1);
      }
    }
  }
}
