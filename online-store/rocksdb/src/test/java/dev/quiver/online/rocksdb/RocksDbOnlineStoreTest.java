package dev.quiver.online.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.online.OnlineStore;
import dev.quiver.online.OnlineStoreContract;
import dev.quiver.online.OnlineStoreException;
import dev.quiver.online.OnlineStoreFactory;
import dev.quiver.online.ValueCodec;
import dev.quiver.registry.model.StoreConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbOnlineStoreTest extends OnlineStoreContract {

  @TempDir Path dir;

  @Override
  protected OnlineStoreFactory factory() {
    return new RocksDbOnlineStoreFactory();
  }

  @Override
  protected StoreConfig config() {
    return new StoreConfig("rocksdb", Map.of("path", dir.resolve("online").toString()), null);
  }

  @Override
  protected boolean supportsReadOnlyAccess() {
    return true;
  }

  @Test
  void aStoreFolderThatCannotBeMadeIsAnOnlineStoreExceptionWithItsCause() throws Exception {
    Path notAFolder = java.nio.file.Files.writeString(dir.resolve("taken"), "a file");
    Path path = notAFolder.resolve("online");
    assertThatThrownBy(() -> RocksDbOnlineStore.open("rides", path))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageStartingWith(
            "Cannot open the RocksDB online store at " + path + ": its folder cannot be created (")
        .hasMessageEndingWith("); check the online_store path in feature_store.yaml")
        .hasCauseInstanceOf(java.nio.file.FileSystemException.class);
  }

  @Test
  void aSecondWriterIsToldWhoHoldsTheStore() throws Exception {
    Path path = dir.resolve("locked");
    Process holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                RocksDbWriterProcess.class.getName(),
                path.toString(),
                "hold")
            .redirectErrorStream(true)
            .start();
    try {
      // The holder prints a line once it has the store open.
      assertThat(new String(holder.getInputStream().readNBytes(5))).isEqualTo("ready");
      assertThatThrownBy(() -> RocksDbOnlineStore.open("rides", path))
          .isInstanceOf(OnlineStoreException.class)
          .hasMessageStartingWith(
              "Cannot write to the RocksDB online store at "
                  + path
                  + ": another process holds it (a running 'quiver serve'?).");
    } finally {
      holder.destroyForcibly();
      holder.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void acknowledgedWritesSurviveKillDashNine() throws Exception {
    Path path = dir.resolve("durable");
    Process writer =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                RocksDbWriterProcess.class.getName(),
                path.toString(),
                "write")
            .redirectErrorStream(true)
            .start();
    // The writer prints "ready" after its write returned, then waits to be killed.
    assertThat(new String(writer.getInputStream().readNBytes(5))).isEqualTo("ready");
    writer.destroyForcibly(); // SIGKILL: no shutdown hooks, no flush
    assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();

    try (RocksDbOnlineStore store = RocksDbOnlineStore.open("rides", path)) {
      for (long k = 0; k < RocksDbWriterProcess.KEYS; k++) {
        byte[] stored = store.read(List.of(new OnlineStore.Key("stats", key(k)))).get(0);
        assertThat(stored).as("key %d", k).isNotNull();
        assertThat(ValueCodec.eventTs(stored)).isEqualTo(42);
      }
    }
  }
}
