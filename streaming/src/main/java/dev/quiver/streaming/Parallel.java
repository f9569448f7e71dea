package dev.quiver.streaming;

import java.util.List;
import java.util.function.Function;

/**
 * Per-message work that depends on the message alone (decoding, keys, tile inputs), spread over the
 * cores for the large batches of a backlog; small batches, the steady state, stay on the ingest
 * thread.
 */
final class Parallel {

  /** Batches from this size on are worth the hand-over to other threads. */
  static final int THRESHOLD = 2_000;

  private Parallel() {}

  /** {@code function} of each item, in the items' order. */
  static <T, R> List<R> map(List<T> items, Function<T, R> function) {
    if (items.size() < THRESHOLD) {
      return items.stream().map(function).toList();
    }
    return items.parallelStream().map(function).toList();
  }
}
