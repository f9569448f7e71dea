package dev.quiver.offline.join;

import dev.quiver.registry.model.Entity;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;

/**
 * The entity rows' keys of one view as dictionary ids, and per key the first and last entity times.
 * Closing it frees the key columns converted to the declared types (the dictionary copies the
 * keys).
 */
final class EntityKeys implements AutoCloseable {

  private final int[] keyIds;
  private final KeyDictionary dictionary;
  private final long[] window;
  private final List<FieldVector> owned = new ArrayList<>();

  EntityKeys(EntityTable table, List<Entity> entities, String view) {
    int rows = table.rowCount();
    List<FieldVector> entityKeys = new ArrayList<>();
    try {
      for (Entity entity : entities) {
        FieldVector key = table.keyColumn(entity.joinKey(), entity.type(), view);
        entityKeys.add(key);
        if (key != table.root().getVector(entity.joinKey())) {
          owned.add(key);
        }
      }
      keyIds = new int[rows];
      dictionary = KeyDictionary.build(entityKeys, rows, keyIds);
      long[] entityTs = table.timestamps();
      int keyCount = dictionary.size();
      // Per key, the first and last entity times, side by side: one cache line per lookup.
      window = new long[2 * keyCount];
      for (int k = 0; k < keyCount; k++) {
        window[2 * k] = Long.MAX_VALUE;
        window[2 * k + 1] = Long.MIN_VALUE;
      }
      for (int row = 0; row < rows; row++) {
        int k = keyIds[row];
        if (k >= 0) {
          window[2 * k] = Math.min(window[2 * k], entityTs[row]);
          window[2 * k + 1] = Math.max(window[2 * k + 1], entityTs[row]);
        }
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** Per entity row, its key's id; negative for a null key. */
  int[] keyIds() {
    return keyIds;
  }

  KeyDictionary dictionary() {
    return dictionary;
  }

  /** The earliest entity time of key {@code k}. */
  long first(int k) {
    return window[2 * k];
  }

  /** The latest entity time of key {@code k}. */
  long last(int k) {
    return window[2 * k + 1];
  }

  @Override
  public void close() {
    owned.forEach(FieldVector::close);
  }
}
