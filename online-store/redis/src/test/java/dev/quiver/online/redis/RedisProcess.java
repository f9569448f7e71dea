package dev.quiver.online.redis;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.core.TerminalFailureException;

/**
 * A {@code redis-server} process a test starts on a spare loopback port, in its own folder, and can
 * kill and start again on the same port.
 */
public final class RedisProcess implements AutoCloseable {

  private final int port;
  private final Path dir;
  private final List<String> options;
  private Process process;

  private RedisProcess(int port, Path dir, List<String> options) {
    this.port = port;
    this.dir = dir;
    this.options = options;
  }

  /**
   * Starts a server; {@code options} are redis-server flags such as {@code --appendonly yes}.
   *
   * @param port a port whose cluster bus port (port + 10000) is free too; see {@link #sparePort}
   */
  public static RedisProcess start(int port, Path dir, String... options) throws IOException {
    Files.createDirectories(dir);
    RedisProcess redis = new RedisProcess(port, dir, List.of(options));
    redis.start();
    return redis;
  }

  /** A loopback port that is free, and whose cluster bus port (+10000) is free too. */
  public static int sparePort() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 30_000);
      if (free(port) && free(port + 10_000)) {
        return port;
      }
    }
    throw new IllegalStateException("no spare port for redis-server");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Starts the server (again) and waits until it accepts connections. */
  public void start() throws IOException {
    List<String> command = new ArrayList<>();
    command.add("redis-server");
    command.add("--port");
    command.add(String.valueOf(port));
    command.add("--bind");
    command.add("127.0.0.1");
    command.add("--dir");
    command.add(dir.toString());
    command.add("--save");
    command.add("");
    command.addAll(options);
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    try {
      await()
          .alias("redis-server on port " + port + " accepting connections")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(50))
          .failFast("redis-server exited", () -> !process.isAlive())
          .until(this::acceptsConnections);
    } catch (TerminalFailureException e) {
      throw new IOException(
          "redis-server on port " + port + " exited: " + Files.readString(dir.resolve("redis.log")),
          e);
    }
  }

  private boolean acceptsConnections() {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Kills the server as {@code kill -9} would. */
  public void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor();
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
