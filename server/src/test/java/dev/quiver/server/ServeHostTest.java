package dev.quiver.server;

import static dev.quiver.cli.CliRun.quiver;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.quiver.cli.QuiverCli;
import dev.quiver.example.ExampleRepo;
import dev.quiver.offline.ArrowAccess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Where the server listens, as the kernel's socket table shows it (what {@code ss -ltn} reads):
 * this machine only by default, HTTP and Arrow Flight alike; elsewhere with {@code --host}, with a
 * warning when no write token guards the writes.
 */
class ServeHostTest {

  private static final String WARNING =
      "with no write token: anyone who reaches it can push, write and materialize; set"
          + " --write-token (or QUIVER_WRITE_TOKEN), or serve on 127.0.0.1";

  @TempDir Path dir;

  private Path repo() throws IOException {
    Path repo = dir.resolve("repo");
    ExampleRepo.createAt(repo, Instant.now().truncatedTo(ChronoUnit.HOURS));
    assertThat(quiver("apply", "--repo", repo.toString()).exitCode()).isZero();
    return repo;
  }

  /** The addresses of the sockets listening on a TCP port, from /proc/net/tcp and tcp6. */
  private static List<InetAddress> listeningOn(int port) throws IOException {
    List<InetAddress> addresses = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      Path file = Path.of(table);
      if (!Files.exists(file)) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      // The first line names the columns.
      for (String line : lines.subList(1, lines.size())) {
        String[] fields = line.strip().split("\\s+");
        String[] local = fields[1].split(":");
        // State 0A is LISTEN.
        if (fields[3].equals("0A") && Integer.parseInt(local[1], 16) == port) {
          addresses.add(address(local[0]));
        }
      }
    }
    return addresses;
  }

  /**
   * An address as the kernel prints it: each 32-bit word in the machine's (little-endian) order.
   */
  private static InetAddress address(String hex) throws UnknownHostException {
    byte[] bytes = HexFormat.of().parseHex(hex);
    for (int word = 0; word < bytes.length; word += 4) {
      for (int i = 0; i < 2; i++) {
        byte swap = bytes[word + i];
        bytes[word + i] = bytes[word + 3 - i];
        bytes[word + 3 - i] = swap;
      }
    }
    // An IPv4-mapped IPv6 address comes back as the IPv4 address.
    return InetAddress.getByAddress(bytes);
  }

  private static void assumeLinux() {
    assumeThat(Path.of("/proc/net/tcp")).as("the kernel's socket table").exists();
  }

  @Test
  void byDefaultHttpAndFlightListenOnLoopbackOnlyWithoutAWarning() throws Exception {
    assumeLinux();
    ch.qos.logback.classic.Logger log =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(QuiverServer.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    try (QuiverServer server =
        QuiverServer.start(repo(), 0, Map.of("quiver.server.flight-port", 0))) {
      for (int port : new int[] {server.port(), server.flightPort()}) {
        assertThat(listeningOn(port))
            .as("listeners on port %d", port)
            .isNotEmpty()
            .allMatch(InetAddress::isLoopbackAddress);
      }
      assertThat(server.host()).isEqualTo("127.0.0.1");
      assertThat(server.url()).isEqualTo("http://127.0.0.1:" + server.port());
    } finally {
      log.detachAppender(events);
    }
    assertThat(events.list).noneMatch(e -> e.getFormattedMessage().contains(WARNING));
  }

  @Test
  void theMicronautSettingServesEveryInterfaceAndWarnsOnlyWithoutAWriteToken() throws Exception {
    assumeLinux();
    Path repo = repo();
    ch.qos.logback.classic.Logger log =
        (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(QuiverServer.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    log.addAppender(events);
    try {
      try (QuiverServer server =
          QuiverServer.start(
              repo, 0, Map.of("quiver.server.flight-port", 0, QuiverServer.HOST, "0.0.0.0"))) {
        assertThat(server.url())
            .as("reachable from here")
            .isEqualTo("http://127.0.0.1:" + server.port());
        for (int port : new int[] {server.port(), server.flightPort()}) {
          assertThat(listeningOn(port))
              .as("listeners on port %d", port)
              .isNotEmpty()
              .allMatch(InetAddress::isAnyLocalAddress);
        }
      }
      assertThat(events.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .containsExactly("Listening on 0.0.0.0, beyond this machine, " + WARNING);
      events.list.clear();
      try (QuiverServer guarded =
          QuiverServer.start(
              repo,
              0,
              Map.of(
                  "quiver.server.flight-port",
                  0,
                  QuiverServer.HOST,
                  "0.0.0.0",
                  "quiver.server.write-token",
                  "s3cret"))) {
        assertThat(listeningOn(guarded.port()))
            .as("listeners on port %d", guarded.port())
            .isNotEmpty()
            .allMatch(InetAddress::isAnyLocalAddress);
      }
      assertThat(events.list).isEmpty();
    } finally {
      log.detachAppender(events);
    }
  }

  @Test
  void serveWithHostListensThereAndWarnsWithoutAWriteToken() throws Exception {
    assumeLinux();
    Path repo = repo();
    Path err = dir.resolve("serve.err");
    ProcessBuilder command =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                ArrowAccess.OPTION,
                "-cp",
                System.getProperty("java.class.path"),
                QuiverCli.class.getName(),
                "serve",
                "--host",
                "0.0.0.0",
                "--port",
                "0",
                "--flight-port",
                "0",
                "--repo",
                repo.toString())
            .redirectErrorStream(true)
            .redirectOutput(err.toFile());
    command.environment().remove("QUIVER_WRITE_TOKEN");
    Process serve = command.start();
    try {
      Pattern serving =
          Pattern.compile(
              "Serving .* on http://0\\.0\\.0\\.0:(\\d+), Arrow Flight on"
                  + " grpc://0\\.0\\.0\\.0:(\\d+) \\(Ctrl-C stops\\)");
      Matcher ports =
          await()
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(100))
              .failFast("serve ended", () -> !serve.isAlive())
              .until(() -> serving.matcher(Files.readString(err)), Matcher::find);
      String output = Files.readString(err);
      assertThat(output)
          .contains(
              "WARN d.q.s.QuiverServer: Listening on 0.0.0.0, beyond this machine, " + WARNING);
      for (int group = 1; group <= 2; group++) {
        int port = Integer.parseInt(ports.group(group));
        assertThat(listeningOn(port))
            .as("listeners on port %d", port)
            .isNotEmpty()
            .allMatch(InetAddress::isAnyLocalAddress);
      }
    } finally {
      serve.destroy();
      assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
  }
}
