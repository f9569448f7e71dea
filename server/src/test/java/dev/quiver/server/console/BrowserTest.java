package dev.quiver.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.manager.SeleniumManager;
import org.openqa.selenium.remote.service.DriverFinder;

/**
 * The console tests' harness catches what they rely on it for: a script's {@code console.error} and
 * a failed image load reported as errors, a clean page reported clean, a screenshot of the whole
 * page rather than of the window. Pages come from a real HTTP server on loopback.
 */
class BrowserTest {

  /** Taller than the 900-pixel window, so a viewport-only screenshot would be too short. */
  private static final int TALL = 2400;

  private static final String CLEAN =
      "<!doctype html><html><head><title>clean</title><link rel=\"icon\" href=\"data:,\"></head>"
          + "<body style=\"margin:0\"><div style=\"height:"
          + TALL
          + "px;background:linear-gradient(#fff,#36c)\">tall</div></body></html>";

  private static final String BROKEN =
      "<!doctype html><html><head><title>broken</title><link rel=\"icon\" href=\"data:,\"></head>"
          + "<body><img src=\"/missing.png\" alt=\"missing\">"
          + "<script>console.error('boom')</script></body></html>";

  private static final Logger DRIVER_FINDER = Logger.getLogger(DriverFinder.class.getName());
  private static final Logger SELENIUM_MANAGER = Logger.getLogger(SeleniumManager.class.getName());
  private static final List<LogRecord> DRIVER_LOOKUP = new CopyOnWriteArrayList<>();

  private static HttpServer server;
  private static String base;
  private static Browser browser;

  @BeforeAll
  static void serveThePagesAndStartTheBrowser() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", BrowserTest::respond);
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    // What Selenium did to find the driver: it logs whether it asked Selenium Manager.
    Handler lookup =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            DRIVER_LOOKUP.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    lookup.setLevel(Level.ALL);
    for (Logger logger : List.of(DRIVER_FINDER, SELENIUM_MANAGER)) {
      logger.setLevel(Level.ALL);
      logger.addHandler(lookup);
    }
    long started = System.nanoTime();
    try {
      browser = Browser.start();
    } finally {
      for (Logger logger : List.of(DRIVER_FINDER, SELENIUM_MANAGER)) {
        logger.removeHandler(lookup);
        logger.setLevel(null);
      }
    }
    System.out.printf("Browser started in %d ms%n", (System.nanoTime() - started) / 1_000_000);
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.stop(0);
    }
  }

  @BeforeEach
  void forgetEarlierMessages() {
    browser.consoleErrors();
  }

  @Test
  void cleanPageHasNoErrorsAndItsScreenshotCoversTheWholePage() throws IOException {
    long started = System.nanoTime();
    browser.open(base + "/clean");
    System.out.printf("Page loaded in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    assertThat(browser.driver().getTitle()).isEqualTo("clean");
    assertThat(browser.consoleErrors()).isEmpty();

    Path png = browser.screenshot("browser-test-clean");
    assertThat(png)
        .isEqualTo(Browser.targetDir().resolve("console-screenshots/browser-test-clean.png"));
    byte[] bytes = Files.readAllBytes(png);
    assertThat(bytes).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
    long pageHeight =
        (Long)
            ((JavascriptExecutor) browser.driver())
                .executeScript("return document.documentElement.scrollHeight");
    assertThat(pageHeight).isGreaterThanOrEqualTo(TALL);
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getHeight()).isGreaterThanOrEqualTo((int) pageHeight);
    assertThat(image.getWidth()).isPositive();
  }

  @Test
  void consoleErrorAndMissingImageAreBothReported() {
    browser.open(base + "/broken");
    assertThat(browser.driver().getTitle()).isEqualTo("broken");

    List<String> errors = browser.consoleErrors();
    assertThat(errors).hasSize(2);
    assertThat(errors).anySatisfy(error -> assertThat(error).contains("\"boom\""));
    assertThat(errors)
        .anySatisfy(error -> assertThat(error).contains("/missing.png").contains("status of 404"));
    // Read once: the next call reports only what happened since.
    assertThat(browser.consoleErrors()).isEmpty();
  }

  @Test
  void seleniumManagerIsNeverAsked() throws IOException {
    // Selenium logs the driver's real path (Debian's /usr/bin/chromedriver is a link).
    assertThat(DRIVER_LOOKUP)
        .extracting(record -> record.getLoggerName() + ": " + record.getMessage())
        .containsExactly(
            DriverFinder.class.getName()
                + ": Skipping Selenium Manager, path to chromedriver specified in Service class: "
                + Browser.CHROMEDRIVER.toRealPath());
  }

  @Test
  void screenshotNameMustBeAPlainFileName() {
    assertThatThrownBy(() -> browser.screenshot("../escape"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Cannot save screenshot '../escape': use letters, digits, '.', '_' and '-' only");
  }

  private static void respond(HttpExchange exchange) throws IOException {
    String page;
    switch (exchange.getRequestURI().getPath()) {
      case "/clean":
        page = CLEAN;
        break;
      case "/broken":
        page = BROKEN;
        break;
      default:
        page = null;
    }
    byte[] body = (page == null ? "not found" : page).getBytes(StandardCharsets.UTF_8);
    exchange
        .getResponseHeaders()
        .set("Content-Type", page == null ? "text/plain" : "text/html; charset=utf-8");
    exchange.sendResponseHeaders(page == null ? 404 : 200, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
