package dev.quiver.spark.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real standalone Spark cluster for tests: one master and one worker, each a separate JVM on
 * loopback, started from the jars of the test's own class path. The worker launches executors as
 * its child processes; a driver in the test JVM reaches them with {@link #masterUrl()} and {@link
 * #driverConf()}.
 *
 * <p>The worker builds an executor's class path from {@code $SPARK_HOME/jars}, so {@link #start}
 * makes a Spark home under the work folder whose {@code jars/} links every jar of the class path
 * (with the empty {@code RELEASE} file of a distribution), and removes those links again on {@link
 * #close}. The worker also needs {@code SPARK_SCALA_VERSION}: without it Spark's launcher looks for
 * a source build and every executor fails with "java.lang.IllegalStateException: Cannot find any
 * build directories." Each JVM logs to a file under the work folder; executors log under {@code
 * worker-work/<app>/<executor>/}.
 */
public final class SparkCluster implements AutoCloseable {

  public static final List<String> OPENS =
      dev.quiver.registry.plugin.SparkOfflineStoreType.JVM_OPENS;

  /**
   * JIT and GC options of the master, the worker, the executors (and a test's spark-submit driver):
   * C1 only and the serial collector, as the test Kafka broker has. Their jobs are short, and on a
   * machine of two cores the C2 compiler's threads took more time than its code saved (a profile of
   * a Spark test JVM: 29 s of C2 compilations in a 51 s run). They change how fast the code runs,
   * not what it does.
   */
  public static final List<String> DAEMON_JVM =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  private static final String HOST = "127.0.0.1";
  private static final Duration STARTUP = Duration.ofSeconds(60);
  private static final int WORKER_CORES = 2;
  private static final String EXECUTOR_MEMORY = "512m";

  private final Path workDir;
  private final int masterPort;
  private final int masterWebUiPort;
  private final Path masterLog;
  private final Path workerLog;
  private final Path workerWorkDir;
  private Process master;
  private Process worker;

  /** The jars of the cluster's Spark home; null for every jar of this JVM's class path. */
  private final List<String> distribution;

  private SparkCluster(Path workDir, List<String> distribution) throws IOException {
    this.workDir = workDir;
    this.distribution = distribution;
    this.masterPort = freePort();
    this.masterWebUiPort = freePort();
    this.masterLog = workDir.resolve("master.log");
    this.workerLog = workDir.resolve("worker.log");
    this.workerWorkDir = workDir.resolve("worker-work");
  }

  /**
   * Starts a master, waits until it listens, starts a worker and waits until the master lists it as
   * alive. Fails, with the tails of both logs, when either is not up within a minute; whatever was
   * started is then stopped again.
   */
  public static SparkCluster start(Path workDir) throws IOException {
    return start(workDir, null);
  }

  /**
   * As {@link #start(Path)}, with a Spark home holding only {@code distribution}: the jars of a
   * Spark installation, without the application's, which then reach the executors as a job jar
   * ({@code spark.jars}) would on a real cluster. {@link #driverConf} then passes no class folders.
   */
  public static SparkCluster start(Path workDir, List<String> distribution) throws IOException {
    Files.createDirectories(workDir);
    SparkCluster cluster = new SparkCluster(workDir.toAbsolutePath(), distribution);
    try {
      cluster.startProcesses();
      return cluster;
    } catch (RuntimeException | IOException e) {
      cluster.close();
      throw e;
    }
  }

  /** {@code spark://127.0.0.1:<port>}. */
  public String masterUrl() {
    return "spark://" + HOST + ":" + masterPort;
  }

  /** The master's web UI; {@code /json/} lists its workers and applications. */
  public URI masterWebUi() {
    return URI.create("http://" + HOST + ":" + masterWebUiPort + "/");
  }

  /** The folder holding the logs and the worker's application folders. */
  public Path workDir() {
    return workDir;
  }

  /** What a driver in this JVM sets to run its executors on this cluster. */
  public Map<String, String> driverConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.driver.host", HOST);
    conf.put("spark.driver.bindAddress", HOST);
    List<String> executorOptions = new ArrayList<>(DAEMON_JVM);
    executorOptions.addAll(OPENS);
    conf.put("spark.executor.extraJavaOptions", String.join(" ", executorOptions));
    // The Spark home links jars only; the class folders (target/classes, target/test-classes)
    // reach the executors this way, so a test's lambdas and UDFs load there too.
    String folders =
        distribution != null ? "" : String.join(File.pathSeparator, classPathFolders());
    if (!folders.isEmpty()) {
      conf.put("spark.executor.extraClassPath", folders);
    }
    conf.put("spark.executor.memory", EXECUTOR_MEMORY);
    conf.put("spark.executor.cores", Integer.toString(WORKER_CORES));
    conf.put("spark.cores.max", Integer.toString(WORKER_CORES));
    // Tasks wait for the executor rather than for the default 30 s of registered resources.
    conf.put("spark.scheduler.minRegisteredResourcesRatio", "1.0");
    conf.put("spark.scheduler.maxRegisteredResourcesWaitingTime", "60s");
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.sql.shuffle.partitions", "4");
    return conf;
  }

  /** The master's {@code /json/} view: workers, active and completed applications. */
  public JsonNode masterState() throws IOException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(masterWebUi().resolve("json/"))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IOException("master web UI answered " + response.statusCode());
      }
      return new ObjectMapper().readTree(response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** The last lines of the master's, the worker's and every executor's log, for messages. */
  public String logTails() {
    StringBuilder out = new StringBuilder();
    appendTail(out, masterLog);
    appendTail(out, workerLog);
    if (Files.isDirectory(workerWorkDir)) {
      try (Stream<Path> files = Files.walk(workerWorkDir)) {
        files
            .filter(p -> p.getFileName().toString().equals("stderr"))
            .sorted()
            .forEach(p -> appendTail(out, p));
      } catch (IOException | UncheckedIOException e) {
        out.append("(cannot list ").append(workerWorkDir).append(": ").append(e).append(")\n");
      }
    }
    return out.toString();
  }

  /** Stops the worker with its executors, then the master, and waits until all have exited. */
  @Override
  public void close() {
    stop(worker);
    stop(master);
    worker = null;
    master = null;
    deleteSparkHome();
  }

  private void startProcesses() throws IOException {
    List<String> jars = distribution != null ? distribution : classPathJars();
    Path sparkHome = sparkHome(jars);
    String classPath = String.join(File.pathSeparator, jars);

    master =
        launch(
            classPath,
            sparkHome,
            masterLog,
            List.of(
                "org.apache.spark.deploy.master.Master",
                "--host",
                HOST,
                "--port",
                Integer.toString(masterPort),
                "--webui-port",
                Integer.toString(masterWebUiPort)));
    awaitListening(master, masterPort, "master");

    Files.createDirectories(workerWorkDir);
    worker =
        launch(
            classPath,
            sparkHome,
            workerLog,
            List.of(
                "org.apache.spark.deploy.worker.Worker",
                masterUrl(),
                "--host",
                HOST,
                "--webui-port",
                Integer.toString(freePort()),
                "--cores",
                Integer.toString(WORKER_CORES),
                "--memory",
                "1g",
                "--work-dir",
                workerWorkDir.toString()));
    awaitWorker();
  }

  /** The jars of this JVM's class path (folders such as target/classes are left out). */
  private static List<String> classPathJars() {
    Set<String> jars = new LinkedHashSet<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry))) {
        jars.add(Path.of(entry).toAbsolutePath().toString());
      }
    }
    if (jars.stream()
        .noneMatch(j -> Path.of(j).getFileName().toString().startsWith("spark-core"))) {
      throw new IllegalStateException(
          "no spark-core jar on java.class.path: " + System.getProperty("java.class.path"));
    }
    return new ArrayList<>(jars);
  }

  /** The folders of this JVM's class path, such as target/classes and target/test-classes. */
  private static List<String> classPathFolders() {
    Set<String> folders = new LinkedHashSet<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isEmpty() && Files.isDirectory(Path.of(entry))) {
        folders.add(Path.of(entry).toAbsolutePath().toString());
      }
    }
    return new ArrayList<>(folders);
  }

  /** A Spark home whose jars/ links the given jars, with a distribution's RELEASE file. */
  private Path sparkHome(List<String> jars) throws IOException {
    Path home = sparkHome();
    Path jarsDir = Files.createDirectories(home.resolve("jars"));
    for (String jar : jars) {
      Path link = jarsDir.resolve(Path.of(jar).getFileName());
      if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, Path.of(jar));
      }
    }
    Path release = home.resolve("RELEASE");
    if (!Files.exists(release)) {
      Files.createFile(release);
    }
    return home;
  }

  private Path sparkHome() {
    return workDir.resolve("spark-home");
  }

  /**
   * Removes the links to the class path's jars (never their targets), so that a caller deleting the
   * work folder meets no links into the local Maven repository.
   */
  private void deleteSparkHome() {
    Path home = sparkHome();
    if (!Files.isDirectory(home, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(home)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      // Left for the caller's clean-up of the work folder.
    }
  }

  private Process launch(String classPath, Path sparkHome, Path log, List<String> mainAndArgs)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.addAll(DAEMON_JVM);
    command.addAll(OPENS);
    command.add("-cp");
    command.add(classPath);
    command.addAll(mainAndArgs);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.put("SPARK_HOME", sparkHome.toString());
    env.put("SPARK_SCALA_VERSION", "2.13");
    env.put("SPARK_LOCAL_IP", HOST);
    env.remove("SPARK_CONF_DIR");
    env.remove("SPARK_PREPEND_CLASSES");
    return builder.start();
  }

  private void awaitListening(Process process, int port, String name) {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(InetAddress.getByName(HOST), port), 500);
        return;
      } catch (IOException notYet) {
        // retried below
      }
      checkAlive(process, name);
      pause(deadline, name + " does not listen on " + HOST + ":" + port);
    }
  }

  private void awaitWorker() {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    String last = "no answer yet";
    while (true) {
      try {
        for (JsonNode w : masterState().path("workers")) {
          if ("ALIVE".equals(w.path("state").asText())) {
            return;
          }
        }
        last = "no alive worker";
      } catch (IOException e) {
        last = e.toString();
      }
      checkAlive(master, "master");
      checkAlive(worker, "worker");
      pause(deadline, "the worker did not register with the master (" + last + ")");
    }
  }

  private void checkAlive(Process process, String name) {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          name + " exited with " + process.exitValue() + "\n" + logTails());
    }
  }

  private void pause(long deadline, String failure) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(
          failure + " within " + STARTUP.toSeconds() + " s\n" + logTails());
    }
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting: " + failure, e);
    }
  }

  /** Ends a process and all its descendants (a worker's executors), forcibly after 10 s. */
  private static void stop(Process process) {
    if (process == null) {
      return;
    }
    List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
    all.add(process.toHandle());
    all.forEach(ProcessHandle::destroy);
    for (ProcessHandle handle : all) {
      try {
        handle.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception notYet) {
        handle.destroyForcibly();
      }
    }
    for (ProcessHandle handle : all) {
      try {
        handle.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // Nothing more to do than to have tried; the JVM's exit ends no child.
      }
    }
  }

  private static void appendTail(StringBuilder out, Path log) {
    out.append("--- ").append(log).append(" ---\n");
    try {
      List<String> lines =
          new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
      lines
          .subList(Math.max(0, lines.size() - 40), lines.size())
          .forEach(l -> out.append(l).append('\n'));
    } catch (IOException e) {
      out.append("(unreadable: ").append(e).append(")\n");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
