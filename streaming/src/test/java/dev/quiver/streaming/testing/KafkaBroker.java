package dev.quiver.streaming.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * A real single-node Kafka broker for tests: KRaft, broker and controller in one separate JVM
 * process listening on two free loopback ports, its data and log in a directory of its own.
 *
 * <p>Most tests share one broker per test JVM through {@link #shared()} and keep apart by using
 * topic names and transactional ids of their own. {@link #start(Path)} starts a private one, for a
 * test that must stop or restart it.
 *
 * <p>The broker runs {@code org.apache.kafka:kafka_2.13} on the classpath that the build writes
 * into the resource {@code kafka-broker.classpath} next to this class (maven-dependency-plugin at
 * generate-test-resources); the system property {@value #CLASSPATH_FILE_PROPERTY} names another
 * such file. The resource travels in quiver-streaming's test jar, so other modules' tests start the
 * broker the same way.
 *
 * <p>Topics are created on first write ({@code auto.create.topics.enable=true}) so that the
 * dead-letter topic {@code <topic>.quiver-dlq} appears when ingestion first sends to it, as it
 * would on a cluster that allows it; tests still create their source topics with {@link
 * #createTopic(String, int)} to choose the partitions and to wait until the topic has a leader.
 */
public final class KafkaBroker implements AutoCloseable {

  /** System property naming a file with the broker's classpath, instead of the resource. */
  public static final String CLASSPATH_FILE_PROPERTY = "quiver.kafka-broker.classpath";

  private static final String CLASSPATH_RESOURCE = "kafka-broker.classpath";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
  private static final int LOG_TAIL_LINES = 60;

  private static KafkaBroker shared;
  private static RuntimeException sharedFailure;

  private final Path dir;
  private final Path logFile;
  private final Process process;
  private final String bootstrapServers;
  private final Admin admin;
  private final Thread killOnExit;

  private KafkaBroker(Path dir, Path logFile, Process process, String bootstrapServers) {
    this.dir = dir;
    this.logFile = logFile;
    this.process = process;
    this.bootstrapServers = bootstrapServers;
    this.killOnExit = new Thread(this::kill, "kafka-broker-kill " + bootstrapServers);
    Runtime.getRuntime().addShutdownHook(killOnExit);
    this.admin =
        Admin.create(
            Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                (int) ADMIN_TIMEOUT.toMillis()));
  }

  /**
   * The broker this test JVM shares, started on first use in a temporary directory and stopped (the
   * directory deleted) when the JVM exits. Call from {@code @BeforeAll}; never close it.
   *
   * <p>When the broker cannot start, the calling test is skipped with the reason, or fails with
   * {@code CI=true} in the environment. A failed start is not retried within the JVM.
   *
   * @throws IllegalStateException if the broker cannot start and {@code CI=true}
   */
  public static synchronized KafkaBroker shared() {
    if (shared == null && sharedFailure == null) {
      Path dir = null;
      try {
        dir = Files.createTempDirectory("quiver-kafka-");
        KafkaBroker broker = start(dir);
        Path brokerDir = dir;
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      broker.kill();
                      deleteRecursively(brokerDir);
                    },
                    "kafka-broker-cleanup"));
        shared = broker;
      } catch (IOException e) {
        sharedFailure = new UncheckedIOException("Cannot create the Kafka broker's directory", e);
      } catch (RuntimeException e) {
        sharedFailure = e;
        deleteRecursively(dir);
      }
    }
    if (sharedFailure != null) {
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(
            "Cannot start the shared Kafka broker: " + sharedFailure.getMessage(), sharedFailure);
      }
      Assumptions.abort("Kafka broker unavailable: " + sharedFailure.getMessage());
    }
    return shared;
  }

  /**
   * Formats {@code dir} as a new cluster's storage and starts a broker on it, returning once it
   * answers requests. The caller closes it; a JVM shutdown hook kills it if nobody does.
   *
   * @param dir an empty or absent directory for the broker's configuration, data and log
   * @throws IllegalStateException if the broker does not start within 60 seconds, with the tail of
   *     its log
   * @throws UncheckedIOException if the directory cannot be written
   */
  public static KafkaBroker start(Path dir) {
    try {
      Files.createDirectories(dir);
      String classpath = brokerClasspath();
      int port = freePort();
      int controllerPort = freePort();
      Path config = dir.resolve("server.properties");
      Files.writeString(config, serverProperties(dir.resolve("data"), port, controllerPort));
      Path log4j = dir.resolve("log4j2.properties");
      Files.writeString(log4j, LOG4J_CONFIG);
      Path logFile = dir.resolve("broker.log");

      List<String> format = javaCommand(classpath, log4j, "256m");
      format.addAll(
          List.of(
              "kafka.tools.StorageTool",
              "format",
              "-t",
              Uuid.randomUuid().toString(),
              "-c",
              config.toString(),
              "--ignore-formatted"));
      runToCompletion(format, logFile);

      return launch(dir, "127.0.0.1:" + port);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start a Kafka broker in " + dir, e);
    }
  }

  /**
   * Starts this broker again, after {@link #close}, on the same ports and data: a broker that went
   * away and came back. The returned object is the broker now.
   */
  public KafkaBroker startAgain() {
    try {
      return launch(dir, bootstrapServers);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot restart the Kafka broker in " + dir, e);
    }
  }

  /** Starts the broker process of a formatted directory and waits until it answers. */
  private static KafkaBroker launch(Path dir, String bootstrapServers) throws IOException {
    List<String> server = javaCommand(brokerClasspath(), dir.resolve("log4j2.properties"), "512m");
    server.addAll(List.of("kafka.Kafka", dir.resolve("server.properties").toString()));
    Path logFile = dir.resolve("broker.log");
    Process process =
        new ProcessBuilder(server)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    KafkaBroker broker = new KafkaBroker(dir, logFile, process, bootstrapServers);
    try {
      broker.awaitReady();
    } catch (RuntimeException e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  /** {@code host:port} of the broker's PLAINTEXT listener, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** An admin client of this broker, owned by it: do not close it. */
  public Admin admin() {
    return admin;
  }

  /** The broker's own output: its Log4j log, and the storage format's before it. */
  public Path logFile() {
    return logFile;
  }

  /**
   * Creates a topic with one replica per partition and waits until every partition has a leader, so
   * that producers and consumers can use it at once.
   *
   * @throws IllegalStateException if the broker refuses the topic (it exists already, for one) or
   *     its partitions have no leader within 30 seconds
   */
  public void createTopic(String name, int partitions) {
    call(
        "create topic " + name,
        () -> admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get());
    try {
      await()
          .atMost(ADMIN_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(() -> hasLeaders(name, partitions));
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "Cannot create topic " + name + ": its partitions have no leader after " + ADMIN_TIMEOUT,
          e);
    }
  }

  /** Kills the broker process and waits for it to exit. The directory stays. */
  @Override
  public void close() {
    admin.close(Duration.ZERO);
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(killOnExit);
    } catch (IllegalStateException e) {
      // The JVM is already exiting: the hook runs anyway, and finds the process gone.
    }
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + bootstrapServers + ", " + dir + "]";
  }

  private void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitReady() {
    try {
      await()
          .atMost(START_TIMEOUT)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "Kafka broker exited with status " + process.exitValue());
                }
                return answers();
              });
    } catch (ConditionTimeoutException e) {
      throw new IllegalStateException(
          "Kafka broker did not answer at "
              + bootstrapServers
              + " within "
              + START_TIMEOUT
              + "; its log ends with:\n"
              + tail(logFile),
          e);
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          e.getMessage() + " before answering; its log ends with:\n" + tail(logFile), e);
    }
  }

  private boolean answers() throws InterruptedException {
    try {
      return !admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty();
    } catch (ExecutionException | TimeoutException e) {
      return false;
    }
  }

  private boolean hasLeaders(String topic, int partitions) throws Exception {
    TopicDescription description =
        admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    return description.partitions().size() == partitions
        && description.partitions().stream().allMatch(p -> p.leader() != null);
  }

  private interface AdminCall {
    void run() throws InterruptedException, ExecutionException;
  }

  private static void call(String what, AdminCall call) {
    try {
      call.run();
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "Cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Cannot " + what + ": interrupted", e);
    }
  }

  private static String serverProperties(Path dataDir, int port, int controllerPort) {
    return String.join(
        "\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "inter.broker.listener.name=PLAINTEXT",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + dataDir,
        // One node: every internal topic has one replica, and one partition is enough.
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "default.replication.factor=1",
        "num.partitions=1",
        // Dead-letter topics appear on first write; see the class comment.
        "auto.create.topics.enable=true",
        // Tests must not wait for rebalances or for abandoned transactions.
        "group.initial.rebalance.delay.ms=0",
        "transaction.abort.timed.out.transaction.cleanup.interval.ms=1000",
        // This machine has two cores; the defaults are sized for a server.
        "num.network.threads=2",
        "num.io.threads=2",
        "num.recovery.threads.per.data.dir=1",
        "background.threads=2",
        "");
  }

  private static final String LOG4J_CONFIG =
      String.join(
          "\n",
          "appender.out.type=Console",
          "appender.out.name=out",
          "appender.out.layout.type=PatternLayout",
          "appender.out.layout.pattern=[%d] %p %m (%c)%n",
          "rootLogger.level=INFO",
          "rootLogger.appenderRef.out.ref=out",
          "");

  private static List<String> javaCommand(String classpath, Path log4jConfig, String heap) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Small heap, serial GC and C1 only: a test broker on a small machine starts faster so.
    return new ArrayList<>(
        List.of(
            java,
            "-Xmx" + heap,
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            "-Dlog4j2.configurationFile=" + log4jConfig,
            "-cp",
            classpath));
  }

  private static void runToCompletion(List<String> command, Path logFile) throws IOException {
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    try {
      if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "Cannot format the Kafka broker's storage: still running after "
                + COMMAND_TIMEOUT
                + "; its log ends with:\n"
                + tail(logFile));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Cannot format the Kafka broker's storage: interrupted", e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "Cannot format the Kafka broker's storage: exit status "
              + process.exitValue()
              + "; its log ends with:\n"
              + tail(logFile));
    }
  }

  private static String brokerClasspath() throws IOException {
    String file = System.getProperty(CLASSPATH_FILE_PROPERTY);
    if (file != null) {
      return Files.readString(Path.of(file)).strip();
    }
    try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "Cannot start a Kafka broker: no resource "
                + CLASSPATH_RESOURCE
                + " next to "
                + KafkaBroker.class.getName()
                + " (Maven writes it at generate-test-resources) and no system property "
                + CLASSPATH_FILE_PROPERTY);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }

  /** A loopback port nothing listens on now; the broker binds it a moment later. */
  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String tail(Path logFile) {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e.getMessage() + ")";
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // A temporary directory left behind is harmless.
    }
  }
}
