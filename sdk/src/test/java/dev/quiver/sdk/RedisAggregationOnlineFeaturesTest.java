package dev.quiver.sdk;

import dev.quiver.online.redis.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The aggregation lookups end to end with the tiles on the machine's Redis. */
class RedisAggregationOnlineFeaturesTest extends AggregationOnlineFeaturesTest {

  private final String project = TestRedis.uniqueProject("cards");

  @BeforeAll
  static void requireRedis() {
    TestRedis.require();
  }

  @Override
  protected String featureStoreYaml() {
    return "project: "
        + project
        + "\nregistry: data/registry.json\nonline_store: {type: redis, url: \"${QUIVER_REDIS_URL:-"
        + TestRedis.URL
        + "}\", command_timeout_ms: 10000}\n";
  }

  @AfterEach
  void deleteKeys() {
    TestRedis.deleteProjects(TestRedis.URL, project);
  }
}
