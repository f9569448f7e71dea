package dev.quiver.offline.aggregate;

import dev.quiver.offline.KeyBuckets;
import dev.quiver.offline.NumericValues;
import dev.quiver.registry.model.AggregateFeature;
import dev.quiver.registry.model.AggregationFunction;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.WindowText;
import it.unimi.dsi.fastutil.ints.IntArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VarCharVector;

/**
 * The windowed aggregates of one partition of events (DESIGN.md, "Windowed aggregations"): for an
 * entity row of key {@code k} at {@code t}, a feature with window {@code w} and hop {@code h}
 * aggregates the events of {@code k} with {@code floor(t - w, h) <= ts <= t}.
 *
 * <p>Events are moved key by key into primitive arrays with their values (a counting sort), entity
 * rows bucketed by key; each key's events are sorted once by (event time, file and row order), its
 * entity rows by time. As the entity time grows both ends of every window only move forward, so the
 * features of each window and hop slide two pointers over the key's events: counts and integer sums
 * are differences of prefix sums (integer sums wrap as Java's long addition does, and so do their
 * differences, exactly); float sums add the sums of the window's hop-aligned tiles in time order,
 * each tile's sum being its events' values added in event order (as online tiles are merged), never
 * subtracting: a window's float sum depends on the events in it alone, whatever else the request
 * holds or however the retrieval is chunked; {@code min} and {@code max} keep a monotonic queue of
 * candidates; {@code first} and {@code last} are the first and last non-null values in that order.
 * Each key costs its events plus its entity rows per window (and the window's tiles per float sum).
 */
public final class WindowSearch {

  private WindowSearch() {}

  /**
   * A partition's events: parallel arrays, {@code size} long.
   *
   * @param key the event's key id; the partition holds ids {@code k} with the same {@code k %
   *     partitions}
   * @param ordinal the event's position in file-path then row order
   * @param ref where its values are, handed back in {@link WindowResults} and to {@code columns}
   * @param values per {@link WindowResults#columns()} column, each event's numeric value as bits (a
   *     long, or a double's raw bits), or null to read the column through {@link Columns}
   * @param present per column, whether each event's value is present; null where {@code values} is
   */
  public record Events(
      int size,
      int[] key,
      long[] ts,
      long[] ordinal,
      long[] ref,
      long[][] values,
      boolean[][] present) {}

  /** Reads an event's value of an aggregated column: the vector holding it, and its row there. */
  public interface Columns {
    /** The vector of column {@code column} (a {@link WindowResults#columns()} position) for ref. */
    FieldVector vector(int column, long ref);

    /** The row of {@code ref} in its vector. */
    int row(long ref);
  }

  /**
   * Aggregates the events of one partition for its entity rows into {@code results}.
   *
   * @param entityRows the partition's entity rows (indices into the entity arrays)
   * @param entityKey key id per entity row
   * @param entityTs time per entity row, nanoseconds
   * @param keyCount key ids are below this
   * @param partitions see {@link Events#key()}
   */
  public static void search(
      int[] entityRows,
      int[] entityKey,
      long[] entityTs,
      Events events,
      Columns columns,
      int keyCount,
      int partitions,
      WindowResults results) {
    int localKeys = (keyCount + partitions - 1) / partitions;
    KeyWindow window = new KeyWindow(results, columns);
    window.scatter(events, partitions, localKeys);

    int[] entityStart = new int[localKeys + 1];
    int[] bucketed =
        KeyBuckets.bucket(
            entityRows.length,
            i -> entityKey[entityRows[i]] < 0 ? -1 : entityKey[entityRows[i]] / partitions,
            entityStart);
    int[] entityOrder = new int[bucketed.length];
    for (int i = 0; i < bucketed.length; i++) {
      entityOrder[i] = entityRows[bucketed[i]];
    }
    KeyBuckets.sortEach(entityOrder, entityStart, (a, b) -> Long.compare(entityTs[a], entityTs[b]));
    // The times in that order: the windows of each key read them in turn, once per window.
    long[] entityTimes = new long[entityOrder.length];
    for (int i = 0; i < entityOrder.length; i++) {
      entityTimes[i] = entityTs[entityOrder[i]];
    }

    for (int k = 0; k < localKeys; k++) {
      if (!window.hasEvents(k) || entityStart[k] == entityStart[k + 1]) {
        continue; // no events: every row keeps the empty window's answer
      }
      window.load(k);
      for (int g = 0; g < window.groups(); g++) {
        window.slide(g, entityOrder, entityTimes, entityStart[k], entityStart[k + 1]);
      }
    }
  }

  /** How a column's values are read and compared. */
  private enum Kind {
    LONG,
    DOUBLE,
    TEXT,
    OTHER;

    static Kind of(ScalarType type) {
      return switch (type) {
        case INT32, INT64, TIMESTAMP -> LONG;
        case FLOAT32, FLOAT64 -> DOUBLE;
        case STRING -> TEXT;
        case BOOL, BYTES -> OTHER;
      };
    }
  }

  /**
   * One key's events in (time, file and row) order, with their columns' values in scratch arrays
   * reused from key to key, and the sliding state of one feature at a time.
   */
  private static final class KeyWindow {
    private final WindowResults results;
    private final Columns columns;
    private final Kind[] kinds;
    private final boolean[] textNeeded;
    private int size;
    private long[] ts = new long[16];
    private long[] ref = new long[16];

    /** Per column: whether the value is present, as long and as double, and text. */
    private final boolean[][] present;

    private final long[][] longs;
    private final double[][] doubles;
    private final byte[][][] texts;

    /** Per column: non-null values among the first {@code i} events, and their integer sum. */
    private final int[][] presentBefore;

    private final long[][] sumBefore;

    /** Per column: the first present event at or after {@code i}, the last at or before it. */
    private final int[][] nextPresent;

    private final int[][] previousPresent;

    /**
     * Per column whose float sum is asked for, in the group being slid: each event's running sum
     * from the start of its hop-aligned tile (restarting at every tile), so that a tile's sum is
     * its last event's and a window's sum adds its tiles' sums: a fixed sum given the window's
     * events.
     */
    private final double[][] tileRunning;

    /** In the group being slid, per event: the index just past the last event of its tile. */
    private int[] tileEnd = new int[16];

    /** Per column: whether its running tile sums are made for the group being slid. */
    private final boolean[] runningMade;

    private final boolean[] floatSumNeeded;

    /** Per column: whether an integer sum, or first and last, are asked for. */
    private final boolean[] integerSumNeeded;

    private final boolean[] endsNeeded;
    private int[] order = new int[16];

    /** The features by window and hop, each group's min and max features apart. */
    private final int[][] groups;

    private final int[][] orderedIn;
    private final int[] columnOf;
    private final AggregationFunction[] functions;
    private final boolean[] floatSum;

    /** Per min or max feature, its monotonic queue of candidates, {@code [head, tail)}. */
    private final int[][] queues;

    private final int[] heads;
    private final int[] tails;

    /**
     * Per column, the float sum of the entity row at {@code summedColumn} in the group being slid:
     * sum and mean of one column over one window add the same partial sums once.
     */
    private final double[] columnSum;

    private final int[] summedColumn;

    /** The partition's events key by key ({@link #scatter}), and their columns' values. */
    private int[] keyStart;

    private long[] allTs;
    private long[] allOrdinals;
    private long[] allRefs;
    private final boolean[][] allPresent;
    private final long[][] allLongs;
    private final double[][] allDoubles;
    private final byte[][][] allTexts;

    KeyWindow(WindowResults results, Columns columns) {
      this.results = results;
      this.columns = columns;
      int count = results.columns().size();
      kinds = new Kind[count];
      textNeeded = new boolean[count];
      floatSumNeeded = new boolean[count];
      runningMade = new boolean[count];
      integerSumNeeded = new boolean[count];
      endsNeeded = new boolean[count];
      allPresent = new boolean[count][];
      allLongs = new long[count][];
      allDoubles = new double[count][];
      allTexts = new byte[count][][];
      tileRunning = new double[count][16];
      present = new boolean[count][16];
      longs = new long[count][16];
      doubles = new double[count][16];
      texts = new byte[count][16][];
      presentBefore = new int[count][17];
      sumBefore = new long[count][17];
      nextPresent = new int[count][16];
      previousPresent = new int[count][16];
      List<AggregateFeature> features = results.features();
      int featureCount = features.size();
      columnOf = new int[featureCount];
      functions = new AggregationFunction[featureCount];
      floatSum = new boolean[featureCount];
      queues = new int[featureCount][];
      heads = new int[featureCount];
      tails = new int[featureCount];
      columnSum = new double[count];
      summedColumn = new int[count];
      java.util.Map<List<Long>, List<Integer>> byWindow = new java.util.LinkedHashMap<>();
      for (int f = 0; f < featureCount; f++) {
        AggregateFeature feature = features.get(f);
        columnOf[f] = results.columnOf(f);
        functions[f] = feature.function();
        floatSum[f] =
            functions[f] == AggregationFunction.MEAN
                || functions[f] == AggregationFunction.SUM
                    && WindowResults.isFloat(feature.inputType());
        if (functions[f] == AggregationFunction.MIN || functions[f] == AggregationFunction.MAX) {
          queues[f] = new int[16];
        }
        byWindow
            .computeIfAbsent(
                List.of(feature.windowNanos(), feature.hopNanos()), w -> new ArrayList<>())
            .add(f);
      }
      groups = new int[byWindow.size()][];
      orderedIn = new int[byWindow.size()][];
      int g = 0;
      for (List<Integer> members : byWindow.values()) {
        groups[g] = members.stream().mapToInt(Integer::intValue).toArray();
        orderedIn[g] =
            members.stream().filter(f -> queues[f] != null).mapToInt(Integer::intValue).toArray();
        g++;
      }
      for (int f = 0; f < features.size(); f++) {
        int c = results.columnOf(f);
        if (c >= 0) {
          kinds[c] = Kind.of(features.get(f).inputType());
          AggregationFunction function = features.get(f).function();
          if (function == AggregationFunction.MEAN
              || function == AggregationFunction.SUM && kinds[c] == Kind.DOUBLE) {
            floatSumNeeded[c] = true;
          } else if (function == AggregationFunction.SUM) {
            integerSumNeeded[c] = true;
          }
          if (function == AggregationFunction.FIRST || function == AggregationFunction.LAST) {
            endsNeeded[c] = true;
          }
          if (kinds[c] == Kind.TEXT
              && (function == AggregationFunction.MIN || function == AggregationFunction.MAX)) {
            textNeeded[c] = true;
          }
        }
      }
    }

    /**
     * Lays the partition's events out key by key (a counting sort that moves them, reading them in
     * the order they were routed, which is row order within each batch), their values read once
     * from the batches into primitive arrays: every later pass over a key reads consecutive memory
     * instead of rows scattered over every batch.
     */
    void scatter(Events events, int partitions, int localKeys) {
      int n = events.size();
      int[] key = events.key();
      keyStart = new int[localKeys + 1];
      int[] local = new int[n];
      for (int i = 0; i < n; i++) {
        local[i] = key[i] / partitions;
        keyStart[local[i] + 1]++;
      }
      for (int k = 0; k < localKeys; k++) {
        keyStart[k + 1] += keyStart[k];
      }
      int[] next = Arrays.copyOf(keyStart, localKeys);
      allTs = new long[n];
      allOrdinals = new long[n];
      allRefs = new long[n];
      for (int c = 0; c < kinds.length; c++) {
        allPresent[c] = new boolean[n];
        if (kinds[c] == Kind.LONG) {
          allLongs[c] = new long[n];
        } else if (kinds[c] == Kind.DOUBLE) {
          allDoubles[c] = new double[n];
        } else if (textNeeded[c]) {
          allTexts[c] = new byte[n][];
        }
      }
      long[] ts = events.ts();
      long[] ordinals = events.ordinal();
      long[] refs = events.ref();
      long[][] copied = events.values();
      boolean[][] copiedPresent = events.present();
      for (int i = 0; i < n; i++) {
        int at = next[local[i]]++;
        allTs[at] = ts[i];
        allOrdinals[at] = ordinals[i];
        long ref = refs[i];
        allRefs[at] = ref;
        for (int c = 0; c < kinds.length; c++) {
          if (copied[c] != null) {
            if (copiedPresent[c][i]) {
              allPresent[c][at] = true;
              long bits = copied[c][i];
              if (kinds[c] == Kind.LONG) {
                allLongs[c][at] = bits;
              } else {
                allDoubles[c][at] = Double.longBitsToDouble(bits);
              }
            }
            continue;
          }
          FieldVector vector = columns.vector(c, ref);
          int row = columns.row(ref);
          if (vector.isNull(row)) {
            continue;
          }
          allPresent[c][at] = true;
          switch (kinds[c]) {
            case LONG -> allLongs[c][at] = NumericValues.longOf(vector, row);
            case DOUBLE -> allDoubles[c][at] = NumericValues.doubleOf(vector, row);
            case TEXT -> {
              if (textNeeded[c]) {
                allTexts[c][at] = ((VarCharVector) vector).get(row);
              }
            }
            case OTHER -> {}
          }
        }
      }
    }

    int groups() {
      return groups.length;
    }

    boolean hasEvents(int k) {
      return keyStart[k] < keyStart[k + 1];
    }

    /**
     * Key {@code k}'s events, sorted by (event time, file and row order), into the scratch arrays.
     */
    void load(int k) {
      int from = keyStart[k];
      size = keyStart[k + 1] - from;
      if (ts.length < size) {
        grow(size);
      }
      int[] order = this.order;
      boolean sorted = true;
      for (int i = 0; i < size; i++) {
        order[i] = from + i;
        sorted &= i == 0 || !later(from + i - 1, from + i);
      }
      if (!sorted) {
        if (size <= 16) {
          for (int i = 1; i < size; i++) {
            int event = order[i];
            int j = i - 1;
            while (j >= 0 && later(order[j], event)) {
              order[j + 1] = order[j];
              j--;
            }
            order[j + 1] = event;
          }
        } else {
          IntArrays.quickSort(order, 0, size, (a, b) -> later(a, b) ? 1 : later(b, a) ? -1 : 0);
        }
      }
      for (int i = 0; i < size; i++) {
        ts[i] = allTs[order[i]];
        ref[i] = allRefs[order[i]];
      }
      for (int c = 0; c < kinds.length; c++) {
        loadColumn(c);
      }
    }

    /** Whether event {@code a} comes after event {@code b} in (time, file and row) order. */
    private boolean later(int a, int b) {
      long ta = allTs[a];
      long tb = allTs[b];
      return ta > tb || ta == tb && allOrdinals[a] > allOrdinals[b];
    }

    private void loadColumn(int c) {
      boolean[] has = present[c];
      long[] asLong = longs[c];
      double[] asDouble = doubles[c];
      int[] before = presentBefore[c];
      long[] sum = sumBefore[c];
      boolean[] fromPresent = allPresent[c];
      long[] fromLongs = allLongs[c];
      double[] fromDoubles = allDoubles[c];
      for (int i = 0; i < size; i++) {
        int event = order[i];
        boolean isPresent = fromPresent[event];
        has[i] = isPresent;
        long l = 0;
        double d = 0.0;
        if (isPresent) {
          switch (kinds[c]) {
            case LONG -> {
              l = fromLongs[event];
              d = l;
            }
            case DOUBLE -> d = fromDoubles[event];
            case TEXT -> {
              if (textNeeded[c]) {
                texts[c][i] = allTexts[c][event];
              }
            }
            case OTHER -> {}
          }
        }
        asLong[i] = l;
        asDouble[i] = d;
        before[i + 1] = before[i] + (isPresent ? 1 : 0);
      }
      if (integerSumNeeded[c]) {
        for (int i = 0; i < size; i++) {
          sum[i + 1] = sum[i] + asLong[i];
        }
      }
      if (endsNeeded[c]) {
        findPresentEnds(c, has);
      }
    }

    /** For each event the first present one at or after it, and the last at or before it. */
    private void findPresentEnds(int c, boolean[] has) {
      int next = size;
      for (int i = size - 1; i >= 0; i--) {
        if (has[i]) {
          next = i;
        }
        nextPresent[c][i] = next;
      }
      int previous = -1;
      for (int i = 0; i < size; i++) {
        if (has[i]) {
          previous = i;
        }
        previousPresent[c][i] = previous;
      }
    }

    /** Where each event's tile of {@code hop} ends, for the group about to be slid. */
    private void markTiles(long hop) {
      int start = 0;
      while (start < size) {
        long tile = WindowText.floor(ts[start], hop);
        int end = start + 1;
        while (end < size && WindowText.floor(ts[end], hop) == tile) {
          end++;
        }
        Arrays.fill(tileEnd, start, end, end);
        start = end;
      }
    }

    /** Column {@code c}'s running sums within the tiles {@link #markTiles} marked. */
    private void runWithinTiles(int c) {
      double[] running = tileRunning[c];
      double[] values = doubles[c];
      for (int i = 0; i < size; i++) {
        boolean tileStarts = i == 0 || tileEnd[i - 1] == i;
        running[i] = (tileStarts ? 0.0 : running[i - 1]) + values[i];
      }
      runningMade[c] = true;
    }

    /**
     * The float sum of column {@code c} over events {@code [lo, hi)}: its tiles' sums in time
     * order. {@code lo} starts a tile, as a window starts on a multiple of its hop; the last tile
     * may end after {@code hi - 1}, which then gives its running sum so far.
     */
    private double tileSum(int c, int lo, int hi) {
      double[] running = tileRunning[c];
      double total = 0.0;
      for (int i = lo; i < hi; ) {
        int end = Math.min(tileEnd[i], hi);
        total += running[end - 1];
        i = end;
      }
      return total;
    }

    private void grow(int wanted) {
      int capacity = Math.max(wanted, ts.length * 2);
      ts = Arrays.copyOf(ts, capacity);
      ref = Arrays.copyOf(ref, capacity);
      order = new int[capacity];
      tileEnd = new int[capacity];
      for (int f = 0; f < queues.length; f++) {
        if (queues[f] != null) {
          queues[f] = new int[capacity];
        }
      }
      for (int c = 0; c < kinds.length; c++) {
        present[c] = new boolean[capacity];
        longs[c] = new long[capacity];
        doubles[c] = new double[capacity];
        texts[c] = new byte[capacity][];
        presentBefore[c] = new int[capacity + 1];
        sumBefore[c] = new long[capacity + 1];
        nextPresent[c] = new int[capacity];
        previousPresent[c] = new int[capacity];
        if (floatSumNeeded[c]) {
          tileRunning[c] = new double[capacity];
        }
      }
    }

    /**
     * The features of window group {@code g} (one window and hop) for the key's entity rows {@code
     * entityOrder[from .. to)}, by time ({@code entityTimes[i]} is row {@code entityOrder[i]}'s):
     * the window's ends move once for all of them.
     */
    void slide(int g, int[] entityOrder, long[] entityTimes, int from, int to) {
      int[] members = groups[g];
      AggregateFeature first = results.features().get(members[0]);
      long window = first.windowNanos();
      long hop = first.hopNanos();
      for (int f : members) {
        heads[f] = 0;
        tails[f] = 0;
      }
      Arrays.fill(summedColumn, -1);
      Arrays.fill(runningMade, false);
      boolean tilesMarked = false;
      for (int f : members) {
        if (floatSum[f] && !runningMade[columnOf[f]]) {
          if (!tilesMarked) {
            markTiles(hop);
            tilesMarked = true;
          }
          runWithinTiles(columnOf[f]);
        }
      }
      int[] ordered = orderedIn[g];
      int lo = 0;
      int hi = 0;
      for (int e = from; e < to; e++) {
        int row = entityOrder[e];
        long t = entityTimes[e];
        long start = WindowText.windowStart(t, window, hop);
        while (hi < size && ts[hi] <= t) {
          for (int f : ordered) {
            push(f, hi);
          }
          hi++;
        }
        while (lo < hi && ts[lo] < start) {
          lo++;
        }
        for (int f : members) {
          int c = columnOf[f];
          long[] out = results.values(f);
          switch (functions[f]) {
            case COUNT -> out[row] = c < 0 ? hi - lo : presentBefore[c][hi] - presentBefore[c][lo];
            case SUM, MEAN -> {
              if (floatSum[f]) {
                if (summedColumn[c] != e) {
                  columnSum[c] = tileSum(c, lo, hi);
                  summedColumn[c] = e;
                }
                out[row] = Double.doubleToRawLongBits(columnSum[c]);
                if (functions[f] == AggregationFunction.MEAN) {
                  results.counts(f)[row] = presentBefore[c][hi] - presentBefore[c][lo];
                }
              } else {
                out[row] = sumBefore[c][hi] - sumBefore[c][lo];
              }
            }
            case MIN, MAX -> {
              int[] queue = queues[f];
              while (heads[f] < tails[f] && queue[heads[f]] < lo) {
                heads[f]++;
              }
              out[row] = heads[f] < tails[f] ? ref[queue[heads[f]]] : WindowResults.NO_EVENT;
            }
            case FIRST -> {
              int firstPresent = lo < size ? nextPresent[c][lo] : size;
              out[row] = firstPresent < hi ? ref[firstPresent] : WindowResults.NO_EVENT;
            }
            case LAST -> {
              int last = hi > 0 ? previousPresent[c][hi - 1] : -1;
              out[row] = last >= lo ? ref[last] : WindowResults.NO_EVENT;
            }
          }
        }
      }
    }

    /** Adds event {@code i} to the monotonic queue of min (max) feature {@code f}. */
    private void push(int f, int i) {
      int c = columnOf[f];
      if (!present[c][i]) {
        return;
      }
      int[] queue = queues[f];
      boolean min = functions[f] == AggregationFunction.MIN;
      while (tails[f] > heads[f] && replaces(c, i, queue[tails[f] - 1], min)) {
        tails[f]--;
      }
      queue[tails[f]++] = i;
    }

    /** Whether event {@code candidate} makes event {@code queued} useless as a min (max). */
    private boolean replaces(int c, int candidate, int queued, boolean min) {
      int order =
          switch (kinds[c]) {
            case LONG -> Long.compare(longs[c][candidate], longs[c][queued]);
            case DOUBLE -> Double.compare(doubles[c][candidate], doubles[c][queued]);
            case TEXT -> Arrays.compareUnsigned(texts[c][candidate], texts[c][queued]);
            case OTHER -> throw new IllegalStateException("min/max of a column without an order");
          };
      return min ? order <= 0 : order >= 0;
    }
  }
}
