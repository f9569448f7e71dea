package dev.quiver.online.tiles;

import dev.quiver.online.OnlineStoreException;
import java.util.Arrays;

/**
 * Per partition of a stream, the offset of the last event folded into a tile set: the part of a set
 * that makes ingestion exactly once, as an event at or below its partition's offset is already in
 * the set's tiles. Partitions are kept in rising order.
 */
final class StreamPositions {

  static final StreamPositions NONE = new StreamPositions(new int[0], new long[0]);

  private final int[] partitions;
  private final long[] offsets;

  private StreamPositions(int[] partitions, long[] offsets) {
    this.partitions = partitions;
    this.offsets = offsets;
  }

  /** The positions after a set's series, or none when the set ends there. */
  static StreamPositions read(TileInput in, byte[] encoded) {
    if (in.position() == encoded.length) {
      return NONE;
    }
    long count = in.getVarint();
    if (count < 0 || count > encoded.length) {
      throw new OnlineStoreException(
          "Cannot read a tile set: it claims " + count + " stream positions");
    }
    int[] partitions = new int[(int) count];
    long[] offsets = new long[(int) count];
    for (int i = 0; i < count; i++) {
      partitions[i] = (int) in.getVarint();
      offsets[i] = in.getVarint();
    }
    return new StreamPositions(partitions, offsets);
  }

  boolean isEmpty() {
    return partitions.length == 0;
  }

  /** The offset of the last event of {@code partition} folded in, or -1. */
  long offset(int partition) {
    int at = Arrays.binarySearch(partitions, partition);
    return at >= 0 ? offsets[at] : -1;
  }

  /** These positions with {@code partition} at {@code offset} (or later, when already). */
  StreamPositions with(int partition, long offset) {
    int at = Arrays.binarySearch(partitions, partition);
    if (at >= 0) {
      if (offsets[at] >= offset) {
        return this;
      }
      long[] moved = offsets.clone();
      moved[at] = offset;
      return new StreamPositions(partitions, moved);
    }
    int insert = -at - 1;
    int[] p = new int[partitions.length + 1];
    long[] o = new long[offsets.length + 1];
    System.arraycopy(partitions, 0, p, 0, insert);
    System.arraycopy(offsets, 0, o, 0, insert);
    p[insert] = partition;
    o[insert] = offset;
    System.arraycopy(partitions, insert, p, insert + 1, partitions.length - insert);
    System.arraycopy(offsets, insert, o, insert + 1, offsets.length - insert);
    return new StreamPositions(p, o);
  }

  /** The later position of each partition of either. */
  StreamPositions union(StreamPositions other) {
    StreamPositions union = this;
    for (int i = 0; i < other.partitions.length; i++) {
      union = union.with(other.partitions[i], other.offsets[i]);
    }
    return union;
  }

  int encodedSize() {
    return partitions.length == 0 ? 0 : 10 + partitions.length * 15;
  }

  /** Writes the positions, or nothing when there are none. */
  void write(TileOutput out) {
    if (partitions.length == 0) {
      return;
    }
    out.putVarint(partitions.length);
    for (int i = 0; i < partitions.length; i++) {
      out.putVarint(partitions[i]).putVarint(offsets[i]);
    }
  }
}
