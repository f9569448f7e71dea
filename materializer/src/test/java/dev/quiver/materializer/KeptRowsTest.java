package dev.quiver.materializer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.offline.SourceDataException;
import dev.quiver.offline.parquet.RowGroupStatistics;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Every table of kept rows (dense by key, mapped by key, by key bytes) keeps, per key, the row a
 * brute-force scan picks (latest event time, then created time, then order), also across two
 * threads' tables merged, and drains in unsigned order of the encoded keys.
 */
class KeptRowsTest {

  private static final long SEED = Long.getLong("quiver.seed", System.nanoTime());

  private record Offer(long key, long ts, long created, long order) {}

  private static byte[] encodeKey(long key) {
    return ByteBuffer.allocate(8).putLong(key).array();
  }

  @Test
  void aKeyOutsideTheStatisticsRangeIsASourceDataFailure() {
    KeptRows.ByLong table =
        new KeptRows.ByLong(KeptRowsTest::encodeKey, new RowGroupStatistics.LongRange(10, 20));
    assertThatThrownBy(() -> table.offer(21, 0, 0, 0))
        .isInstanceOf(SourceDataException.class)
        .hasMessageStartingWith(
            "Cannot materialize: join key value 21 lies outside the range [10, 20] the Parquet"
                + " statistics give");
  }

  @Test
  void everyTableKeepsTheBestRowPerKeyAndDrainsInKeyOrder() {
    System.out.println("KeptRowsTest seed: " + SEED + " (rerun with -Dquiver.seed=" + SEED + ")");
    Random random = new Random(SEED);
    for (int round = 0; round < 50; round++) {
      long low = random.nextInt(200) - 100;
      long high = low + random.nextInt(300);
      List<Offer> offers = new ArrayList<>();
      for (int i = 0; i < 1 + random.nextInt(2_000); i++) {
        // Few distinct times, so ties on event and created time happen often.
        offers.add(
            new Offer(
                low + (long) (random.nextDouble() * (high - low + 1)),
                random.nextInt(5),
                random.nextInt(3),
                i));
      }
      Map<Long, Offer> expected = new TreeMap<>(Long::compareUnsigned);
      for (Offer offer : offers) {
        Offer best = expected.get(offer.key());
        if (best == null
            || KeptRows.beats(
                offer.ts(),
                offer.created(),
                offer.order(),
                best.ts(),
                best.created(),
                best.order())) {
          expected.put(offer.key(), offer);
        }
      }
      RowGroupStatistics.LongRange range = new RowGroupStatistics.LongRange(low, high);
      assertThat(drain(offers, () -> new KeptRows.ByLong(KeptRowsTest::encodeKey, range)))
          .as("dense, seed %d round %d", SEED, round)
          .isEqualTo(List.copyOf(expected.values()));
      assertThat(drain(offers, () -> new KeptRows.ByLong(KeptRowsTest::encodeKey, null)))
          .as("mapped, seed %d round %d", SEED, round)
          .isEqualTo(List.copyOf(expected.values()));
      assertThat(drain(offers, KeptRows.ByBytes::new))
          .as("by bytes, seed %d round %d", SEED, round)
          .isEqualTo(List.copyOf(expected.values()));
    }
  }

  /** Offers the rows to two tables (alternating, as two threads would), merges them, drains. */
  private static List<Offer> drain(
      List<Offer> offers, java.util.function.Supplier<KeptRows> table) {
    KeptRows first = table.get();
    KeptRows second = table.get();
    for (Offer offer : offers) {
      KeptRows rows = offer.order() % 2 == 0 ? first : second;
      // The ref carries the order, to check it travels with its row.
      if (rows instanceof KeptRows.ByLong byLong) {
        int slot = byLong.offer(offer.key(), offer.ts(), offer.created(), offer.order());
        if (slot >= 0) {
          byLong.keepRef(slot, offer.order());
        }
      } else {
        KeptRows.ByBytes byBytes = (KeptRows.ByBytes) rows;
        byte[] key = encodeKey(offer.key());
        if (byBytes.wants(key, offer.ts(), offer.created(), offer.order())) {
          byBytes.keep(
              key,
              new KeptRows.Kept(offer.ts(), offer.created(), offer.order(), null, offer.order()));
        }
      }
    }
    first.absorb(second);
    assertThat(second.size()).isZero();
    List<Offer> drained = new ArrayList<>();
    List<byte[]> keys = new ArrayList<>();
    first.drain(
        (key, row) -> {
          keys.add(key);
          assertThat(row.ref()).isEqualTo(row.ordinal());
          drained.add(
              new Offer(
                  ByteBuffer.wrap(key).getLong(), row.eventTs(), row.createdTs(), row.ordinal()));
        });
    for (int i = 1; i < keys.size(); i++) {
      assertThat(Arrays.compareUnsigned(keys.get(i - 1), keys.get(i))).isNegative();
    }
    assertThat(first.size()).isZero();
    return drained;
  }
}
