package dev.quiver.sdk;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The online role of a {@link FeatureStore}: low-latency lookups of materialized values, and writes
 * straight to the online store. Code that only serves features can depend on this alone ({@link
 * FeatureStore#online()}).
 */
public interface OnlineFeatures {

  /**
   * The latest materialized values of the requested features for each entity row, in one round trip
   * to the online store, with a status and event time per value.
   *
   * @throws dev.quiver.registry.NoSuchObjectException for an unknown view, feature or service
   * @throws InvalidEntityException for a missing join key or a value of the wrong type
   * @throws dev.quiver.registry.InvalidRequestException for an offline-only view or clashing names
   */
  OnlineResponse onlineFeatures(OnlineRequest request);

  /** {@link #onlineFeatures}, without blocking the caller. */
  default CompletableFuture<OnlineResponse> onlineFeaturesAsync(OnlineRequest request) {
    try {
      return CompletableFuture.completedFuture(onlineFeatures(request));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * Writes rows straight to the online store (Feast's push): checked against the view's schema
   * first (every join key, the source's timestamp field and every feature; nothing is written when
   * a row is wrong), then written newer-wins with {@code receivedAt} as their created time (through
   * a server: the time the server received them). Rows dated more than five minutes after it are
   * refused; of rows with one key and one event time, the last given is kept.
   *
   * @param columns column name to one value per row
   * @return rows that replaced or added a stored row
   * @throws dev.quiver.registry.NoSuchObjectException for an unknown view
   * @throws InvalidEntityException for a missing or unknown column, or a value of the wrong type
   */
  long writeOnline(String view, Map<String, List<Object>> columns, Instant receivedAt);

  /**
   * Feast's push: rows checked as for {@link #writeOnline} (nothing is written when a row is
   * wrong), then written where {@code to} says. Offline, all the rows (repeated keys included)
   * become one new Parquet file in the folder of the view's source, with {@code receivedAt} as
   * their created time when the source has a created column; training reads them like any other
   * file. Pushing {@link PushTarget#ONLINE_AND_OFFLINE} writes offline first: a failure between
   * leaves the rows offline only, and a retried push writes a second file with the same rows (the
   * point-in-time join then sees both, equal but for their created time). Online-only views and
   * aggregation views (whose rows are events, their columns the aggregated ones) take pushes to
   * {@link PushTarget#OFFLINE} only.
   *
   * @throws dev.quiver.registry.NoSuchObjectException for an unknown view
   * @throws InvalidEntityException for a missing or unknown column, or a value of the wrong type
   * @throws dev.quiver.registry.InvalidRequestException for a target the view does not take, or
   *     offline when its source's path is a single file or a glob rather than a folder
   * @throws dev.quiver.OutputException when the offline file cannot be written
   */
  PushResult push(
      String view, Map<String, List<Object>> columns, Instant receivedAt, PushTarget to);

  /**
   * Opens the online store when it is not open yet and reads one key from it.
   *
   * @throws dev.quiver.online.OnlineStoreException when it cannot be opened or read
   */
  void checkOnlineStore();
}
