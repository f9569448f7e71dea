package dev.quiver.spark;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * A plain view's point-in-time answer (DESIGN.md): for an entity row at {@code t}, among the key's
 * events known by {@code t} (event time, or for {@code known_time: created} the later of event and
 * created time, at or before {@code t}: the time the partition is sorted by), the greatest in
 * (event time, created time with null lowest, file, row) order, when its event time lies within the
 * ttl; else nulls. The candidates only grow as {@code t} does, so the best so far is the answer,
 * and when it is older than the ttl every other candidate is too.
 *
 * <p>Input after the entity row's ranks: the event time, the created time, the file and row ranks,
 * then the values.
 */
final class LatestMerge extends KeyedMerge {

  private static final long serialVersionUID = 1L;

  private final int values;
  private final long ttlNanos;
  private transient Row best;

  /**
   * @param values how many feature columns follow the row rank
   * @param ttlNanos 0 for no limit
   */
  LatestMerge(int keys, int values, long ttlNanos, KeyedMerge.Counts counts) {
    super(keys, keys + 8, counts);
    this.values = values;
    this.ttlNanos = ttlNanos;
  }

  @Override
  void startKey() {
    best = null;
  }

  @Override
  void event(Row row, long knownAt) {
    if (best == null || later(row, best)) {
      best = row;
    }
  }

  /** Whether event {@code a} wins over {@code b}: (time, created, file, row) order. */
  private boolean later(Row a, Row b) {
    int at = keys + 4;
    int order = Long.compare(a.getLong(at), b.getLong(at));
    if (order == 0) {
      long createdA = a.isNullAt(at + 1) ? Long.MIN_VALUE : a.getLong(at + 1);
      long createdB = b.isNullAt(at + 1) ? Long.MIN_VALUE : b.getLong(at + 1);
      order = Long.compare(createdA, createdB);
    }
    if (order == 0) {
      order = Integer.compare(a.getInt(at + 2), b.getInt(at + 2));
    }
    if (order == 0) {
      order = Long.compare(a.getLong(at + 3), b.getLong(at + 3));
    }
    return order > 0;
  }

  @Override
  Row answer(int entityFile, long entityRow, long ts) {
    Object[] out = new Object[2 + values];
    out[0] = entityFile;
    out[1] = entityRow;
    if (best != null && (ttlNanos <= 0 || best.getLong(keys + 4) >= ts - ttlNanos)) {
      for (int v = 0; v < values; v++) {
        out[2 + v] = best.get(valuesFrom + v);
      }
    }
    return RowFactory.create(out);
  }
}
