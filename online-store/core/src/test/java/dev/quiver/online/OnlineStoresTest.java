package dev.quiver.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.online.OnlineStoreFactory.Capability;
import dev.quiver.registry.RepoFixture;
import dev.quiver.registry.load.DefinitionException;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.ProjectConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lookup by type, on a class path with this artifact alone (no RocksDB, no Redis). */
class OnlineStoresTest {

  @TempDir Path root;

  private ProjectConfig config(String featureStoreYaml) {
    RepoFixture.valid(root).write("feature_store.yaml", featureStoreYaml);
    return FeatureRepo.load(root, Map.of()).config();
  }

  @Test
  void thisArtifactProvidesTheMemoryTypeOnly() {
    assertThat(OnlineStores.factories()).containsOnlyKeys("memory");
    assertThat(OnlineStores.factories().get("memory"))
        .isInstanceOf(InMemoryOnlineStoreFactory.class);
  }

  @Test
  void typeMemoryOpensANewEmptyStoreEachTime() {
    ProjectConfig config = config("project: rides\nonline_store: {type: memory}\n");
    OnlineStore.Record record =
        new OnlineStore.Record(OnlineStoreContract.key(1), OnlineStoreContract.row(1, 0, 1.0, 1));
    List<OnlineStore.Key> keys = List.of(new OnlineStore.Key("stats", record.entityKey()));

    try (OnlineStore first = OnlineStores.open(config, OnlineStores.Access.READ_WRITE);
        OnlineStore second = OnlineStores.open(config, OnlineStores.Access.READ_WRITE)) {
      assertThat(first).isInstanceOf(InMemoryOnlineStore.class);
      assertThat(first.project()).isEqualTo("rides");
      assertThat(first.write("stats", List.of(record))).isEqualTo(1);
      assertThat(first.read(keys).get(0)).isEqualTo(record.value());
      assertThat(second.read(keys).get(0)).as("another store's rows").isNull();
    }
    assertThat(OnlineStores.factory(config).capabilities())
        .containsExactly(Capability.IN_PROCESS_READS);
    assertThat(OnlineStores.identity(config)).isEqualTo("memory");
  }

  @Test
  void typeMemoryTakesNoOptions() {
    assertThatThrownBy(() -> config("project: rides\nonline_store: {type: memory, path: x}\n"))
        .isInstanceOf(DefinitionException.class)
        .hasMessage(
            "feature_store.yaml:2: unknown key 'path' in 'online_store' of type 'memory'; allowed"
                + " keys: type");
  }

  @Test
  void aTypeWhoseArtifactIsMissingIsRefusedWithTheArtifactToAdd() {
    assertThatThrownBy(() -> config("project: rides\nonline_store: {type: redis, url: x}\n"))
        .isInstanceOf(DefinitionException.class)
        .hasMessage(
            "feature_store.yaml:2: unknown online_store type 'redis'; known types: memory (type"
                + " 'redis' comes with dev.quiver:quiver-online-store-redis, which is not on the"
                + " class path)");
    assertThatThrownBy(() -> config("project: rides\nonline_store: {type: redis-clutser}\n"))
        .isInstanceOf(DefinitionException.class)
        .hasMessage(
            "feature_store.yaml:2: unknown online_store type 'redis-clutser'; known types:"
                + " memory");
  }

  @Test
  void theDefaultRocksDbStoreWithoutItsArtifactFailsAtOpenNamingTheArtifact() {
    // No online_store: DESIGN.md's default, RocksDB, which the loader does not need to find.
    ProjectConfig config = config("project: rides\n");
    assertThat(config.onlineStore().type()).isEqualTo("rocksdb");

    assertThatThrownBy(() -> OnlineStores.open(config, OnlineStores.Access.READ_ONLY))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessage(
            "Cannot open the online store: unknown type 'rocksdb'; known types: memory (type"
                + " 'rocksdb' comes with dev.quiver:quiver-online-store-rocksdb, which is not on"
                + " the class path)");
    assertThatThrownBy(() -> OnlineStores.identity(config))
        .isInstanceOf(OnlineStoreException.class)
        .hasMessageStartingWith("Cannot open the online store: unknown type 'rocksdb';");
  }
}
