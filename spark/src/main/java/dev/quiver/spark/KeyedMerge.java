package dev.quiver.spark;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.LongAccumulator;

/**
 * The second half of a sort-merge join on Spark: a partition of entity rows and source events,
 * sorted by key, then time, with at equal times every event before the entity rows (DESIGN.md's
 * bounds include {@code ts == t}). One pass answers each entity row from what its key's events so
 * far left in the merge's state, which holds one key at a time: memory per task is that state, not
 * the key's rows (Spark's sort spills those). Source rows with a null key or event time are skipped
 * and counted.
 *
 * <p>Input columns, by position: the {@code keys} key columns, {@link SourceFrames#TS}, the kind
 * ({@link #EVENT} or {@link #ENTITY}), the entity row's file and row rank, the columns the
 * partition is sorted by after these, then from {@link #valuesFrom} the values.
 */
abstract class KeyedMerge implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  static final String KIND = "__quiver_kind";
  static final String ENTITY_FILE = "__quiver_entity_file";
  static final String ENTITY_ROW = "__quiver_entity_row";

  static final int EVENT = 0;
  static final int ENTITY = 1;

  final int keys;
  final int valuesFrom;
  private final Counts counts;

  /**
   * What the merges of one training set count, summed on the driver: source rows read, and those
   * skipped for a null key or a null event time.
   */
  record Counts(LongAccumulator read, LongAccumulator nullKeys, LongAccumulator nullTimes)
      implements java.io.Serializable {

    static Counts register(org.apache.spark.sql.SparkSession spark) {
      return new Counts(
          spark.sparkContext().longAccumulator("source rows read"),
          spark.sparkContext().longAccumulator("null keys"),
          spark.sparkContext().longAccumulator("null times"));
    }
  }

  KeyedMerge(int keys, int valuesFrom, Counts counts) {
    this.keys = keys;
    this.valuesFrom = valuesFrom;
    this.counts = counts;
  }

  /** A new key starts: forget the last one's state. */
  abstract void startKey();

  /** Takes in an event of the current key (non-null key and time), in time then file/row order. */
  abstract void event(Row row, long ts);

  /** The answer for an entity row of the current key at {@code ts}. */
  abstract Row answer(int entityFile, long entityRow, long ts);

  @Override
  public Iterator<Row> call(Iterator<Row> input) {
    return new Iterator<>() {
      private Row next;
      private Row currentKey;
      private long read;
      private long skippedKeys;
      private long skippedTimes;

      @Override
      public boolean hasNext() {
        while (next == null && input.hasNext()) {
          Row row = input.next();
          boolean entity = row.getInt(keys + 1) == ENTITY;
          if (!entity) {
            read++;
            if (SparkRows.hasNull(row, keys)) {
              skippedKeys++;
              continue;
            }
            if (row.isNullAt(keys)) {
              skippedTimes++;
              continue;
            }
          }
          if (currentKey == null || !SparkRows.sameKey(currentKey, row, keys)) {
            currentKey = row;
            startKey();
          }
          long ts = row.getLong(keys);
          if (entity) {
            next = answer(row.getInt(keys + 2), row.getLong(keys + 3), ts);
          } else {
            event(row, ts);
          }
        }
        if (next == null) {
          flushCounts();
        }
        return next != null;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        Row row = next;
        next = null;
        return row;
      }

      private void flushCounts() {
        counts.read().add(read);
        counts.nullKeys().add(skippedKeys);
        counts.nullTimes().add(skippedTimes);
        read = 0;
        skippedKeys = 0;
        skippedTimes = 0;
      }
    };
  }
}
