package dev.quiver.offline.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.offline.resources.Reservation;
import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.offline.testing.TestMemory;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureService;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.util.Text;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compares the join with a brute-force reference on random data: random keys (some absent, some
 * null), ttl on and off, duplicate event timestamps with and without created timestamps, null
 * values, two views with different and composite keys, nanosecond timestamps stored in every
 * Parquet unit, sources split over several files, duplicate entity rows; in memory and spilled, on
 * one thread and two. A failure names its seed; rerun with {@code -Dquiver.seed=SEED}.
 */
class PointInTimeJoinRandomizedTest {

  private static final long BASE_SEED = Long.getLong("quiver.seed", System.nanoTime());
  private static final int ROUNDS = Integer.getInteger("quiver.rounds", 40);
  private static final long T0 = 1_772_000_000_000_000_000L; // 2026-02-25, in nanoseconds
  private static final String[] UNITS = {"MILLIS", "MICROS", "NANOS", "INT96"};

  @TempDir Path dir;
  private final Reservation memory = TestMemory.reserve("randomized join");
  private final BufferAllocator allocator = memory.allocator();

  @AfterEach
  void close() {
    memory.close();
  }

  @Test
  void matchesTheBruteForceReference() {
    for (int round = 0; round < ROUNDS; round++) {
      long seed = BASE_SEED + round;
      try {
        runRound(new Random(seed), dir.resolve("round" + round));
      } catch (Throwable t) {
        throw new AssertionError(
            "Randomized join failed with seed " + seed + " (rerun: -Dquiver.seed=" + seed + ")", t);
      }
    }
  }

  /** A source row as the reference sees it. */
  private record Row(Map<String, Object> values, long ordinal) {}

  private void runRound(Random random, Path root) {
    long tick = 1 + random.nextInt(1_000_000); // spacing of timestamps, in nanoseconds
    Duration ttlA =
        random.nextBoolean() ? Duration.ZERO : Duration.ofNanos(tick * (1 + random.nextInt(40)));
    Duration ttlB =
        random.nextBoolean() ? Duration.ZERO : Duration.ofNanos(tick * (1 + random.nextInt(40)));
    KnownTime knownA = random.nextBoolean() ? KnownTime.CREATED : KnownTime.EVENT;

    // View A keyed by driver (int64), with a created timestamp and varied feature types.
    List<List<Row>> filesA = new ArrayList<>();
    long ordinal = 0;
    int fileCountA = 1 + random.nextInt(3);
    for (int f = 0; f < fileCountA; f++) {
      String unit = UNITS[random.nextInt(UNITS.length)];
      long step = unitStep(unit);
      List<Row> rows = new ArrayList<>();
      int count = random.nextInt(120);
      for (int i = 0; i < count; i++) {
        Map<String, Object> v = new HashMap<>();
        v.put("driver_id", random.nextInt(30) == 0 ? null : (long) random.nextInt(12));
        v.put(
            "event_timestamp",
            random.nextInt(40) == 0 ? null : T0 + align(random.nextInt(60) * tick, step));
        // Created times mostly near the start (many ties), some late: corrections made after
        // entity rows, which a view known by its created time must not see.
        int createdTicks = random.nextBoolean() ? random.nextInt(5) : random.nextInt(75);
        v.put("created", random.nextInt(4) == 0 ? null : T0 + align(createdTicks * tick, step));
        v.put("trips", random.nextInt(8) == 0 ? null : random.nextLong());
        v.put("rate", random.nextInt(8) == 0 ? null : random.nextDouble());
        v.put("label", random.nextInt(8) == 0 ? null : "s" + random.nextInt(1000));
        v.put("recent", random.nextInt(8) == 0 ? null : randomList(random));
        rows.add(new Row(v, ordinal++));
      }
      filesA.add(rows);
      ParquetFixtures.write(
          root.resolve("a/part-" + f + ".parquet"),
          "message a { optional int64 driver_id; "
              + timestampColumn("event_timestamp", unit)
              + timestampColumn(
                  "created", UNITS[random.nextInt(UNITS.length)].equals("INT96") ? "INT96" : unit)
              + " optional int64 trips; optional double rate; optional binary label (STRING);"
              + " optional group recent (LIST) { repeated group list { optional int32 element; } } }",
          rows.stream().map(Row::values).toList(),
          1 + random.nextInt(50));
    }

    // View B keyed by (driver, customer), no created timestamp, the same file split.
    List<List<Row>> filesB = new ArrayList<>();
    int fileCountB = 1 + random.nextInt(2);
    for (int f = 0; f < fileCountB; f++) {
      String unit = UNITS[random.nextInt(UNITS.length)];
      List<Row> rows = new ArrayList<>();
      int count = random.nextInt(80);
      for (int i = 0; i < count; i++) {
        Map<String, Object> v = new HashMap<>();
        v.put("driver", (long) random.nextInt(12));
        v.put("customer_id", random.nextInt(30) == 0 ? null : "c" + random.nextInt(4));
        v.put("ts", T0 + align(random.nextInt(60) * tick, unitStep(unit)));
        v.put("score", random.nextInt(6) == 0 ? null : random.nextFloat());
        v.put("vip", random.nextInt(6) == 0 ? null : random.nextBoolean());
        rows.add(new Row(v, ordinal++));
      }
      filesB.add(rows);
      ParquetFixtures.write(
          root.resolve("b/part-" + f + ".parquet"),
          "message b { required int64 driver; optional binary customer_id (STRING); "
              + timestampColumn("ts", unit).replace("optional", "required")
              + " optional float score; optional boolean vip; }",
          rows.stream().map(Row::values).toList(),
          0);
    }

    Entity driver = new Entity("driver", "driver_id", ScalarType.INT64, null, null, Map.of(), null);
    Entity customer =
        new Entity("customer", "customer_id", ScalarType.STRING, null, null, Map.of(), null);
    FeatureView viewA =
        FeatureView.builder("a")
            .entities("driver")
            .source("source_a")
            .ttl(ttlA)
            .knownTime(knownA)
            .features(
                Feature.of("trips", ValueType.scalar(ScalarType.INT64)),
                Feature.of("rate", ValueType.scalar(ScalarType.FLOAT64)),
                Feature.of("label", ValueType.scalar(ScalarType.STRING)),
                Feature.of("recent", ValueType.listOf(ScalarType.INT32)))
            .build();
    FeatureView viewB =
        FeatureView.builder("b")
            .entities("driver", "customer")
            .source("source_b")
            .ttl(ttlB)
            .features(
                Feature.of("score", ValueType.scalar(ScalarType.FLOAT32)),
                Feature.of("vip", ValueType.scalar(ScalarType.BOOL)))
            .build();
    Definitions definitions =
        new Definitions(
            List.of(driver, customer),
            List.of(
                new ParquetSource(
                    "source_a", "a", "event_timestamp", "created", Map.of(), null, null),
                new ParquetSource(
                    "source_b",
                    "b/*.parquet",
                    "ts",
                    null,
                    Map.of("driver", "driver_id"),
                    null,
                    null)),
            List.of(viewA, viewB),
            List.<FeatureService>of());

    List<String> references =
        new ArrayList<>(List.of("a:trips", "a:rate", "a:label", "a:recent", "b:score", "b:vip"));
    Collections.shuffle(references, random);
    references = references.subList(0, 1 + random.nextInt(references.size()));
    FeatureSelection selection = FeatureSelection.of(definitions, references);
    boolean fullNames = random.nextBoolean();

    // Entity rows: known and unknown keys, null keys, duplicates, times on and near the data.
    int entityCount = random.nextInt(150);
    List<Object[]> entityRows = new ArrayList<>();
    for (int i = 0; i < entityCount; i++) {
      if (i > 0 && random.nextInt(10) == 0) {
        entityRows.add(entityRows.get(random.nextInt(i)).clone());
        continue;
      }
      Long driverId = random.nextInt(25) == 0 ? null : (long) random.nextInt(14);
      String customerId = random.nextInt(25) == 0 ? null : "c" + random.nextInt(5);
      long ts = T0 + random.nextInt(70) * tick + (random.nextInt(3) - 1);
      entityRows.add(new Object[] {driverId, customerId, ts, i});
    }

    for (JoinOptions options :
        List.of(
            new JoinOptions(1, Long.MAX_VALUE, root.resolve("spill")),
            new JoinOptions(2, Long.MAX_VALUE, root.resolve("spill")),
            new JoinOptions(2, 1, root.resolve("spill")))) {
      try (EntityTable table = EntityTable.of(entityRoot(entityRows));
          PointInTimeJoin.Result result =
              PointInTimeJoin.run(
                  table,
                  selection,
                  definitions,
                  root,
                  fullNames,
                  options,
                  memory,
                  JoinProgress.NONE)) {
        VectorSchemaRoot out = result.table();
        assertThat(out.getRowCount()).isEqualTo(entityRows.size());
        List<String> names = selection.outputNames(fullNames, List.of());
        for (int r = 0; r < entityRows.size(); r++) {
          Object[] e = entityRows.get(r);
          assertThat(out.getVector("label_column").getObject(r)).isEqualTo(e[3]);
          for (int f = 0; f < selection.features().size(); f++) {
            FeatureSelection.Selected s = selection.features().get(f);
            boolean isA = s.view().name().equals("a");
            Row winner =
                isA
                    ? reference(
                        filesA,
                        e,
                        "event_timestamp",
                        "created",
                        knownA == KnownTime.CREATED,
                        ttlA,
                        List.of("driver_id"),
                        List.of(0))
                    : reference(
                        filesB,
                        e,
                        "ts",
                        null,
                        false,
                        ttlB,
                        List.of("driver", "customer_id"),
                        List.of(0, 1));
            Object expected = winner == null ? null : winner.values().get(s.feature().name());
            Object actual = normalize(out.getVector(names.get(f)).getObject(r));
            assertThat(actual)
                .as(
                    "row %d feature %s with %s, entity %s",
                    r, s.reference(), options, java.util.Arrays.toString(e))
                .isEqualTo(expected);
          }
        }
        assertThat(result.sourceFiles()).hasSizeLessThanOrEqualTo(fileCountA + fileCountB);

        // In chunks: the same schema, rows in the same order, and the same reads.
        // (one to six chunks: with the 1-byte budget each chunk reads the sources again)
        int chunkRows = Math.max(1, -Math.floorDiv(-entityRows.size(), 1 + random.nextInt(6)));
        List<List<Object>> chunked = new ArrayList<>();
        try (EntityTable again = EntityTable.of(entityRoot(entityRows))) {
          PointInTimeJoin.Reads reads =
              PointInTimeJoin.runInChunks(
                  again,
                  selection,
                  definitions,
                  root,
                  fullNames,
                  options.withChunkRows(chunkRows),
                  memory,
                  JoinProgress.NONE,
                  chunk -> {
                    assertThat(chunk.getSchema()).isEqualTo(out.getSchema());
                    assertThat(chunk.getRowCount()).isLessThanOrEqualTo(chunkRows);
                    chunked.addAll(rowsOf(chunk));
                  });
          assertThat(reads).as("reads in chunks of %d", chunkRows).isEqualTo(result.reads());
        }
        assertThat(chunked).as("rows in chunks of %d", chunkRows).isEqualTo(rowsOf(out));
      }
    }
  }

  private static List<List<Object>> rowsOf(VectorSchemaRoot table) {
    List<List<Object>> rows = new ArrayList<>();
    for (int r = 0; r < table.getRowCount(); r++) {
      List<Object> row = new ArrayList<>();
      for (var vector : table.getFieldVectors()) {
        row.add(normalize(vector.getObject(r)));
      }
      rows.add(row);
    }
    return rows;
  }

  /** The brute-force winner: scan every row of every file. */
  private static Row reference(
      List<List<Row>> files,
      Object[] entity,
      String tsColumn,
      String createdColumn,
      boolean knownByCreated,
      Duration ttl,
      List<String> keyColumns,
      List<Integer> entityKeyIndexes) {
    long at = (Long) entity[2];
    Row best = null;
    Comparator<Row> order =
        Comparator.<Row>comparingLong(r -> (Long) r.values().get(tsColumn))
            .thenComparingLong(
                r ->
                    createdColumn == null || r.values().get(createdColumn) == null
                        ? Long.MIN_VALUE
                        : (Long) r.values().get(createdColumn))
            .thenComparingLong(Row::ordinal);
    for (List<Row> file : files) {
      for (Row row : file) {
        boolean keysMatch = true;
        for (int k = 0; k < keyColumns.size(); k++) {
          Object key = row.values().get(keyColumns.get(k));
          Object wanted = entity[entityKeyIndexes.get(k)];
          keysMatch &= key != null && wanted != null && key.equals(wanted);
        }
        Object ts = row.values().get(tsColumn);
        if (!keysMatch || ts == null) {
          continue;
        }
        long t = (Long) ts;
        boolean inWindow = t <= at && (ttl.isZero() || t >= at - ttl.toNanos());
        if (knownByCreated) {
          Object created = row.values().get(createdColumn);
          long known = created == null ? t : (Long) created;
          inWindow &= known <= at;
        }
        if (inWindow && (best == null || order.compare(row, best) > 0)) {
          best = row;
        }
      }
    }
    return best;
  }

  private VectorSchemaRoot entityRoot(List<Object[]> rows) {
    BigIntVector drivers = new BigIntVector("driver_id", allocator);
    VarCharVector customers = new VarCharVector("customer_id", allocator);
    TimeStampNanoTZVector times = new TimeStampNanoTZVector("event_timestamp", allocator, "UTC");
    IntVector labels = new IntVector("label_column", allocator);
    drivers.allocateNew(rows.size());
    customers.allocateNew(rows.size());
    times.allocateNew(rows.size());
    labels.allocateNew(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Object[] row = rows.get(i);
      if (row[0] != null) {
        drivers.set(i, (Long) row[0]);
      }
      if (row[1] != null) {
        customers.setSafe(i, ((String) row[1]).getBytes(StandardCharsets.UTF_8));
      }
      times.set(i, (Long) row[2]);
      labels.set(i, (Integer) row[3]);
    }
    VectorSchemaRoot root = new VectorSchemaRoot(List.of(drivers, customers, times, labels));
    root.setRowCount(rows.size());
    return root;
  }

  private static Object normalize(Object value) {
    if (value instanceof Text text) {
      return text.toString();
    }
    if (value instanceof List<?> list) {
      return new ArrayList<>(list);
    }
    return value;
  }

  private static List<Integer> randomList(Random random) {
    List<Integer> list = new ArrayList<>();
    int size = random.nextInt(4);
    for (int i = 0; i < size; i++) {
      list.add(random.nextInt(5) == 0 ? null : random.nextInt(100));
    }
    return list;
  }

  private static String timestampColumn(String name, String unit) {
    return unit.equals("INT96")
        ? " optional int96 " + name + ";"
        : " optional int64 " + name + " (TIMESTAMP(" + unit + ",true));";
  }

  private static long unitStep(String unit) {
    return switch (unit) {
      case "MILLIS" -> 1_000_000L;
      case "MICROS" -> 1_000L;
      default -> 1L;
    };
  }

  private static long align(long nanos, long step) {
    return nanos / step * step;
  }
}
