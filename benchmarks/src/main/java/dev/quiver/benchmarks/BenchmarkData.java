package dev.quiver.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/**
 * The historical benchmark's data: a feature table keyed by {@code driver_id} with a created column
 * and five features of mixed types, split over several files, and entity rows with a unique {@code
 * row_id}. Seeded; generated once per parameter set and reused.
 */
final class BenchmarkData {

  static final long START_MICROS = 1_772_323_200_000_000L; // 2026-03-01T00:00:00Z
  static final long PERIOD_MICROS = 2L * 24 * 3600 * 1_000_000; // two days

  private static final MessageType FEATURES =
      MessageTypeParser.parseMessageType(
          "message features { required int64 driver_id;"
              + " required int64 event_timestamp (TIMESTAMP(MICROS,true));"
              + " required int64 created (TIMESTAMP(MICROS,true));"
              + " optional float conv_rate; optional double acc_rate; optional int64 trips;"
              + " optional binary segment (STRING); optional boolean active; }");

  private static final MessageType ENTITIES =
      MessageTypeParser.parseMessageType(
          "message entities { required int64 driver_id;"
              + " required int64 event_timestamp (TIMESTAMP(MICROS,true)); required int64 row_id; }");

  private static final String[] SEGMENTS = {"new", "regular", "frequent", "vip", "churned"};

  private BenchmarkData() {}

  /** Writes {@code featureRows} rows over {@code files} files into {@code dir/features}. */
  static void writeFeatures(Path dir, long featureRows, int keys, int files, long seed)
      throws IOException {
    Files.createDirectories(dir);
    Random random = new Random(seed);
    long perFile = featureRows / files;
    long created = 0;
    for (int f = 0; f < files; f++) {
      long rows = f == files - 1 ? featureRows - perFile * (files - 1) : perFile;
      try (ParquetWriter<Group> writer =
          writer(dir.resolve(String.format("part-%03d.parquet", f)), FEATURES)) {
        SimpleGroupFactory groups = new SimpleGroupFactory(FEATURES);
        for (long i = 0; i < rows; i++) {
          Group row = groups.newGroup();
          long ts = START_MICROS + (long) (random.nextDouble() * PERIOD_MICROS);
          row.append("driver_id", (long) random.nextInt(keys));
          row.append("event_timestamp", ts);
          // Unique created times: no two rows tie, so every engine must pick the same winner.
          row.append("created", ts + 60_000_000L + created++);
          if (random.nextInt(50) != 0) {
            row.append("conv_rate", random.nextFloat());
          }
          row.append("acc_rate", random.nextDouble());
          row.append("trips", (long) random.nextInt(1_000));
          row.append("segment", SEGMENTS[random.nextInt(SEGMENTS.length)]);
          row.append("active", random.nextBoolean());
          writer.write(row);
        }
      }
    }
  }

  /** Writes {@code rows} entity rows, keys drawn from a range a little wider than the data's. */
  static void writeEntities(Path file, long rows, int keys, long seed) throws IOException {
    Files.createDirectories(file.getParent());
    Random random = new Random(seed + 1);
    try (ParquetWriter<Group> writer = writer(file, ENTITIES)) {
      SimpleGroupFactory groups = new SimpleGroupFactory(ENTITIES);
      for (long i = 0; i < rows; i++) {
        Group row = groups.newGroup();
        row.append("driver_id", (long) random.nextInt(keys + keys / 10));
        row.append("event_timestamp", START_MICROS + (long) (random.nextDouble() * PERIOD_MICROS));
        row.append("row_id", i);
        writer.write(row);
      }
    }
  }

  static ParquetWriter<Group> writer(Path file, MessageType schema) throws IOException {
    return ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withType(schema)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
        .build();
  }

  /**
   * The Redis the benchmarks load: {@code -Dredis.url}, by default database 1 of the machine's
   * server, so the millions of benchmark keys never slow the tests' scans of database 0.
   */
  static String redisUrl() {
    return System.getProperty("redis.url", "redis://127.0.0.1:6379/1");
  }
}
