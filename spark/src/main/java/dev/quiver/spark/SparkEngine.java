package dev.quiver.spark;

import dev.quiver.registry.model.StoreConfig;
import dev.quiver.registry.plugin.SparkOfflineStoreType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of {@code offline_store: {type: spark, master, conf}}: the user's conf over the
 * settings Quiver's semantics need (UTC, nanosecond timestamps read as longs, java.time values,
 * microsecond timestamps written) and quiet defaults for one machine.
 */
final class SparkEngine {

  private SparkEngine() {}

  /**
   * The settings a session gets: Quiver's defaults, the user's conf, then what must hold. A master
   * that spark-submit set ({@code spark.master} among the JVM's properties) wins over the repo's,
   * as spark-submit's {@code --master} should.
   *
   * @param submitted the master spark-submit set, or null
   */
  static Map<String, String> settings(StoreConfig config, String submitted) {
    String master = submitted != null ? submitted : config.option("master").orElse("local[*]");
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("spark.master", master);
    settings.put("spark.app.name", "quiver");
    settings.put("spark.ui.enabled", "false");
    settings.put("spark.ui.showConsoleProgress", "false");
    if (isLocal(master)) {
      settings.put("spark.driver.host", "127.0.0.1");
      settings.put("spark.driver.bindAddress", "127.0.0.1");
      // A few partitions per core: the default 200 costs more than it saves on one machine.
      settings.put("spark.sql.shuffle.partitions", String.valueOf(4 * cores(master)));
    }
    // Results go from executor to executor, never through the driver: no broadcast joins (a
    // broadcast collects one side on the driver first).
    settings.put("spark.sql.autoBroadcastJoinThreshold", "-1");
    settings.put("spark.sql.adaptive.autoBroadcastJoinThreshold", "-1");
    Map<String, String> conf = config.mapOption("conf");
    settings.putAll(conf);
    settings.put("spark.master", master);
    // The opens executors need come first; the user's options are added, not swapped in.
    String opens = String.join(" ", SparkOfflineStoreType.JVM_OPENS);
    String userOptions = conf.get("spark.executor.extraJavaOptions");
    settings.put(
        "spark.executor.extraJavaOptions",
        userOptions == null || userOptions.isBlank() ? opens : opens + " " + userOptions);
    if (!isLocal(master)) {
      // The executors of a cluster load Quiver's code from the job jar beside this module's.
      jobJar()
          .ifPresent(
              jar ->
                  settings.merge(
                      "spark.jars", jar.toUri().toString(), (given, ours) -> given + "," + ours));
    }
    // Quiver's semantics: instants in UTC, at nanoseconds where the files have them; a cast that
    // does not fit (an int64 key for an int32 entity) is an error, never a wrapped value.
    settings.put("spark.sql.session.timeZone", "UTC");
    settings.put("spark.sql.datetime.java8API.enabled", "true");
    settings.put("spark.sql.legacy.parquet.nanosAsLong", "true");
    settings.put("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    settings.put("spark.sql.ansi.enabled", "true");
    return settings;
  }

  /** The master a session of {@code config} gets: spark-submit's, else the repo's. */
  static String master(StoreConfig config) {
    String submitted = submittedMaster();
    return submitted != null ? submitted : config.option("master").orElse("local[*]");
  }

  /** The master spark-submit set (as a JVM property), or null. */
  private static String submittedMaster() {
    return new SparkConf().getOption("spark.master").getOrElse(() -> null);
  }

  /**
   * Whether executors run in the driver's JVM: {@code local}, {@code local[N]}, {@code local[N,F]}
   * (not {@code local-cluster[...]}, whose executors are other processes).
   */
  static boolean isLocal(String master) {
    return master.equals("local") || master.startsWith("local[");
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
    settings(config, submittedMaster()).forEach(builder::config);
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
