package dev.quiver.online;

import dev.quiver.online.tiles.TileSets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference store: a map in this object, selected as {@code online_store: {type: memory}}
 * ({@link InMemoryOnlineStoreFactory}). Tests and embedded users that need no persistence use it;
 * every backend must behave as it does ({@code OnlineStoreContract}).
 */
public final class InMemoryOnlineStore implements SupportsRowCount, SupportsTiles {

  private final String project;
  private final Map<String, Map<ByteBuffer, byte[]>> views = new ConcurrentHashMap<>();

  public InMemoryOnlineStore(String project) {
    this.project = project;
  }

  @Override
  public String project() {
    return project;
  }

  @Override
  public long write(String view, List<Record> records) {
    Map<ByteBuffer, byte[]> rows = views.computeIfAbsent(view, v -> new ConcurrentHashMap<>());
    long written = 0;
    for (Record record : records) {
      byte[][] replaced = new byte[1][];
      rows.compute(
          ByteBuffer.wrap(record.entityKey().clone()),
          (key, stored) -> {
            if (stored == null || ValueCodec.replaces(record.value(), stored)) {
              replaced[0] = record.value();
              return record.value().clone();
            }
            return stored;
          });
      if (replaced[0] != null) {
        written++;
      }
    }
    return written;
  }

  @Override
  public long updateTiles(String view, List<byte[]> entityKeys, TileUpdate update) {
    Map<ByteBuffer, byte[]> sets = views.computeIfAbsent(view, v -> new ConcurrentHashMap<>());
    long changed = 0;
    for (int i = 0; i < entityKeys.size(); i++) {
      int index = i;
      boolean[] change = new boolean[1];
      sets.compute(
          ByteBuffer.wrap(entityKeys.get(i).clone()),
          (key, stored) -> {
            byte[] next = update.next(index, stored);
            change[0] = !Arrays.equals(next, stored);
            return next;
          });
      if (change[0]) {
        changed++;
      }
    }
    return changed;
  }

  @Override
  public long expireTiles(String view, long newestEventNanos) {
    Map<ByteBuffer, byte[]> sets = views.get(view);
    if (sets == null) {
      return 0;
    }
    long changed = 0;
    for (ByteBuffer key : sets.keySet()) {
      boolean[] change = new boolean[1];
      sets.computeIfPresent(
          key,
          (k, stored) -> {
            byte[] kept = TileSets.expire(stored, newestEventNanos);
            change[0] = kept != stored;
            return kept;
          });
      if (change[0]) {
        changed++;
      }
    }
    return changed;
  }

  @Override
  public List<byte[]> read(List<Key> keys) {
    List<byte[]> rows = new ArrayList<>(keys.size());
    for (Key key : keys) {
      Map<ByteBuffer, byte[]> view = views.get(key.view());
      byte[] row = view == null ? null : view.get(ByteBuffer.wrap(key.entityKey()));
      rows.add(row == null ? null : row.clone());
    }
    return rows;
  }

  @Override
  public void deleteView(String view) {
    views.remove(view);
  }

  @Override
  public long rowCount(String view) {
    Map<ByteBuffer, byte[]> rows = views.get(view);
    return rows == null ? 0 : rows.size();
  }

  @Override
  public void close() {}
}
