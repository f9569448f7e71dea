package dev.quiver.offline.join;

import dev.quiver.offline.aggregate.WindowResults;
import dev.quiver.offline.parquet.ColumnSpec;
import dev.quiver.offline.scan.ScanPlan;
import dev.quiver.offline.scan.ViewColumns;
import dev.quiver.registry.FeatureSelection.Selected;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.KnownTime;
import dev.quiver.registry.model.ParquetSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * row's answer ({@link PartitionSearch}: its winner, or for an aggregation view its windows'
 * aggregates), and the gathering of the answers into the output vectors.
 *
 * <p>The route is chosen from the plan's estimate. When the rows held turn out larger than the
 * footers said (long strings under a dictionary, say), the attempt stops and a new one reads the
 * same plan again, spilling: nothing of the first attempt is reset or reused.
 */
final class ViewJoin {

  private static final Logger LOG = LoggerFactory.getLogger(ViewJoin.class);

  /** Bytes each source row kept for the search takes in {@link SourceRows}. */
  static final long SEARCH_BYTES_PER_ROW = 36;

  /**
   * What an aggregation's search allocates beside a partition's routed events, per event: the
   * key-ordered copies (time, ordinal, reference, key slot) and the key's sliding arrays; and per
   * aggregated value: its copy, presence, prefix counts and sums, neighbours and sum tree (measured
   * at about 184 bytes an event with two columns).
   */
  static final long SEARCH_COPY_BYTES_PER_EVENT = 48;

  static final long SEARCH_COPY_BYTES_PER_VALUE = 70;

  /** Source rows per partition of an aggregation view held in memory, about. */
  private static final long AGGREGATION_PARTITION_ROWS = 1 << 17;

  private final FeatureView view;
  private final List<Entity> entities;
  private final List<Selected> features;
  private final List<AggregateFeature> aggregates;
  private final long lookback;
  private final List<ColumnSpec> keyColumns;
  private final ScanPlan plan;
  private final JoinOptions options;

  /** How an attempt holds the source rows it reads: in memory, or spilled to disk. */
  record Route(int partitions, boolean spill) {}

  private ViewJoin(
      FeatureView view,
      List<Entity> entities,
      List<Selected> features,
      List<AggregateFeature> aggregates,
      long lookback,
      List<ColumnSpec> keyColumns,
      ScanPlan plan,
      JoinOptions options) {
    this.view = view;
    this.entities = entities;
    this.features = features;
    this.aggregates = aggregates;
    this.lookback = lookback;
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
    List<AggregateFeature> aggregates = aggregatesOf(view, features);
    long lookback = lookback(view, aggregates);
    long lower = lookback == 0 ? Long.MIN_VALUE : saturatedSubtract(minEntityTs, lookback);
    ScanPlan plan =
        ScanPlan.builder(
                ViewColumns.describe(view, source),
                ViewColumns.files(view, source, repoRoot, "read"),
                columnsOf(view, source, entities, features, aggregates))
            .timeRange(source.timestampField(), lower, maxEntityTs)
            .build();
    return new ViewJoin(
        view,
        entities,
        features,
        aggregates,
        lookback,
        ViewColumns.keys(source, entities),
        plan,
        options);
  }

  /** The requested aggregation features of an aggregation view, in request order; else empty. */
  private static List<AggregateFeature> aggregatesOf(FeatureView view, List<Selected> features) {
    if (!view.isAggregation()) {
      return List.of();
    }
    Map<String, AggregateFeature> byName = new HashMap<>();
    view.aggregateFeatures().forEach(a -> byName.put(a.name(), a));
    return features.stream().map(s -> byName.get(s.feature().name())).toList();
  }

  /**
   * How long before an entity row a source row can still matter (0: any time): the ttl of a plain
   * view; the longest window and its hop of an aggregation view, as a window starts at {@code
   * floor(t - w, h) > t - w - h}.
   */
  private static long lookback(FeatureView view, List<AggregateFeature> aggregates) {
    if (!view.isAggregation()) {
      return view.ttl().toNanos();
    }
    long longest = 0;
    for (AggregateFeature aggregate : aggregates) {
      long reach = aggregate.windowNanos() + aggregate.hopNanos();
      if (reach < 0) {
        return 0; // beyond every representable instant: no bound
      }
      longest = Math.max(longest, reach);
    }
    return longest;
  }

  /**
   * What the view reads: the keys, the event time, and the created time and the requested features
   * of a plain view, or the columns the requested aggregations aggregate.
   */
  private static List<ColumnSpec> columnsOf(
      FeatureView view,
      ParquetSource source,
      List<Entity> entities,
      List<Selected> features,
      List<AggregateFeature> aggregates) {
    if (!view.isAggregation()) {
      return ViewColumns.of(source, entities, features.stream().map(Selected::feature).toList());
    }
    return ViewColumns.ofEvents(source, entities, aggregatedColumns(view, aggregates));
  }

  /** The columns {@code aggregates} aggregate, each once, with their declared types. */
  private static List<Feature> aggregatedColumns(
      FeatureView view, List<AggregateFeature> aggregates) {
    List<Feature> columns = new ArrayList<>();
    for (Feature column : view.sourceColumns()) {
      if (aggregates.stream().anyMatch(a -> column.name().equals(a.column()))) {
        columns.add(column);
      }
    }
    return columns;
  }

  private static long saturatedSubtract(long a, long b) {
    long r = a - b;
    return ((a ^ b) & (a ^ r)) < 0 ? Long.MIN_VALUE : r;
  }

  String viewName() {
    return view.name();
  }

  /**
   * How the source stores a timestamp feature (its unit and zone), or the column a timestamp
   * aggregate (min, max, first, last) takes its value from; empty for other features.
   */
  Optional<ArrowType.Timestamp> storedTimestamp(String feature) {
    if (view.isAggregation()) {
      return aggregates.stream()
          .filter(a -> a.name().equals(feature) && a.column() != null)
          .findFirst()
          .flatMap(a -> plan.storedTimestamp(a.column()));
    }
    return plan.storedTimestamp(feature);
  }

  /** What the answers of {@code rows} entity rows take: a winner, or each feature's aggregate. */
  long answerBytes(int rows) {
    return view.isAggregation() ? WindowResults.bytes(aggregates, rows) : 8L * rows;
  }

  /** Source rows the plan reads. */
  long plannedRows() {
    return plan.rows();
  }

  /**
   * What holding every planned source row in memory takes: the values, the search arrays and an
   * aggregation's copied columns (9 bytes a value).
   */
  long inMemoryBytes() {
    long perRow = SEARCH_BYTES_PER_ROW + 9L * copiedColumns().size();
    return plan.estimatedBytes() + plan.rows() * perRow;
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
        : new ViewJoin(
            view,
            entities,
            features,
            aggregates,
            lookback,
            keyColumns,
            plan,
            options.withThreads(threads));
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
                  columnsOf(view, source, entities, features, aggregatesOf(view, features)))
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
        held.searchAndGather(newSearch(keys, table, held.route()), outputs);
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
        PartitionSearch search = newSearch(keys, table, routed.route());
        routed.search(search);
        Searched searched = new Searched(routed, search);
        kept = true;
        return searched;
      } finally {
        if (!kept) {
          routed.close();
        }
      }
    }
  }

  /** A view's answers for every entity row, and the source rows they point into. */
  final class Searched implements AutoCloseable {
    private final RoutedRows routed;
    private final PartitionSearch search;

    private Searched(RoutedRows routed, PartitionSearch search) {
      this.routed = routed;
      this.search = search;
    }

    /** What it holds: the source rows read, and the answers of every entity row. */
    long heldBytes() {
      return routed.heldBytes() + search.heldBytes();
    }

    ViewReads reads() {
      return routed.reads();
    }

    /** Writes the answers of entity rows {@code [from, from + length)} to slots from 0. */
    void gather(int from, int length, List<FieldVector> outputs) {
      routed.gather(search, from, length, outputs);
    }

    @Override
    public void close() {
      routed.close();
    }
  }

  /** The search of the view's kind for the entity rows of {@code table}, routed as given. */
  private PartitionSearch newSearch(EntityKeys keys, EntityTable table, Route route) {
    if (view.isAggregation()) {
      return new WindowAggregates(keys, table.timestamps(), route.partitions(), aggregates);
    }
    return new LatestRows(
        keys,
        table.timestamps(),
        route.partitions(),
        lookback,
        view.knownTime() == KnownTime.CREATED,
        features.stream().map(s -> s.feature().name()).toList());
  }

  private Route inMemory() {
    if (view.isAggregation()) {
      // Partitions of about 128k events: an aggregation holds every event of its windows, and a
      // partition's search works on copies of its events that then stay in the processor's cache.
      long partitions = plan.rows() / AGGREGATION_PARTITION_ROWS;
      return new Route((int) Math.max(options.threads(), Math.min(4096, partitions)), false);
    }
    return new Route(options.threads(), false);
  }

  /**
   * Enough partitions that the ones processed at the same time (one per thread) hold about half the
   * budget together.
   */
  private Route spilled(long estimate, long budget) {
    long perPartition = Math.max(1, budget / 2 / options.threads());
    // An aggregation's search lays each partition's events out again, key by key, with arrays per
    // aggregated column: room for those copies too, so a partition and its search fit together.
    long searched =
        view.isAggregation()
            ? estimate
                + plan.rows()
                    * (SEARCH_COPY_BYTES_PER_EVENT
                        + SEARCH_COPY_BYTES_PER_VALUE * aggregatedColumns(view, aggregates).size())
            : estimate;
    long partitions = (searched + perPartition - 1) / perPartition;
    return new Route((int) Math.max(options.threads(), Math.min(4096, partitions)), true);
  }

  /** Reads the plan once more, routing its rows as {@code route} says. */
  private RoutedRows route(
      EntityKeys keys, Route route, BufferAllocator allocator, long budget, JoinProgress progress) {
    // The columns spilled beside the search columns: the values a search copies or aggregates.
    List<ViewJoin.FieldVectorSpec> featureFields = new ArrayList<>();
    if (view.isAggregation()) {
      for (Feature column : aggregatedColumns(view, aggregates)) {
        featureFields.add(new FieldVectorSpec(column.name(), column.type()));
      }
    } else {
      for (Selected s : features) {
        featureFields.add(new FieldVectorSpec(s.feature().name(), s.feature().type()));
      }
    }
    RoutedRows routed =
        new RoutedRows(
            view,
            plan,
            keyColumns,
            featureFields,
            keys,
            route,
            copiedColumns(),
            needsBatches(),
            lookback,
            !view.isAggregation() && view.knownTime() == KnownTime.CREATED,
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

  /**
   * The numeric columns an aggregation view's rows held in memory carry as primitive values: the
   * search reads them from there rather than from every batch in turn.
   */
  private List<String> copiedColumns() {
    List<String> names = new ArrayList<>();
    for (Feature column : aggregatedColumns(view, aggregates)) {
      if (!column.type().list() && WindowResults.isNumeric(column.type().element())) {
        names.add(column.name());
      }
    }
    return names;
  }

  /**
   * Whether the search or the gather reads the routed rows' batches: a plain view copies its
   * winners' values from them, and so does an aggregation's min, max, first or last; a column not
   * copied ({@link #copiedColumns}) is read there too.
   */
  private boolean needsBatches() {
    if (!view.isAggregation()) {
      return true;
    }
    List<String> copied = copiedColumns();
    for (AggregateFeature aggregate : aggregates) {
      boolean selects =
          switch (aggregate.function()) {
            case MIN, MAX, FIRST, LAST -> true;
            case COUNT, SUM, MEAN -> false;
          };
      if (selects || aggregate.column() != null && !copied.contains(aggregate.column())) {
        return true;
      }
    }
    return false;
  }

  /** The name and type of a feature column in spill files and outputs. */
  record FieldVectorSpec(String name, dev.quiver.registry.model.ValueType type) {}
}
