package dev.quiver.online.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.online.OnlineStoreException;
import dev.quiver.online.OnlineStoreFactory.Capability;
import dev.quiver.online.OnlineStores;
import dev.quiver.registry.RepoFixture;
import dev.quiver.registry.load.DefinitionException;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.model.StoreConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code type: rocksdb} as a repo declares it: its options, capabilities and identity. */
class RocksDbOnlineStoreFactoryTest {

  @TempDir Path root;

  private ProjectConfig config(String featureStoreYaml) {
    RepoFixture.valid(root).write("feature_store.yaml", featureStoreYaml);
    return FeatureRepo.load(root, Map.of()).config();
  }

  private static StoreConfig rocksdb(Map<String, Object> options) {
    return new StoreConfig("rocksdb", options, null);
  }

  @Test
  void theLoaderChecksTheKeysThisFactoryDeclares() {
    ProjectConfig config =
        config("project: rides\nonline_store: {type: rocksdb, path: store, block_cache_mb: 64}\n");
    assertThat(config.onlineStore().options())
        .containsExactlyInAnyOrderEntriesOf(Map.of("path", "store", "block_cache_mb", "64"));

    assertThatThrownBy(() -> config("project: rides\nonline_store: {type: rocksdb, pth: x}\n"))
        .isInstanceOf(DefinitionException.class)
        .hasMessage(
            "feature_store.yaml:2: unknown key 'pth' in 'online_store' of type 'rocksdb' (did you"
                + " mean 'path'?); allowed keys: type, path, block_cache_mb");
    assertThatThrownBy(() -> config("project: rides\nonline_store: {type: rocksd}\n"))
        .isInstanceOf(DefinitionException.class)
        .hasMessage(
            "feature_store.yaml:2: unknown online_store type 'rocksd' (did you mean 'rocksdb'?);"
                + " known types: memory, rocksdb");
  }

  @Test
  void readsAreInProcessAndRowsDurableButNotShared() {
    assertThat(OnlineStores.factory(config("project: rides\n")).capabilities())
        .containsExactlyInAnyOrder(Capability.IN_PROCESS_READS, Capability.DURABLE);
  }

  @Test
  void theIdentityIsTheFoldersAbsoluteNormalizedPath() {
    Path repo = root.toAbsolutePath();
    assertThat(OnlineStores.identity(config("project: rides\n")))
        .as("the default folder")
        .isEqualTo("rocksdb:" + repo.resolve("data/online"));
    assertThat(
            OnlineStores.identity(
                config(
                    "project: rides\nonline_store: {type: rocksdb, path: ./x/../data/online}\n")))
        .as("another spelling of the same folder")
        .isEqualTo("rocksdb:" + repo.resolve("data/online"));
    assertThat(
            OnlineStores.identity(
                config("project: rides\nonline_store: {type: rocksdb, path: /srv/online/}\n")))
        .isEqualTo("rocksdb:/srv/online");
  }

  @Test
  void theBlockCacheIsSetInMegabytesWith512ByDefault() {
    assertThat(RocksDbOnlineStoreFactory.blockCacheBytes(rocksdb(Map.of())))
        .isEqualTo(RocksDbOnlineStore.DEFAULT_BLOCK_CACHE_BYTES)
        .isEqualTo(512L << 20);
    assertThat(RocksDbOnlineStoreFactory.blockCacheBytes(rocksdb(Map.of("block_cache_mb", "2048"))))
        .isEqualTo(2048L << 20);
    for (String bad : new String[] {"0", "-1", "1GB", ""}) {
      assertThatThrownBy(
              () ->
                  RocksDbOnlineStoreFactory.blockCacheBytes(rocksdb(Map.of("block_cache_mb", bad))))
          .isInstanceOf(OnlineStoreException.class)
          .hasMessage(
              "online_store block_cache_mb must be a positive number of megabytes, got '"
                  + bad
                  + "'");
    }
  }
}
