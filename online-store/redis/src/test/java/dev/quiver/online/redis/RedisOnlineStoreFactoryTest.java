package dev.quiver.online.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.online.OnlineStoreFactory.Capability;
import dev.quiver.online.OnlineStores;
import dev.quiver.registry.RepoFixture;
import dev.quiver.registry.load.DefinitionException;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.ProjectConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code type: redis} and {@code type: redis-cluster} as a repo declares them. */
class RedisOnlineStoreFactoryTest {

  @TempDir Path root;

  private RepoFixture repo(String featureStoreYaml) {
    return RepoFixture.valid(root).write("feature_store.yaml", featureStoreYaml);
  }

  private ProjectConfig config(String featureStoreYaml, Map<String, String> environment) {
    return FeatureRepo.load(repo(featureStoreYaml).root(), environment).config();
  }

  private ProjectConfig config(String featureStoreYaml) {
    return config(featureStoreYaml, Map.of());
  }

  @Test
  void theLoaderReadsTheKeysTheseFactoriesDeclare() {
    ProjectConfig standalone =
        config(
            """
            project: rides
            online_store:
              type: redis
              url: redis://:${REDIS_PASSWORD}@cache:6379/2
              command_timeout_ms: 250
            """,
            Map.of("REDIS_PASSWORD", "s3cret"));
    assertThat(standalone.onlineStore().type()).isEqualTo("redis");
    assertThat(standalone.onlineStore().option("url")).contains("redis://:s3cret@cache:6379/2");
    assertThat(standalone.onlineStore().option("command_timeout_ms")).contains("250");

    ProjectConfig cluster =
        config(
            """
            project: rides
            online_store: {type: redis-cluster, urls: [redis://a:7000, redis://b:7000]}
            """);
    assertThat(cluster.onlineStore().listOption("urls"))
        .containsExactly("redis://a:7000", "redis://b:7000");
  }

  @Test
  void theLoaderRefusesKeysTheseFactoriesDoNotDeclare() {
    assertThatThrownBy(() -> config("project: rides\nonline_store: {type: redis, urls: [x]}\n"))
        .isInstanceOf(DefinitionException.class)
        .hasMessage(
            "feature_store.yaml:2: 'online_store' of type 'redis' is missing required key 'url'\n"
                + "feature_store.yaml:2: unknown key 'urls' in 'online_store' of type 'redis' (did"
                + " you mean 'url'?); allowed keys: type, url, connect_timeout_ms,"
                + " command_timeout_ms");
    assertThatThrownBy(() -> config("project: rides\nonline_store: {type: redis-cluster}\n"))
        .isInstanceOf(DefinitionException.class)
        .hasMessage(
            "feature_store.yaml:2: 'online_store' of type 'redis-cluster' is missing required key"
                + " 'urls'");
    assertThatThrownBy(() -> config("project: rides\nonline_store: {type: rocksdb}\n"))
        .as("this artifact alone brings no RocksDB")
        .isInstanceOf(DefinitionException.class)
        .hasMessage(
            "feature_store.yaml:2: unknown online_store type 'rocksdb'; known types: memory, redis,"
                + " redis-cluster (type 'rocksdb' comes with"
                + " dev.quiver:quiver-online-store-rocksdb, which is not on the class path)");
  }

  @Test
  void redisIsSharedBetweenProcessesAndDurable() {
    for (String yaml :
        new String[] {
          "project: rides\nonline_store: {type: redis, url: redis://cache:6379}\n",
          "project: rides\nonline_store: {type: redis-cluster, urls: [redis://a:7000]}\n"
        }) {
      assertThat(OnlineStores.factory(config(yaml)).capabilities())
          .as(yaml)
          .containsExactlyInAnyOrder(Capability.SHARED_BETWEEN_PROCESSES, Capability.DURABLE);
    }
  }

  @Test
  void theIdentityNamesTheServersWithoutCredentials() {
    assertThat(
            OnlineStores.identity(
                config(
                    "project: rides\n"
                        + "online_store: {type: redis, url: 'rediss://user:s3cret@Cache:6380/2'}\n")))
        .isEqualTo("redis:redis://cache:6380/2");
    assertThat(
            OnlineStores.identity(
                config("project: rides\nonline_store: {type: redis, url: 'redis://cache'}\n")))
        .as("the default port and database spelled out")
        .isEqualTo("redis:redis://cache:6379/0");
    assertThat(
            OnlineStores.identity(
                config(
                    "project: rides\n"
                        + "online_store: {type: redis-cluster, urls: [redis://:pw@b:7001,"
                        + " redis://a:7000, redis://b:7001]}\n")))
        .as("seeds sorted, once each")
        .isEqualTo("redis-cluster:redis://a:7000,redis://b:7001");
  }
}
