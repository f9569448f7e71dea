package dev.quiver.spark;

import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineRow;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.ValueCodec;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ScalarType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Row;

/**
 * Writes a partition's latest rows, one per key: rows come sorted by key, then (time, created time
 * with null first, file, row), so a key's last row in the window is its winner. Rows go to the
 * store in batches; the store keeps a stored row when it is newer (newer-wins).
 *
 * <p>Input: the join keys, the event time, the created time, the file and row ranks, whether the
 * row lies in the window, then the view's features.
 */
final class LatestWriter implements ForeachPartitionFunction<Row> {

  private static final long serialVersionUID = 1L;
  static final int BATCH = 10_000;

  private final OnlineTarget target;
  private final String view;
  private final List<Feature> features;
  private final List<String> keyNames = new ArrayList<>();
  private final HashMap<String, ScalarType> keyTypes = new HashMap<>();
  private final SparkMaterialization.Counters counters;

  LatestWriter(
      OnlineTarget target,
      FeatureView view,
      List<Entity> entities,
      SparkMaterialization.Counters counters) {
    this.target = target;
    this.view = view.name();
    this.features = new ArrayList<>(view.features());
    for (Entity entity : entities) {
      keyNames.add(entity.joinKey());
      keyTypes.put(entity.joinKey(), entity.type());
    }
    this.counters = counters;
  }

  @Override
  public void call(Iterator<Row> rows) {
    int keys = keyNames.size();
    int ts = keys;
    int created = keys + 1;
    int inWindow = keys + 4;
    int values = keys + 5;
    OnlineStore store = target.store();
    List<OnlineStore.Record> batch = new ArrayList<>();
    long read = 0;
    long kept = 0;
    long written = 0;
    long newest = Long.MIN_VALUE;
    Row best = null;
    while (rows.hasNext()) {
      Row row = rows.next();
      read++;
      if (row.isNullAt(ts) || SparkRows.hasNull(row, keys) || !row.getBoolean(inWindow)) {
        continue;
      }
      kept++;
      newest = Math.max(newest, row.getLong(ts));
      if (best != null && !SparkRows.sameKey(best, row, keys)) {
        batch.add(record(best, keys, ts, created, values));
        if (batch.size() >= BATCH) {
          written += store.write(view, batch);
          batch = new ArrayList<>();
        }
      }
      best = row;
    }
    if (best != null) {
      batch.add(record(best, keys, ts, created, values));
    }
    if (!batch.isEmpty()) {
      written += store.write(view, batch);
    }
    counters.read.add(read);
    counters.inWindow.add(kept);
    counters.written.add(written);
    counters.newest.add(newest);
  }

  private OnlineStore.Record record(Row row, int keys, int ts, int created, int values) {
    Map<String, Object> key = new HashMap<>();
    for (int k = 0; k < keys; k++) {
      key.put(keyNames.get(k), row.get(k));
    }
    byte[] encodedKey = EntityKeyCodec.encode(key, keyTypes);
    byte[] value =
        ValueCodec.encode(
            row.getLong(ts),
            row.isNullAt(created) ? OnlineRow.NO_CREATED : row.getLong(created),
            features,
            i -> SparkRows.value(row, values + i));
    return new OnlineStore.Record(encodedKey, value);
  }
}
