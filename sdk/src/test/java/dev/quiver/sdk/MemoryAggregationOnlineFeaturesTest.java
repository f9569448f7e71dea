package dev.quiver.sdk;

/** The aggregation lookups end to end with the tiles in the in-memory store. */
class MemoryAggregationOnlineFeaturesTest extends AggregationOnlineFeaturesTest {

  @Override
  protected String featureStoreYaml() {
    return "project: cards\nregistry: data/registry.json\nonline_store: {type: memory}\n";
  }
}
