package dev.quiver.offline.join;

import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.scan.ScanPlan;
import dev.quiver.offline.scan.ViewColumns;
import dev.quiver.registry.FeatureSelection.Selected;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ParquetSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The point-in-time join of one feature view, in four steps: a {@link ScanPlan} of the source's row
 * groups that can matter (made once, immutable), then per attempt a route of the rows read into key
 * partitions held in memory or spilled to disk ({@link RoutedRows}), the search for each entity
 * row's winner, and the gathering of the winners' feature values into the output vectors.
 *
 * <p>The route is chosen from the plan's estimate. When the rows held turn out larger than the
 * footers said (long strings under a dictionary, say), the attempt stops and a new one reads the
 * same plan again, spilling: nothing of the first attempt is reset or reused.
 */
final class ViewJoin {

  private static final Logger LOG = LoggerFactory.getLogger(ViewJoin.class);

  /** Bytes each source row kept for the search takes in {@link SourceRows}. */
  static final long SEARCH_BYTES_PER_ROW = 36;

  private final FeatureView view;
  private final List<Entity> entities;
  private final List<Selected> features;
  private final List<ColumnSpec> keyColumns;
  private final ScanPlan plan;
  private final JoinOptions options;

  /** How an attempt holds the source rows it reads: in memory, or spilled to disk. */
  record Route(int partitions, boolean spill) {}

  private ViewJoin(
      FeatureView view,
      List<Entity> entities,
      List<Selected> features,
      List<ColumnSpec> keyColumns,
      ScanPlan plan,
      JoinOptions options) {
    this.view = view;
    this.entities = entities;
    this.features = features;
    this.keyColumns = keyColumns;
    this.plan = plan;
    this.options = options;
  }

  /**
   * Plans the view's join for entity rows with times in {@code [minEntityTs, maxEntityTs]}: reads
   * every source file's footer, checks its columns, and keeps the row groups whose timestamps can
   * matter ({@code [minEntityTs - ttl, maxEntityTs]}).
   *
   * @throws dev.quiver.QuiverException when the source's path matches no file
   * @throws dev.quiver.offline.SourceDataException for a file without a needed column, or with one
   *     of another type
   */
  static ViewJoin plan(
      FeatureView view,
      ParquetSource source,
      List<Entity> entities,
      List<Selected> features,
      Path repoRoot,
      long minEntityTs,
      long maxEntityTs,
      JoinOptions options) {
    List<ColumnSpec> columns =
        ViewColumns.of(source, entities, features.stream().map(Selected::feature).toList());
    long ttl = view.ttl().toNanos();
    long lower = ttl == 0 ? Long.MIN_VALUE : saturatedSubtract(minEntityTs, ttl);
    ScanPlan plan =
        ScanPlan.builder(
                ViewColumns.describe(view, source),
                ViewColumns.files(view, source, repoRoot, "read"),
                columns)
            .timeRange(source.timestampField(), lower, maxEntityTs)
            .build();
    return new ViewJoin(
        view, entities, features, ViewColumns.keys(source, entities), plan, options);
  }

  private static long saturatedSubtract(long a, long b) {
    long r = a - b;
    return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
  }

  String viewName() {
    return view.name();
  }

  /** How the source stores a timestamp feature (its unit and zone); empty for other features. */
  Optional<ArrowType.Timestamp> storedTimestamp(String feature) {
    return plan.storedTimestamp(feature);
  }

  /** Source rows the plan reads. */
  long plannedRows() {
    return plan.rows();
  }

  /** What holding every planned source row in memory takes: the values and the search arrays. */
  long inMemoryBytes() {
    return plan.estimatedBytes() + plan.rows() * SEARCH_BYTES_PER_ROW;
  }

  /**
   * What the row groups being decoded at one time take at most: one per thread, with room for Arrow
   * rounding buffers up to powers of two.
   */
  long readingBytes() {
    return 2 * plan.largestTaskBytes() * options.threads();
  }

  /** This join with {@code threads} reading and searching at once instead. */
  ViewJoin withThreads(int threads) {
    return threads == options.threads()
        ? this
        : new ViewJoin(view, entities, features, keyColumns, plan, options.withThreads(threads));
  }

  /**
   * The least memory a join of {@code view} can run in beside its entity rows: its largest row
   * group decoded, on one thread. Reads the footers only; a source it cannot read counts as 0 (the
   * join itself reports it).
   */
  static long leastBytes(
      FeatureView view,
      ParquetSource source,
      List<Entity> entities,
      List<Selected> features,
      Path repoRoot) {
    try {
      ScanPlan plan =
          ScanPlan.builder(
                  ViewColumns.describe(view, source),
                  ViewColumns.files(view, source, repoRoot, "read"),
                  ViewColumns.of(
                      source, entities, features.stream().map(Selected::feature).toList()))
              .build();
      return 2 * plan.largestTaskBytes();
    } catch (dev.quiver.QuiverException e) {
      return 0;
    }
  }

  /**
   * Joins the entity rows of {@code table}, filling slot {@code i} of each output vector (one per
   * selected feature, in order) for every entity row {@code i} that has a winner.
   *
   * @param budget bytes the source rows may take in memory; past it they spill to disk
   * @param progress told of every row group read, by every attempt
   * @return what was read
   */
  ViewReads run(
      EntityTable table,
      List<FieldVector> outputs,
      BufferAllocator allocator,
      long budget,
      JoinProgress progress) {
    try (EntityKeys keys = new EntityKeys(table, entities, view.name())) {
      long[] winners = newWinners(table.rowCount());
      long estimate = inMemoryBytes();
      Route route = estimate > budget ? spilled(estimate, budget) : inMemory();
      RoutedRows routed = route(keys, route, allocator, budget, progress);
      if (routed.overBudget()) {
        // The footers understated the decoded size: read the plan again, spilling, rather than go
        // past the budget.
        long measured = routed.projectedBytes();
        routed.close();
        LOG.info("{}: over the memory budget in memory; reading again, spilling", view.name());
        routed =
            route(keys, spilled(Math.max(estimate, measured), budget), allocator, budget, progress);
      }
      try (RoutedRows held = routed) {
        long searching = System.nanoTime();
        held.searchAndGather(keys, table.timestamps(), winners, outputs);
        LOG.info(
            "{}: {} keys, {} row groups read and routed, searched and gathered in {} ms ({})",
            view.name(),
            keys.dictionary().size(),
            plan.tasks().size(),
            (System.nanoTime() - searching) / 1_000_000,
            held.route().spill()
                ? "spilled to " + held.route().partitions() + " partitions"
                : "in memory");
        return held.reads();
      }
    }
  }

  /**
   * Searches every entity row of {@code table} with the source rows held in memory, for gathering
   * the values of any range of rows later ({@link Searched#gather}): the sources are read once
   * however many chunks the output is cut into. Returns null, having released what it read, when
   * the source rows do not fit {@code budget} bytes; then use {@link #run}.
   */
  Searched searchInMemory(
      EntityTable table, BufferAllocator allocator, long budget, JoinProgress progress) {
    if (inMemoryBytes() > budget) {
      return null;
    }
    // The key dictionary copies the keys: it and the converted key columns are needed while the
    // sources are read and searched, not while chunks are gathered.
    try (EntityKeys keys = new EntityKeys(table, entities, view.name())) {
      RoutedRows routed = route(keys, inMemory(), allocator, budget, progress);
      boolean kept = false;
      try {
        if (routed.overBudget()) {
          return null;
        }
        long[] winners = newWinners(table.rowCount());
        routed.search(keys, table.timestamps(), winners);
        Searched searched = new Searched(routed, winners);
        kept = true;
        return searched;
      } finally {
        if (!kept) {
          routed.close();
        }
      }
    }
  }

  /** A view's winners for every entity row, and the source rows they point into. */
  final class Searched implements AutoCloseable {
    private final RoutedRows routed;
    private final long[] winners;

    private Searched(RoutedRows routed, long[] winners) {
      this.routed = routed;
      this.winners = winners;
    }

    /** What it holds: the source rows read, and a winner per entity row. */
    long heldBytes() {
      return routed.heldBytes() + 8L * winners.length;
    }

    ViewReads reads() {
      return routed.reads();
    }

    /** Copies the winners' values of entity rows {@code [from, from + length)} to slots from 0. */
    void gather(int from, int length, List<FieldVector> outputs) {
      routed.gather(winners, from, length, outputs);
    }

    @Override
    public void close() {
      routed.close();
    }
  }

  private static long[] newWinners(int rows) {
    long[] winners = new long[rows];
    Arrays.fill(winners, WinnerSearch.NO_WINNER);
    return winners;
  }

  private Route inMemory() {
    return new Route(options.threads(), false);
  }

  /**
   * Enough partitions that the ones processed at the same time (one per thread) hold about half the
   * budget together.
   */
  private Route spilled(long estimate, long budget) {
    long perPartition = Math.max(1, budget / 2 / options.threads());
    long partitions = (estimate + perPartition - 1) / perPartition;
    return new Route((int) Math.max(options.threads(), Math.min(4096, partitions)), true);
  }

  /** Reads the plan once more, routing its rows as {@code route} says. */
  private RoutedRows route(
      EntityKeys keys, Route route, BufferAllocator allocator, long budget, JoinProgress progress) {
    List<ViewJoin.FieldVectorSpec> featureFields = new ArrayList<>();
    for (Selected s : features) {
      featureFields.add(new FieldVectorSpec(s.feature().name(), s.feature().type()));
    }
    RoutedRows routed =
        new RoutedRows(
            view,
            plan,
            keyColumns,
            featureFields,
            keys,
            route,
            options,
            allocator,
            budget,
            progress);
    try {
      routed.read();
      return routed;
    } catch (RuntimeException | Error e) {
      routed.close();
      throw e;
    }
  }

  /** The name and type of a feature column in spill files and outputs. */
  record FieldVectorSpec(String name, dev.quiver.registry.model.ValueType type) {}
}
