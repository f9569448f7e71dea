package dev.quiver.registry.plugin;

import java.util.List;

/**
 * {@code offline_store: {type: spark, master: "local[2]", conf: {spark.executor.memory: 2g}}}:
 * training sets and materializations run as Spark jobs. Declared here, beside the loader, so that
 * every Quiver artifact accepts the configuration; the engine itself is the {@code quiver-spark}
 * artifact, which the CLI starts in its own JVM (Spark stays out of the CLI jar and the SDK).
 * {@code master} defaults to {@code local[*]}.
 */
public final class SparkOfflineStoreType implements StoreType {

  /** The {@code type} that selects the Spark engine. */
  public static final String TYPE = "spark";

  @Override
  public StoreKind kind() {
    return StoreKind.OFFLINE_STORE;
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public List<String> requiredOptions() {
    return List.of();
  }

  @Override
  public List<String> optionalOptions() {
    return List.of("master", "conf");
  }
}
