package dev.quiver.offline.join;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.offline.parquet.ParquetTableReader;
import dev.quiver.offline.resources.Reservation;
import dev.quiver.offline.testing.ParquetFixtures;
import dev.quiver.offline.testing.TestMemory;
import dev.quiver.registry.FeatureSelection;
import dev.quiver.registry.model.Definitions;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.TimeStampNanoTZVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How the join holds to its memory budget, and cleans up after failures. */
class ViewJoinMemoryTest {

  private static final long T0 = 1_772_000_000_000_000_000L;

  @TempDir Path dir;

  private static Definitions definitions(String path) {
    return new Definitions(
        List.of(new Entity("driver", "driver_id", ScalarType.INT64, null, null, Map.of(), null)),
        List.of(new ParquetSource("s", path, "ts", null, Map.of(), null, null)),
        List.of(
            FeatureView.builder("v")
                .entities("driver")
                .source("s")
                .features(Feature.of("text", ValueType.scalar(ScalarType.STRING)))
                .build()),
        List.of());
  }

  private static VectorSchemaRoot entities(BufferAllocator allocator, int rows) {
    BigIntVector ids = new BigIntVector("driver_id", allocator);
    TimeStampNanoTZVector times = new TimeStampNanoTZVector("event_timestamp", allocator, "UTC");
    ids.allocateNew(rows);
    times.allocateNew(rows);
    for (int i = 0; i < rows; i++) {
      ids.set(i, i % 5_000);
      times.set(i, T0 + 1_000_000);
    }
    VectorSchemaRoot root = new VectorSchemaRoot(List.of(ids, times));
    root.setRowCount(rows);
    return root;
  }

  private List<Object> run(Reservation memory, Definitions definitions, JoinOptions options) {
    try (EntityTable table = EntityTable.of(entities(memory.allocator(), 20_000));
        PointInTimeJoin.Result result =
            PointInTimeJoin.run(
                table,
                FeatureSelection.of(definitions, List.of("v:text")),
                definitions,
                dir,
                false,
                options,
                memory,
                JoinProgress.NONE)) {
      return texts(result.table());
    }
  }

  /**
   * {@code data/text.parquet}: 30,000 rows of 5,000 keys, each with one of three 2,000-character
   * strings. Dictionary encoding makes them tiny on disk, so the footers understate them.
   */
  private void writeLongStrings() {
    List<Map<String, Object>> rows = new ArrayList<>();
    String[] texts = {"a".repeat(2_000), "b".repeat(2_000), "c".repeat(2_000)};
    for (int i = 0; i < 30_000; i++) {
      rows.add(Map.of("driver_id", (long) (i % 5_000), "ts", T0 + i, "text", texts[i % 3]));
    }
    ParquetFixtures.write(
        dir.resolve("data/text.parquet"),
        "message m { required int64 driver_id; required int64 ts (TIMESTAMP(NANOS,true));"
            + " required binary text (STRING); }",
        rows,
        0);
  }

  @Test
  void aSourceLargerDecodedThanItsFootersSaySpillsInsteadOfOverrunningTheBudget() {
    writeLongStrings();
    try (ParquetTableReader reader = ParquetTableReader.open(dir.resolve("data/text.parquet"))) {
      assertThat(Files.exists(dir.resolve("data/text.parquet"))).isTrue();
      assertThat(reader.rowCount()).isEqualTo(30_000);
    }
    Definitions definitions = definitions("data/text.parquet");
    try (Reservation memory = TestMemory.reserve("long strings")) {
      List<Object> inMemory =
          run(memory, definitions, new JoinOptions(2, Long.MAX_VALUE, dir.resolve("unused")));
      List<Object> bounded =
          run(memory, definitions, new JoinOptions(2, 8_000_000, dir.resolve("spill")));
      assertThat(bounded).isEqualTo(inMemory);
      assertThat(inMemory).doesNotContainNull();
      assertThat(dir.resolve("unused")).doesNotExist();
      assertThat(dir.resolve("spill"))
          .as("the bounded run spilled")
          .isDirectory()
          .isEmptyDirectory();
    }
  }

  @Test
  void aReadOnceAttemptOverItsBudgetMidwayFallsBackToTheSameRows() {
    // The footers say the source fits 8 MB, decoded it does not.
    writeLongStrings();
    Definitions definitions = definitions("data/text.parquet");
    FeatureSelection selection = FeatureSelection.of(definitions, List.of("v:text"));
    try (Reservation memory = TestMemory.reserve("read once over budget")) {
      List<Object> whole = run(memory, definitions, new JoinOptions(2, Long.MAX_VALUE, dir));
      long[] total = {0};
      java.util.concurrent.atomic.AtomicLong read = new java.util.concurrent.atomic.AtomicLong();
      JoinProgress progress =
          new JoinProgress() {
            @Override
            public void totalSourceRows(long sourceRows) {
              total[0] = sourceRows;
            }

            @Override
            public void sourceRowsRead(long sourceRows) {
              read.addAndGet(sourceRows);
            }
          };
      List<Object> chunked = new ArrayList<>();
      try (EntityTable table = EntityTable.of(entities(memory.allocator(), 20_000))) {
        PointInTimeJoin.runInChunks(
            table,
            selection,
            definitions,
            dir,
            false,
            new JoinOptions(2, 8_000_000, dir.resolve("spill")).withChunkRows(10_000),
            memory,
            progress,
            chunk -> chunked.addAll(texts(chunk)));
      }
      assertThat(chunked).isEqualTo(whole);
      // Read in part once, then for each chunk (in memory until over budget, then spilling). The
      // total counts the first partial read, not the per-chunk retries: a known overshoot.
      assertThat(read.get()).isGreaterThan(2 * 30_000L);
      assertThat(total[0]).isGreaterThan(2 * 30_000L);
    }
  }

  @Test
  void aFailingFileLeavesNoMemoryOrTasksBehind() {
    List<Map<String, Object>> good = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      good.add(Map.of("driver_id", (long) (i % 5_000), "ts", T0 + i, "text", "t" + i));
    }
    ParquetFixtures.write(
        dir.resolve("data/a-bad.parquet"),
        "message m { required int64 driver_id; required int64 ts (TIMESTAMP(MILLIS,true));"
            + " required binary text (STRING); }",
        List.of(
            Map.of("driver_id", 1L, "ts", new ParquetFixtures.Raw(Long.MAX_VALUE), "text", "x")),
        0);
    ParquetFixtures.write(
        dir.resolve("data/b-good.parquet"),
        "message m { required int64 driver_id; required int64 ts (TIMESTAMP(NANOS,true));"
            + " required binary text (STRING); }",
        good,
        50_000);
    Definitions definitions = definitions("data");
    Reservation memory = TestMemory.reserve("failing file");
    assertThatThrownBy(
            () ->
                run(memory, definitions, new JoinOptions(2, Long.MAX_VALUE, dir.resolve("spill"))))
        .isInstanceOf(dev.quiver.offline.SourceDataException.class)
        .hasMessageContaining("a-bad.parquet: a timestamp lies outside 1677..2262");
    // Closing fails if any buffer is still allocated, by this test or by a task still running.
    memory.close();
  }

  /** Unlimited: the source is read once; 500 KB: it spills, and each chunk reads it again. */
  @ParameterizedTest(name = "budget {0}")
  @ValueSource(longs = {Long.MAX_VALUE, 500_000})
  void aChunkedJoinHoldsOneChunksOutputAtATime(long budget) {
    // 5,000 keys with a 200-character value each; 200,000 entity rows make a 40 MB output.
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      rows.add(Map.of("driver_id", (long) i, "ts", T0, "text", String.format("%0200d", i)));
    }
    ParquetFixtures.write(
        dir.resolve("data/wide.parquet"),
        "message m { required int64 driver_id; required int64 ts (TIMESTAMP(NANOS,true));"
            + " required binary text (STRING); }",
        rows,
        0);
    Definitions definitions = definitions("data/wide.parquet");
    FeatureSelection selection = FeatureSelection.of(definitions, List.of("v:text"));
    JoinOptions options = new JoinOptions(2, Long.MAX_VALUE, dir.resolve("spill"));
    int entityRows = 200_000;

    long wholePeak;
    List<Object> whole = new ArrayList<>();
    try (Reservation memory = TestMemory.reserve("whole")) {
      try (EntityTable table = EntityTable.of(entities(memory.allocator(), entityRows));
          PointInTimeJoin.Result result =
              PointInTimeJoin.run(
                  table, selection, definitions, dir, false, options, memory, JoinProgress.NONE)) {
        whole.addAll(texts(result.table()));
      }
      wholePeak = memory.allocator().getPeakMemoryAllocation();
    }

    long chunkedPeak;
    List<Object> chunked = new ArrayList<>();
    try (Reservation memory = TestMemory.reserve("chunked")) {
      try (EntityTable table = EntityTable.of(entities(memory.allocator(), entityRows))) {
        PointInTimeJoin.runInChunks(
            table,
            selection,
            definitions,
            dir,
            false,
            options.withMemoryBudget(budget).withChunkRows(10_000),
            memory,
            JoinProgress.NONE,
            chunk -> chunked.addAll(texts(chunk)));
      }
      chunkedPeak = memory.allocator().getPeakMemoryAllocation();
    }

    assertThat(chunked).hasSize(entityRows).isEqualTo(whole).doesNotContainNull();
    assertThat(wholePeak).as("the whole output is in memory at once").isGreaterThan(40_000_000);
    assertThat(chunkedPeak)
        .as("peak Arrow memory in chunks of 10,000 rows (whole: %d bytes)", wholePeak)
        .isLessThan(wholePeak / 4);
  }

  /**
   * Within a real, bounded budget: the join gives back what its estimates say it will not need, and
   * the footers understate the decoded strings sixtyfold; the reservation grows from the free
   * budget instead of failing the allocation.
   */
  @Test
  void aJoinWhoseEstimatesRunLowGrowsItsReservationFromTheFreeBudget() {
    writeLongStrings();
    Definitions definitions = definitions("data/text.parquet");
    List<Object> expected;
    try (Reservation unlimited = TestMemory.reserve("reference")) {
      expected = run(unlimited, definitions, new JoinOptions(2, Long.MAX_VALUE, dir));
    }
    List<Object> chunked = new ArrayList<>();
    try (dev.quiver.offline.resources.MemoryBudget budget =
            new dev.quiver.offline.resources.MemoryBudget(1L << 30);
        Reservation memory = budget.reserve("historical", budget.limit(), 1);
        EntityTable table = EntityTable.of(entities(memory.allocator(), 20_000))) {
      PointInTimeJoin.runInChunks(
          table,
          FeatureSelection.of(definitions, List.of("v:text")),
          definitions,
          dir,
          false,
          new JoinOptions(2, Long.MAX_VALUE, dir.resolve("spill")),
          memory,
          JoinProgress.NONE,
          chunk -> chunked.addAll(texts(chunk)));
      assertThat(budget.reserved()).isLessThanOrEqualTo(budget.limit());
    }
    assertThat(chunked).isEqualTo(expected).doesNotContainNull();
  }

  /** The 5,000-key source of the chunked tests, its values tagged {@code tag}. */
  private Definitions smallSource(String tag) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      rows.add(Map.of("driver_id", (long) i, "ts", T0, "text", tag + i));
    }
    ParquetFixtures.write(
        dir.resolve("data/small.parquet"),
        "message m { required int64 driver_id; required int64 ts (TIMESTAMP(NANOS,true));"
            + " required binary text (STRING); }",
        rows,
        0);
    return definitions("data/small.parquet");
  }

  /** A chunked join of 20,000 entity rows within {@code budget} bytes. */
  private void runInChunks(
      Reservation memory,
      Definitions definitions,
      long budget,
      int chunkRows,
      java.util.function.Consumer<VectorSchemaRoot> chunks) {
    try (EntityTable table = EntityTable.of(entities(memory.allocator(), 20_000))) {
      PointInTimeJoin.runInChunks(
          table,
          FeatureSelection.of(definitions, List.of("v:text")),
          definitions,
          dir,
          false,
          new JoinOptions(2, budget, dir.resolve("spill")).withChunkRows(chunkRows),
          memory,
          JoinProgress.NONE,
          chunks);
    }
  }

  @ParameterizedTest(name = "budget {0}")
  @ValueSource(longs = {Long.MAX_VALUE, 1})
  void aConsumerFailingMidwayStopsTheJoinAndLeavesNoMemoryBehind(long budget) {
    Definitions definitions = smallSource("a");
    Reservation memory = TestMemory.reserve("failing consumer");
    List<Integer> seen = new ArrayList<>();
    assertThatThrownBy(
            () ->
                runInChunks(
                    memory,
                    definitions,
                    budget,
                    4_000,
                    chunk -> {
                      seen.add(chunk.getRowCount());
                      if (seen.size() == 2) {
                        throw new IllegalStateException("the consumer gave up");
                      }
                    }))
        .hasMessage("the consumer gave up");
    assertThat(seen).containsExactly(4_000, 4_000);
    memory.close();
  }

  @Test
  void sourcesThatFitAreReadOnceForAllChunks() {
    Definitions definitions = smallSource("a");
    Reservation memory = TestMemory.reserve("read once");
    List<Object> values = new ArrayList<>();
    runInChunks(
        memory,
        definitions,
        Long.MAX_VALUE,
        5_000,
        chunk -> {
          if (values.isEmpty()) {
            smallSource("b"); // read once already: later chunks do not see it
          }
          values.addAll(texts(chunk));
        });
    assertThat(values).hasSize(20_000).allMatch(v -> v.toString().startsWith("a"));
    memory.close();
  }

  @Test
  void aSourceFileChangedBetweenChunksFailsAJoinThatReadsItAgain() {
    Definitions definitions = smallSource("a");
    Reservation memory = TestMemory.reserve("changed source");
    List<Object> firstChunk = new ArrayList<>();
    assertThatThrownBy(
            () ->
                runInChunks(
                    memory,
                    definitions,
                    1, // the sources do not fit: each chunk reads them again
                    10_000,
                    chunk -> {
                      if (firstChunk.isEmpty()) {
                        firstChunk.addAll(texts(chunk));
                        smallSource("b"); // the same rows, other values
                      }
                    }))
        .isInstanceOf(dev.quiver.offline.SourceDataException.class)
        .hasMessageStartingWith(
            "Cannot make the training set: a source file changed while it was being made")
        .hasMessageContaining("chunk 2 of 2");
    assertThat(firstChunk).hasSize(10_000).startsWith("a0", "a1");
    memory.close();
  }

  @Test
  void chunksHoldAboutHalfTheWorkingMemoryUnlessChosen() {
    Definitions definitions = smallSource("a");
    FeatureSelection selection = FeatureSelection.of(definitions, List.of("v:text"));
    try (Reservation memory = TestMemory.reserve("chunk rows");
        EntityTable table = EntityTable.of(entities(memory.allocator(), 20_000))) {
      JoinOptions options = new JoinOptions(2, Long.MAX_VALUE, dir);
      // Per row: the entity columns' bytes (8 + 8, each + 1 for validity) and a text's 32.
      long rowBytes = 0;
      for (var vector : table.root().getFieldVectors()) {
        rowBytes += vector.getBufferSize() / 20_000 + 1;
      }
      rowBytes += 32;
      assertThat(PointInTimeJoin.outputRowBytes(table, selection)).isEqualTo(rowBytes);
      assertThat(PointInTimeJoin.chunkRows(options, 1L << 30, rowBytes))
          .isEqualTo((int) ((1L << 29) / rowBytes));
      assertThat(PointInTimeJoin.chunkRows(options, 1_000, rowBytes))
          .as("never below the minimum")
          .isEqualTo(PointInTimeJoin.MIN_CHUNK_ROWS);
      assertThat(PointInTimeJoin.chunkRows(options.withChunkRows(123), 1L << 30, rowBytes))
          .isEqualTo(123);
    }
  }

  private static List<Object> texts(VectorSchemaRoot table) {
    List<Object> values = new ArrayList<>();
    for (int i = 0; i < table.getRowCount(); i++) {
      Object value = table.getVector("text").getObject(i);
      values.add(value == null ? null : value.toString());
    }
    return values;
  }
}
