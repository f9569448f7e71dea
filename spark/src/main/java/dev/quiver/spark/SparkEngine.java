package dev.quiver.spark;

import dev.quiver.registry.model.StoreConfig;
import dev.quiver.registry.plugin.SparkOfflineStoreType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of {@code offline_store: {type: spark, master, conf}}: the user's conf over the
 * settings Quiver's semantics need (UTC, nanosecond timestamps read as longs, java.time values,
 * microsecond timestamps written) and quiet defaults for one machine.
 */
final class SparkEngine {

  private SparkEngine() {}

  /** The settings a session gets: Quiver's defaults, the user's conf, then what must hold. */
  static Map<String, String> settings(StoreConfig config) {
    String master = config.option("master").orElse("local[*]");
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.master", master);
    settings.put("spark.app.name", "quiver");
    settings.put("spark.ui.enabled", "false");
    settings.put("spark.ui.showConsoleProgress", "false");
    settings.put(
        "spark.executor.extraJavaOptions", String.join(" ", SparkOfflineStoreType.JVM_OPENS));
    if (master.startsWith("local")) {
      settings.put("spark.driver.host", "127.0.0.1");
      settings.put("spark.driver.bindAddress", "127.0.0.1");
      // A few partitions per core: the default 200 costs more than it saves on one machine.
      settings.put("spark.sql.shuffle.partitions", String.valueOf(4 * cores(master)));
    }
    settings.putAll(config.mapOption("conf"));
    if (!master.startsWith("local")) {
      // The executors of a cluster load Quiver's code from the job jar beside this module's.
      jobJar()
          .ifPresent(
              jar ->
                  settings.merge(
                      "spark.jars", jar.toUri().toString(), (given, ours) -> given + "," + ours));
    }
    // Quiver's semantics: instants in UTC, at nanoseconds where the files have them.
    settings.put("spark.sql.session.timeZone", "UTC");
    settings.put("spark.sql.datetime.java8API.enabled", "true");
    settings.put("spark.sql.legacy.parquet.nanosAsLong", "true");
    settings.put("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    return settings;
  }

  /**
   * {@code quiver-spark-job.jar} beside the {@code quiver-spark.jar} this class runs from; empty
   * when it runs from elsewhere (from the job jar itself, under spark-submit, which ships it).
   */
  static Optional<Path> jobJar() {
    try {
      Path location =
          Path.of(SparkEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path jar = location.resolveSibling("quiver-spark-job.jar");
      return location.getFileName().toString().equals("quiver-spark.jar")
              && Files.isRegularFile(jar)
          ? Optional.of(jar)
          : Optional.empty();
    } catch (URISyntaxException | RuntimeException e) {
      return Optional.empty();
    }
  }

  static SparkSession session(StoreConfig config) {
    SparkSession.Builder builder = SparkSession.builder();
    settings(config).forEach(builder::config);
    return builder.getOrCreate();
  }

  private static int cores(String master) {
    String inside = master.replaceAll("^local\\[?|]$", "").replaceAll(",.*", "");
    if (inside.isEmpty() || inside.equals("*")) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      return Math.max(1, Integer.parseInt(inside));
    } catch (NumberFormatException e) {
      return Runtime.getRuntime().availableProcessors();
    }
  }
}
