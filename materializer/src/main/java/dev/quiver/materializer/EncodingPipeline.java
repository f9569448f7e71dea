package dev.quiver.materializer;

import dev.quiver.QuiverException;
import dev.quiver.offline.ParallelTasks;
import dev.quiver.online.OnlineStore;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The records of kept rows, in their order, encoded batch by batch on a few threads a few batches
 * ahead of the writer that iterates them: the store's single writer and the encoding then overlap
 * (timed apart, they were about 1.8 s and 1.1 s for a million rows).
 *
 * <p>{@link #close} returns only when no encoding runs any more, so the chunks the rows point into
 * can be freed right after.
 */
final class EncodingPipeline implements Iterator<OnlineStore.Record>, AutoCloseable {

  /** Encodes the kept rows {@code [from, to)}. */
  interface BatchEncoder {
    byte[][] encode(int from, int to);
  }

  private final List<byte[]> keys;
  private final BatchEncoder encoder;
  private final int batchSize;
  private final int ahead;
  private final ExecutorService pool;
  private final Deque<CompletableFuture<byte[][]>> pending = new ArrayDeque<>();
  private int submitted;
  private int next;
  private byte[][] current;
  private int currentStart;

  EncodingPipeline(List<byte[]> keys, BatchEncoder encoder, int threads, int batchSize) {
    this.keys = keys;
    this.encoder = encoder;
    this.batchSize = batchSize;
    this.ahead = threads * 2;
    this.pool = Executors.newFixedThreadPool(threads);
    fill();
  }

  private void fill() {
    while (pending.size() < ahead && submitted < keys.size()) {
      int from = submitted;
      int to = Math.min(keys.size(), from + batchSize);
      pending.add(CompletableFuture.supplyAsync(() -> encoder.encode(from, to), pool));
      submitted = to;
    }
  }

  @Override
  public boolean hasNext() {
    return next < keys.size();
  }

  @Override
  public OnlineStore.Record next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    if (current == null || next - currentStart == current.length) {
      currentStart = next;
      current = take();
    }
    OnlineStore.Record record =
        new OnlineStore.Record(keys.get(next), current[next - currentStart]);
    next++;
    return record;
  }

  private byte[][] take() {
    try {
      byte[][] batch = pending.remove().join();
      fill();
      return batch;
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new QuiverException("Encoding rows failed: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void close() {
    pending.forEach(batch -> batch.cancel(false));
    pool.shutdown();
    ParallelTasks.awaitQuietly(pool);
  }
}
