package dev.quiver.online;

import java.util.List;
import java.util.Objects;

/**
 * Where materialized feature rows live for low-latency reads. Keys are namespaced by project:
 * stores of different projects never see each other's rows. Rows are the encoded form of {@link
 * ValueCodec}; their event and created times decide which row a key keeps. Each backend has an
 * {@link OnlineStoreFactory}, found by the {@code type} of {@code online_store} through {@link
 * OnlineStores}; optional abilities are mix-in interfaces such as {@link SupportsRowCount}, and
 * what a type of store can do beyond this contract its factory declares as capabilities.
 */
public interface OnlineStore extends AutoCloseable {

  /** One stored row of a view: the encoded entity key and the encoded row. */
  record Record(byte[] entityKey, byte[] value) {
    public Record {
      Objects.requireNonNull(entityKey, "entityKey");
      Objects.requireNonNull(value, "value");
    }
  }

  /** A row to read: a view and an encoded entity key. */
  record Key(String view, byte[] entityKey) {
    public Key {
      Objects.requireNonNull(view, "view");
      Objects.requireNonNull(entityKey, "entityKey");
    }
  }

  String project();

  /**
   * Writes rows of one view. Each replaces the stored row of its key only when its (event time,
   * created time) is later, so replaying or reordering writes never moves a value back in time; a
   * row with the same times replaces the stored one only when it holds another set of features (see
   * {@link ValueCodec#replaces}).
   *
   * @return how many rows replaced or added a stored row
   * @throws OnlineStoreException when the store cannot be written (or was opened read-only)
   */
  long write(String view, List<Record> records);

  /**
   * Reads the rows of many keys, across views, in one round trip to the store.
   *
   * @return per key, in order, the encoded row or null when there is none
   */
  List<byte[]> read(List<Key> keys);

  /** Removes every row of a view. */
  void deleteView(String view);

  @Override
  void close();
}
