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

  /**
   * What Spark needs opened on Java 17, for its driver and executors alike: the list Spark's own
   * launcher passes (its {@code JavaModuleOptions}); without {@code sun.security.action}, for one,
   * a task that cannot be serialized fails with an IllegalAccessException instead of saying why.
   */
  public static final List<String> JVM_OPENS =
      List.of(
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED");

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
