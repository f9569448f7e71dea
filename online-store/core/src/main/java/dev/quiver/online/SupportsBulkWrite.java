package dev.quiver.online;

import java.util.Iterator;

/**
 * A store that can take a large, key-sorted set of rows of one view at once, as a full
 * materialization produces. It may skip comparing with stored rows when the view has none, but the
 * result must equal writing the rows with {@link OnlineStore#write}.
 */
public interface SupportsBulkWrite extends OnlineStore {

  /**
   * @param records at most one row per key, in unsigned byte order of the entity keys
   * @return how many rows replaced or added a stored row
   */
  long writeSorted(String view, Iterator<Record> records);
}
