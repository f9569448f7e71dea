package dev.quiver.example;

import dev.quiver.OutputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Generates the example repo's Parquet data: hourly driver stats, daily customer profiles, per-pair
 * driver/customer stats and single trips (the events of an aggregation view) over several days. The
 * same options give the same rows, byte for byte. The data has what real data has: gaps, nulls, and
 * corrections that share an event timestamp with the row they correct and are told apart by a later
 * {@code created} timestamp.
 */
public final class ExampleData {

  /**
   * @param end the exclusive end of the generated period; timestamps fall in the days before it
   */
  public record Options(long seed, int drivers, int customers, int days, Instant end) {

    public Options {
      if (drivers < 1 || customers < 1 || days < 1) {
        throw new IllegalArgumentException("drivers, customers and days must be at least 1");
      }
    }

    /** 2,000 drivers and 5,000 customers over the 7 days before 2026-03-08T00:00:00Z. */
    public static Options defaults() {
      return new Options(42, 2_000, 5_000, 7, Instant.parse("2026-03-08T00:00:00Z"));
    }

    public Options withEnd(Instant value) {
      return new Options(seed, drivers, customers, days, value);
    }
  }

  /** The files written, each with its row count. */
  public record Summary(Map<String, Long> rowsByFile) {
    public long totalRows() {
      return rowsByFile.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  static final long FIRST_DRIVER_ID = 1001;
  static final long FIRST_CUSTOMER_ID = 5001;

  private static final MessageType DRIVER_STATS =
      Types.buildMessage()
          .required(PrimitiveTypeName.INT64)
          .named("driver_id")
          .required(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
          .named("event_timestamp")
          .required(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
          .named("created")
          .optional(PrimitiveTypeName.FLOAT)
          .named("conv_rate")
          .optional(PrimitiveTypeName.FLOAT)
          .named("acc_rate")
          .optional(PrimitiveTypeName.INT64)
          .named("avg_daily_trips")
          .named("driver_stats");

  private static final MessageType CUSTOMER_PROFILE =
      Types.buildMessage()
          .required(PrimitiveTypeName.INT64)
          .named("customer_id")
          .required(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
          .named("event_timestamp")
          .required(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
          .named("created")
          .optional(PrimitiveTypeName.DOUBLE)
          .named("current_balance")
          .optional(PrimitiveTypeName.FLOAT)
          .named("avg_passenger_count")
          .optional(PrimitiveTypeName.INT64)
          .named("lifetime_trip_count")
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("segment")
          .named("customer_profile");

  private static final MessageType DRIVER_CUSTOMER =
      Types.buildMessage()
          .required(PrimitiveTypeName.INT64)
          .named("driver_id")
          .required(PrimitiveTypeName.INT64)
          .named("customer_id")
          .required(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
          .named("event_timestamp")
          .optional(PrimitiveTypeName.INT64)
          .named("trips")
          .optional(PrimitiveTypeName.DOUBLE)
          .named("avg_rating_given")
          .named("driver_customer_stats");

  private static final MessageType TRIPS =
      Types.buildMessage()
          .required(PrimitiveTypeName.INT64)
          .named("driver_id")
          .required(PrimitiveTypeName.INT64)
          .named("customer_id")
          .required(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
          .named("event_timestamp")
          .optional(PrimitiveTypeName.DOUBLE)
          .named("fare")
          .optional(PrimitiveTypeName.INT32)
          .named("rating")
          .optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.stringType())
          .named("payment_type")
          .named("trips");

  private static final String[] SEGMENTS = {"new", "regular", "frequent", "vip"};

  private static final String[] PAYMENT_TYPES = {"card", "cash", "wallet"};

  private ExampleData() {}

  /**
   * Writes the data files under {@code repoRoot/data}, replacing earlier ones atomically.
   *
   * @throws OutputException when a file cannot be written
   */
  public static Summary generate(Path repoRoot, Options options) {
    Path data = repoRoot.resolve("data");
    Map<String, Long> rows = new LinkedHashMap<>();
    try {
      Files.createDirectories(data);
      rows.put("data/driver_stats.parquet", writeDriverStats(data, options));
      rows.put("data/customer_profile.parquet", writeCustomerProfiles(data, options));
      rows.put("data/driver_customer_stats.parquet", writeDriverCustomerStats(data, options));
      rows.put("data/trips.parquet", writeTrips(data, options));
    } catch (IOException e) {
      throw new OutputException("Cannot write the example data under " + data + ": " + e, e);
    }
    return new Summary(rows);
  }

  private static long writeDriverStats(Path data, Options options) throws IOException {
    Random random = new Random(options.seed());
    SimpleGroupFactory groups = new SimpleGroupFactory(DRIVER_STATS);
    Instant start = options.end().minus(Duration.ofDays(options.days()));
    long rows = 0;
    try (ParquetFileSink sink =
        new ParquetFileSink(data.resolve("driver_stats.parquet"), DRIVER_STATS)) {
      for (int hour = 0; hour < options.days() * 24; hour++) {
        Instant event = start.plus(Duration.ofHours(hour));
        for (int d = 0; d < options.drivers(); d++) {
          // Drivers are off shift about a quarter of the hours: those hours have no row.
          if (random.nextInt(4) == 0) {
            continue;
          }
          Instant created = event.plus(Duration.ofMinutes(1 + random.nextInt(10)));
          sink.write(driverRow(groups, random, FIRST_DRIVER_ID + d, event, created));
          rows++;
          // About 3% of hours are recomputed later: same event time, later created time.
          if (random.nextInt(100) < 3) {
            Instant recomputed = created.plus(Duration.ofMinutes(30 + random.nextInt(90)));
            sink.write(driverRow(groups, random, FIRST_DRIVER_ID + d, event, recomputed));
            rows++;
          }
        }
      }
      sink.complete();
    }
    return rows;
  }

  private static Group driverRow(
      SimpleGroupFactory groups, Random random, long driverId, Instant event, Instant created) {
    Group row = groups.newGroup();
    row.append("driver_id", driverId);
    row.append("event_timestamp", micros(event));
    row.append("created", micros(created));
    if (random.nextInt(50) != 0) {
      row.append("conv_rate", round(random.nextFloat()));
    }
    if (random.nextInt(50) != 0) {
      row.append("acc_rate", round(0.5f + random.nextFloat() / 2));
    }
    if (random.nextInt(100) != 0) {
      row.append("avg_daily_trips", (long) random.nextInt(40));
    }
    return row;
  }

  private static long writeCustomerProfiles(Path data, Options options) throws IOException {
    Random random = new Random(options.seed() + 1);
    SimpleGroupFactory groups = new SimpleGroupFactory(CUSTOMER_PROFILE);
    Instant start = options.end().minus(Duration.ofDays(options.days()));
    long[] lifetimeTrips = new long[options.customers()];
    long rows = 0;
    try (ParquetFileSink sink =
        new ParquetFileSink(data.resolve("customer_profile.parquet"), CUSTOMER_PROFILE)) {
      for (int day = 0; day < options.days(); day++) {
        Instant event = start.plus(Duration.ofDays(day));
        for (int c = 0; c < options.customers(); c++) {
          lifetimeTrips[c] += random.nextInt(4);
          int copies = random.nextInt(100) == 0 ? 2 : 1;
          for (int copy = 0; copy < copies; copy++) {
            Group row = groups.newGroup();
            row.append("customer_id", FIRST_CUSTOMER_ID + c);
            row.append("event_timestamp", micros(event));
            row.append("created", micros(event.plus(Duration.ofHours(1 + copy))));
            if (random.nextInt(40) != 0) {
              row.append("current_balance", Math.round(random.nextDouble() * 50_000) / 100.0);
            }
            row.append("avg_passenger_count", round(1 + random.nextFloat() * 2));
            row.append("lifetime_trip_count", lifetimeTrips[c]);
            if (random.nextInt(20) != 0) {
              row.append("segment", SEGMENTS[random.nextInt(SEGMENTS.length)]);
            }
            sink.write(row);
            rows++;
          }
        }
      }
      sink.complete();
    }
    return rows;
  }

  private static long writeDriverCustomerStats(Path data, Options options) throws IOException {
    Random random = new Random(options.seed() + 2);
    SimpleGroupFactory groups = new SimpleGroupFactory(DRIVER_CUSTOMER);
    Instant start = options.end().minus(Duration.ofDays(options.days()));
    long periodSeconds = Duration.ofDays(options.days()).getSeconds();
    long rows = (long) options.drivers() * 10;
    try (ParquetFileSink sink =
        new ParquetFileSink(data.resolve("driver_customer_stats.parquet"), DRIVER_CUSTOMER)) {
      for (long i = 0; i < rows; i++) {
        Group row = groups.newGroup();
        int driver = random.nextInt(options.drivers());
        row.append("driver_id", FIRST_DRIVER_ID + driver);
        row.append("customer_id", regularCustomer(driver, random.nextInt(REGULARS), options));
        long offset = (long) (random.nextDouble() * periodSeconds);
        row.append("event_timestamp", micros(start.plusSeconds(offset)));
        row.append("trips", (long) (1 + random.nextInt(12)));
        if (random.nextInt(10) != 0) {
          row.append("avg_rating_given", Math.round((3 + random.nextDouble() * 2) * 10) / 10.0);
        }
        sink.write(row);
      }
      sink.complete();
    }
    return rows;
  }

  /**
   * One row per trip, as a trip service logs them: the events the aggregation view counts and sums.
   * Drivers work shifts of a few hours most days; trips within a shift come minutes apart, and some
   * share a timestamp to the microsecond. A trip's fare, rating and payment type may be missing.
   */
  private static long writeTrips(Path data, Options options) throws IOException {
    Random random = new Random(options.seed() + 4);
    SimpleGroupFactory groups = new SimpleGroupFactory(TRIPS);
    Instant start = options.end().minus(Duration.ofDays(options.days()));
    long rows = 0;
    try (ParquetFileSink sink = new ParquetFileSink(data.resolve("trips.parquet"), TRIPS)) {
      for (int day = 0; day < options.days(); day++) {
        for (int d = 0; d < options.drivers(); d++) {
          if (random.nextInt(5) == 0) {
            continue;
          }
          long shiftStart = (long) day * 86_400 + random.nextInt(16 * 3_600);
          int trips = 1 + random.nextInt(8);
          long at = shiftStart;
          for (int t = 0; t < trips; t++) {
            // Now and then two trips are logged at the same instant.
            at += random.nextInt(12) == 0 ? 0 : 300 + random.nextInt(2_400);
            Group row = groups.newGroup();
            row.append("driver_id", FIRST_DRIVER_ID + d);
            row.append("customer_id", FIRST_CUSTOMER_ID + random.nextInt(options.customers()));
            row.append("event_timestamp", micros(start.plusSeconds(at)));
            if (random.nextInt(25) != 0) {
              row.append("fare", Math.round((4 + random.nextDouble() * 60) * 100) / 100.0);
            }
            if (random.nextInt(3) != 0) {
              row.append("rating", 1 + random.nextInt(5));
            }
            if (random.nextInt(30) != 0) {
              row.append("payment_type", PAYMENT_TYPES[random.nextInt(PAYMENT_TYPES.length)]);
            }
            sink.write(row);
            rows++;
          }
        }
      }
      sink.complete();
    }
    return rows;
  }

  /**
   * Writes {@code data/entities.csv}: entity rows for a training set (driver, customer, the time of
   * a booking, whether it completed, and the fare quoted, which on-demand features read), spread
   * over the generated period, in time order.
   *
   * @return the file written
   * @throws OutputException when the file cannot be written
   */
  public static Path writeEntityRows(Path repoRoot, Options options, int rows) {
    Random random = new Random(options.seed() + 3);
    // Its own generator, so the rows' other values stay those of earlier versions.
    Random quotes = new Random(options.seed() + 4);
    Instant start = options.end().minus(Duration.ofDays(options.days()));
    long periodSeconds = Duration.ofDays(options.days()).getSeconds();
    long[] offsets = new long[rows];
    for (int i = 0; i < rows; i++) {
      offsets[i] = (long) (random.nextDouble() * periodSeconds);
    }
    java.util.Arrays.sort(offsets);
    StringBuilder csv =
        new StringBuilder("driver_id,customer_id,event_timestamp,trip_completed,fare_quote\n");
    for (int i = 0; i < rows; i++) {
      int driver = random.nextInt(options.drivers());
      // Most bookings are with one of the driver's regular customers, who have pair stats.
      long customer =
          random.nextInt(10) < 6
              ? regularCustomer(driver, random.nextInt(REGULARS), options)
              : FIRST_CUSTOMER_ID + random.nextInt(options.customers());
      csv.append(FIRST_DRIVER_ID + driver)
          .append(',')
          .append(customer)
          .append(',')
          .append(start.plusSeconds(offsets[i]))
          .append(',')
          .append(random.nextInt(10) < 8 ? 1 : 0)
          .append(',')
          .append(String.format(java.util.Locale.ROOT, "%.2f", 5 + quotes.nextDouble() * 40))
          .append('\n');
    }
    Path file = repoRoot.resolve("data/entities.csv");
    try {
      Files.createDirectories(file.getParent());
      Path temp = file.resolveSibling(".entities.csv.tmp");
      Files.writeString(temp, csv);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new OutputException("Cannot write " + file + ": " + e, e);
    }
    return file;
  }

  /** Each driver has a few regular customers; pair stats are about them. */
  private static final int REGULARS = 5;

  private static long regularCustomer(int driver, int which, Options options) {
    return FIRST_CUSTOMER_ID
        + Math.floorMod(driver * 7919L + which * 104_729L, options.customers());
  }

  private static long micros(Instant instant) {
    return TimeUnit.SECONDS.toMicros(instant.getEpochSecond()) + instant.getNano() / 1_000;
  }

  private static float round(float value) {
    return Math.round(value * 10_000) / 10_000f;
  }

  /** Writes one Parquet file under a hidden temporary name and renames it into place on close. */
  private static final class ParquetFileSink implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final ParquetWriter<Group> writer;

    ParquetFileSink(Path target, MessageType schema) throws IOException {
      this.target = target;
      this.temp = target.resolveSibling("." + target.getFileName() + ".tmp");
      Files.deleteIfExists(temp);
      this.writer =
          ExampleParquetWriter.builder(new LocalOutputFile(temp))
              .withType(schema)
              .withCompressionCodec(CompressionCodecName.SNAPPY)
              .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
              .build();
    }

    void write(Group row) throws IOException {
      writer.write(row);
    }

    private boolean complete;

    /** Marks every row written; only a complete file is moved into place on close. */
    void complete() {
      complete = true;
    }

    @Override
    public void close() throws IOException {
      try {
        writer.close();
        if (complete) {
          Files.move(
              temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
      } finally {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** {@code ExampleData REPO_DIR [SEED]}: generates the data of the repo at REPO_DIR. */
  public static void main(String[] args) {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: ExampleData REPO_DIR [SEED]");
      System.exit(1);
    }
    Options defaults = Options.defaults();
    Options options =
        args.length == 2
            ? new Options(
                Long.parseLong(args[1]),
                defaults.drivers(),
                defaults.customers(),
                defaults.days(),
                defaults.end())
            : defaults;
    Summary summary = generate(Path.of(args[0]), options);
    summary
        .rowsByFile()
        .forEach((file, count) -> System.out.println(file + ": " + count + " rows"));
  }
}
