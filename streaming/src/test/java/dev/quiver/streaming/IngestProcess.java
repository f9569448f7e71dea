package dev.quiver.streaming;

import dev.quiver.online.OnlineStore;
import dev.quiver.online.SupportsTiles;
import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.Definitions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An ingestion process for crash tests: {@code IngestProcess ROOT BOOTSTRAP MAX_BATCH HALT_AFTER}
 * ingests the scenario repo at ROOT into its RocksDB store until killed; with HALT_AFTER > 0 it
 * halts itself (as kill -9 does: no shutdown hooks, nothing flushed) right after its HALT_AFTER-th
 * online write, before that batch's offline log and commit.
 */
public final class IngestProcess {

  private IngestProcess() {}

  public static void main(String[] args) {
    Path root = Path.of(args[0]);
    String bootstrap = args[1];
    int maxBatch = Integer.parseInt(args[2]);
    int haltAfter = Integer.parseInt(args[3]);
    Definitions definitions = FeatureRepo.load(root, Map.of("BOOTSTRAP", bootstrap)).definitions();
    RocksDbOnlineStore rocks =
        RocksDbOnlineStore.open(StreamScenario.PROJECT, root.resolve("data/online.db"));
    OnlineStore store = haltAfter > 0 ? new HaltingStore(rocks, haltAfter) : rocks;
    new Ingestor(
            StreamScenario.PROJECT,
            definitions,
            store,
            root,
            IngestOptions.DEFAULTS
                .withMaxBatch(maxBatch)
                .withLogRoll(300, java.time.Duration.ofMillis(500)),
            Map.of("BOOTSTRAP", bootstrap),
            new IngestionMetrics())
        .run();
  }

  /** A store that halts the process after its n-th write of tiles. */
  private static final class HaltingStore implements SupportsTiles {
    private final RocksDbOnlineStore store;
    private int writesLeft;

    HaltingStore(RocksDbOnlineStore store, int haltAfter) {
      this.store = store;
      this.writesLeft = haltAfter;
    }

    @Override
    public long updateTiles(String view, List<byte[]> entityKeys, TileUpdate update) {
      long changed = store.updateTiles(view, entityKeys, update);
      if (--writesLeft == 0) {
        Runtime.getRuntime().halt(137);
      }
      return changed;
    }

    @Override
    public long expireTiles(String view, long newestEventNanos) {
      return store.expireTiles(view, newestEventNanos);
    }

    @Override
    public String project() {
      return store.project();
    }

    @Override
    public long write(String view, List<Record> records) {
      return store.write(view, records);
    }

    @Override
    public List<byte[]> read(List<Key> keys) {
      return store.read(keys);
    }

    @Override
    public void deleteView(String view) {
      store.deleteView(view);
    }

    @Override
    public void close() {
      store.close();
    }
  }
}
