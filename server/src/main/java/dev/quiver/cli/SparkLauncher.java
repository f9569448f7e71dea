package dev.quiver.cli;

import dev.quiver.ConfigurationException;
import dev.quiver.registry.load.FeatureRepo;
import dev.quiver.registry.model.ProjectConfig;
import dev.quiver.registry.plugin.SparkOfflineStoreType;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a command on the Spark engine when the repo selects {@code offline_store: {type: spark}}:
 * the engine ({@code quiver-spark}, with Spark) runs as its own JVM with its class path, as the
 * job's driver, so the CLI jar stays without Spark. The engine is found beside this checkout's CLI
 * jar ({@code spark/target/quiver-spark.jar} and its {@code lib/}), built with Maven on first use
 * (or when older than the CLI jar), or named by {@code QUIVER_SPARK_CLASSPATH}. JVM flags for the
 * driver come from {@code QUIVER_SPARK_JAVA_OPTS} (e.g. {@code -Xmx2g}).
 */
final class SparkLauncher {

  static final String CLASSPATH_VARIABLE = "QUIVER_SPARK_CLASSPATH";
  static final String JAVA_OPTS_VARIABLE = "QUIVER_SPARK_JAVA_OPTS";
  private static final String MAIN = "dev.quiver.spark.SparkJob";

  private SparkLauncher() {}

  /** Whether the repo at {@code root} runs its offline work on Spark. */
  static boolean selected(Path root) {
    ProjectConfig config = FeatureRepo.loadConfig(root, System.getenv());
    return config.offlineStore().type().equals(SparkOfflineStoreType.TYPE);
  }

  /**
   * Runs {@code command} and {@code args} on the engine, its output and errors passed through.
   *
   * @return the engine's exit code
   */
  static int run(String command, List<String> args) {
    String classPath = classPath();
    List<String> line = new ArrayList<>();
    line.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    line.addAll(SparkOfflineStoreType.JVM_OPENS);
    String opts = System.getenv(JAVA_OPTS_VARIABLE);
    if (opts != null && !opts.isBlank()) {
      line.addAll(List.of(opts.trim().split("\\s+")));
    }
    line.add("-cp");
    line.add(classPath);
    line.add(MAIN);
    line.add(command);
    line.addAll(args);
    try {
      Process process = new ProcessBuilder(line).inheritIO().start();
      return process.waitFor();
    } catch (IOException e) {
      throw new ConfigurationException("Cannot start the Spark engine: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigurationException("Interrupted while the Spark engine ran", e);
    }
  }

  /** A materialization on the engine: its instants, then the views. */
  static int materialize(String command, Path repo, List<Instant> instants, List<String> views) {
    List<String> args = new ArrayList<>(List.of("--repo", repo.toString()));
    if (!views.isEmpty()) {
      args.addAll(List.of("--views", String.join(",", views)));
    }
    // After "--", an instant before the year 0 ("-0001-...") is not read as an option.
    args.add("--");
    instants.forEach(instant -> args.add(instant.toString()));
    return run(command, args);
  }

  private static String classPath() {
    String given = System.getenv(CLASSPATH_VARIABLE);
    if (given != null && !given.isBlank()) {
      return given;
    }
    Path cliJar = cliJar();
    Path checkout = cliJar.getParent().getParent().getParent();
    Path jar = checkout.resolve("spark/target/quiver-spark.jar");
    Path lib = checkout.resolve("spark/target/lib");
    if (stale(jar, lib, cliJar)) {
      build(checkout);
    }
    return jar + File.pathSeparator + lib + File.separator + "*";
  }

  private static Path cliJar() {
    try {
      Path location =
          Path.of(SparkLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (!Files.isRegularFile(location)
          || !Files.isRegularFile(
              location.getParent().getParent().getParent().resolve("pom.xml"))) {
        throw new ConfigurationException(
            "Cannot find the Spark engine: this CLI does not run from a Quiver checkout; set "
                + CLASSPATH_VARIABLE
                + " to the class path of quiver-spark and its dependencies");
      }
      return location;
    } catch (URISyntaxException e) {
      throw new ConfigurationException("Cannot find the Spark engine: " + e.getMessage(), e);
    }
  }

  private static boolean stale(Path jar, Path lib, Path cliJar) {
    try {
      return !Files.isRegularFile(jar)
          || !Files.isDirectory(lib)
          || Files.getLastModifiedTime(jar).compareTo(Files.getLastModifiedTime(cliJar)) < 0;
    } catch (IOException e) {
      return true;
    }
  }

  /** Builds the engine with Maven: Spark's jars are downloaded on the first build (~300 MB). */
  private static void build(Path checkout) {
    System.err.println(
        "quiver: building the Spark engine with Maven (first use, or sources changed; the first"
            + " build downloads Spark, about 300 MB)...");
    try {
      Path log = Files.createTempFile("quiver-spark-build", ".log");
      Process process =
          new ProcessBuilder("mvn", "-B", "-ntp", "-DskipTests", "package", "-pl", "spark", "-am")
              .directory(checkout.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (process.waitFor() != 0) {
        System.err.println(Files.readString(log));
        throw new ConfigurationException(
            "Cannot build the Spark engine; Maven's output is above (and in " + log + ")");
      }
      Files.deleteIfExists(log);
    } catch (IOException e) {
      throw new ConfigurationException(
          "Cannot build the Spark engine (is Maven installed?): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ConfigurationException("Interrupted while building the Spark engine", e);
    }
  }
}
