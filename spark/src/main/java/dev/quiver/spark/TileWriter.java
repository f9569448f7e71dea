package dev.quiver.spark;

import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.OnlineStoreException;
import dev.quiver.online.SupportsTiles;
import dev.quiver.online.tiles.TileFold;
import dev.quiver.online.tiles.TileLayout;
import dev.quiver.registry.model.Entity;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.FeatureView;
import dev.quiver.registry.model.ScalarType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Row;

/**
 * Writes a partition's tile sets, one per key: rows come sorted by key, then file and row order,
 * and each key's events in the window's buckets fold into a set computed whole ({@link
 * TileFold#withoutPositions}), in chunks so that a key with many events takes the memory of its
 * tiles, not of its events. Sets merge into the store in batches: each tile replaces the stored
 * tile of its bucket, so re-running never counts an event twice.
 *
 * <p>Input: the join keys, the event time, the file and row ranks, then the view's source columns.
 */
final class TileWriter implements ForeachPartitionFunction<Row> {

  private static final long serialVersionUID = 1L;
  private static final int EVENTS_PER_FOLD = 4096;

  private final OnlineTarget target;
  private final String view;
  private final ArrayList<dev.quiver.registry.model.AggregateFeature> features;
  private final List<String> keyNames = new ArrayList<>();
  private final HashMap<String, ScalarType> keyTypes = new HashMap<>();
  private final int[] slotColumn;
  private final ScalarType[] slotType;
  private final long newestEvent;
  private final SparkMaterialization.Counters counters;

  TileWriter(
      OnlineTarget target,
      FeatureView view,
      List<Entity> entities,
      long newestEvent,
      SparkMaterialization.Counters counters) {
    this.target = target;
    this.view = view.name();
    this.features = new ArrayList<>(view.aggregateFeatures());
    for (Entity entity : entities) {
      keyNames.add(entity.joinKey());
      keyTypes.put(entity.joinKey(), entity.type());
    }
    TileLayout layout = TileLayout.of(features);
    List<Feature> columns = view.sourceColumns();
    slotColumn = new int[layout.slots().size()];
    slotType = new ScalarType[slotColumn.length];
    for (int s = 0; s < slotColumn.length; s++) {
      TileLayout.Slot slot = layout.slots().get(s);
      slotColumn[s] = -1;
      for (int c = 0; c < columns.size(); c++) {
        if (columns.get(c).name().equals(slot.column())) {
          slotColumn[s] = c;
          slotType[s] = slot.inputType();
        }
      }
    }
    this.newestEvent = newestEvent;
    this.counters = counters;
  }

  @Override
  public void call(Iterator<Row> rows) {
    if (!(target.store() instanceof SupportsTiles store)) {
      throw new OnlineStoreException(
          "Cannot materialize feature view '"
              + view
              + "': the online store does not keep tiles, which aggregation views need");
    }
    TileFold fold = new TileFold(TileLayout.of(features));
    int keys = keyNames.size();
    int ts = keys;
    int values = keys + 3;
    List<OnlineStore.Record> batch = new ArrayList<>();
    List<TileFold.Event> events = new ArrayList<>();
    byte[] set = null;
    Row current = null;
    long offset = 0;
    long written = 0;
    while (rows.hasNext()) {
      Row row = rows.next();
      if (current != null && !SparkRows.sameKey(current, row, keys)) {
        set = fold.fold(set, events, newestEvent);
        written += add(store, batch, current, keys, set);
        set = null;
        events.clear();
        offset = 0;
      }
      current = row;
      Object[] slots = new Object[slotColumn.length];
      for (int s = 0; s < slots.length; s++) {
        slots[s] = slotColumn[s] < 0 ? null : slotValue(row, values + slotColumn[s], slotType[s]);
      }
      events.add(new TileFold.Event(0, offset++, row.getLong(ts), slots));
      if (events.size() >= EVENTS_PER_FOLD) {
        set = fold.fold(set, events, newestEvent);
        events.clear();
      }
    }
    if (current != null) {
      set = fold.fold(set, events, newestEvent);
      written += add(store, batch, current, keys, set);
    }
    if (!batch.isEmpty()) {
      written += store.mergeTiles(view, batch);
    }
    counters.written.add(written);
  }

  /** Adds a key's finished set to the batch, merging the batch when full; sets merged. */
  private long add(
      SupportsTiles store, List<OnlineStore.Record> batch, Row key, int keys, byte[] folded) {
    byte[] set = TileFold.withoutPositions(folded);
    if (set == null) {
      return 0;
    }
    Map<String, Object> values = new HashMap<>();
    for (int k = 0; k < keys; k++) {
      values.put(keyNames.get(k), key.get(k));
    }
    batch.add(new OnlineStore.Record(EntityKeyCodec.encode(values, keyTypes), set));
    if (batch.size() < LatestWriter.BATCH) {
      return 0;
    }
    long merged = store.mergeTiles(view, List.copyOf(batch));
    batch.clear();
    return merged;
  }

  /** A slot's value as tiles fold it: longs, doubles, or UTF-8 bytes. */
  private static Object slotValue(Row row, int at, ScalarType type) {
    if (row.isNullAt(at)) {
      return null;
    }
    Object value = row.get(at);
    return switch (type) {
      case BOOL -> ((Boolean) value) ? 1L : 0L;
      case INT32, INT64 -> ((Number) value).longValue();
      case FLOAT32, FLOAT64 -> ((Number) value).doubleValue();
      case TIMESTAMP -> {
        Instant instant = (Instant) value;
        yield instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
      }
      case STRING -> ((String) value).getBytes(StandardCharsets.UTF_8);
      case BYTES -> value;
    };
  }
}
