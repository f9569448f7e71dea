package dev.quiver.sdk;

import dev.quiver.online.redis.TestRedis;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The end-to-end online tests with the example repo's online store on the machine's Redis. */
class RedisOnlineFeaturesTest extends OnlineFeaturesTest {

  private final String project = TestRedis.uniqueProject("driver_ranking");

  @BeforeAll
  static void requireRedis() {
    TestRedis.require();
  }

  @Override
  protected void configureOnlineStore(Path repo) throws IOException {
    Files.writeString(
        repo.resolve("feature_store.yaml"),
        "project: "
            + project
            + "\nregistry: data/registry.json\nonline_store: {type: redis, url: \"${QUIVER_REDIS_URL:-"
            + TestRedis.URL
            + "}\", command_timeout_ms: 10000}\n");
  }

  @AfterEach
  void deleteKeys() {
    TestRedis.deleteProjects(TestRedis.URL, project);
  }
}
