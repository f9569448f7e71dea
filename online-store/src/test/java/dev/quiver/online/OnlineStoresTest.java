package dev.quiver.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.online.rocksdb.RocksDbOnlineStore;
import dev.quiver.registry.model.StoreConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnlineStoresTest {

  private static StoreConfig rocksdb(Map<String, Object> options) {
    return new StoreConfig("rocksdb", options, null);
  }

  @Test
  void theRocksDbBlockCacheIsSetInMegabytesWith512ByDefault() {
    assertThat(OnlineStores.blockCacheBytes(rocksdb(Map.of())))
        .isEqualTo(RocksDbOnlineStore.DEFAULT_BLOCK_CACHE_BYTES)
        .isEqualTo(512L << 20);
    assertThat(OnlineStores.blockCacheBytes(rocksdb(Map.of("block_cache_mb", "2048"))))
        .isEqualTo(2048L << 20);
    for (String bad : new String[] {"0", "-1", "1GB", ""}) {
      assertThatThrownBy(() -> OnlineStores.blockCacheBytes(rocksdb(Map.of("block_cache_mb", bad))))
          .isInstanceOf(OnlineStoreException.class)
          .hasMessage(
              "online_store block_cache_mb must be a positive number of megabytes, got '"
                  + bad
                  + "'");
    }
  }
}
