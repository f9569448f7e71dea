package dev.quiver.online.rocksdb;

import dev.quiver.online.EntityKeyCodec;
import dev.quiver.online.OnlineRow;
import dev.quiver.online.OnlineStore;
import dev.quiver.online.ValueCodec;
import dev.quiver.registry.model.Feature;
import dev.quiver.registry.model.ScalarType;
import dev.quiver.registry.model.ValueType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A separate JVM for {@link RocksDbOnlineStoreTest}: opens a store and either holds it ({@code
 * hold}) or writes {@link #KEYS} rows ({@code write}), prints {@code ready}, and waits to be
 * killed.
 */
public final class RocksDbWriterProcess {

  static final int KEYS = 1_000;

  public static void main(String[] args) throws Exception {
    RocksDbOnlineStore store = RocksDbOnlineStore.open("rides", Path.of(args[0]));
    if (args[1].equals("write")) {
      List<Feature> features = List.of(Feature.of("rate", ValueType.scalar(ScalarType.FLOAT64)));
      List<OnlineStore.Record> records = new ArrayList<>();
      for (long k = 0; k < KEYS; k++) {
        byte[] key =
            EntityKeyCodec.encode(Map.of("driver_id", k), Map.of("driver_id", ScalarType.INT64));
        records.add(
            new OnlineStore.Record(
                key, ValueCodec.encode(new OnlineRow(42, 0, Map.of("rate", 1.0 * k)), features)));
      }
      store.write("stats", records);
    }
    System.out.print("ready");
    System.out.flush();
    // Not a wait for anything: the store stays open until the test kills this process.
    Thread.sleep(Long.MAX_VALUE);
  }
}
