package dev.quiver.server.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Chromium driven through ChromeDriver, for the web console's tests: opens pages, reports
 * what the browser logged as an error, saves full-page screenshots under {@code
 * target/console-screenshots}. Only Debian's {@code /usr/bin/chromium} and {@code
 * /usr/bin/chromedriver} are used: both paths are given to Selenium, so Selenium Manager never runs
 * and nothing is downloaded. Outside CI a missing binary skips the calling tests with the reason;
 * with {@code CI=true} it fails them. Starting one takes one to two seconds, so a test class shares
 * one (start it in {@code @BeforeAll}, close it in {@code @AfterAll}).
 */
public final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /**
   * Selenium's versioned DevTools modules are not on the classpath: screenshots go through
   * ChromeDriver's own CDP endpoint. Held here so the level set on it stays set.
   */
  private static final Logger CDP_VERSION_FINDER =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  /** Numbers each browser's ChromeDriver log, so two browsers open at once keep theirs apart. */
  private static final AtomicInteger STARTED = new AtomicInteger();

  private static final int WIDTH = 1280;
  private static final int HEIGHT = 900;

  private final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts a headless browser with a fresh profile. Call from {@code @BeforeAll}. */
  public static Browser start() {
    for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(binary)) {
        String reason =
            "Cannot drive a browser: "
                + binary
                + " is missing (apt-get install chromium chromium-driver)";
        if ("true".equals(System.getenv("CI"))) {
          throw new IllegalStateException(reason);
        }
        System.err.println(reason);
        Assumptions.abort(reason);
      }
    }
    // Its "Unable to find CDP implementation matching <version>" warning is expected (see above).
    CDP_VERSION_FINDER.setLevel(Level.SEVERE);
    Path profile;
    try {
      profile = Files.createTempDirectory("quiver-chromium-profile");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create Chromium's profile directory", e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--user-data-dir=" + profile,
        "--window-size=" + WIDTH + "," + HEIGHT);
    LoggingPreferences logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logging);
    // An explicit driver executable and browser binary: Selenium Manager is only asked when one of
    // them is unknown.
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withLogFile(
                targetDir().resolve("chromedriver-" + STARTED.incrementAndGet() + ".log").toFile())
            .build();
    ChromeDriver driver;
    try {
      driver = new ChromeDriver(service, options);
    } catch (RuntimeException e) {
      deleteRecursively(profile);
      throw e;
    }
    driver.manage().window().setSize(new Dimension(WIDTH, HEIGHT));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return new Browser(driver, profile);
  }

  public WebDriver driver() {
    return driver;
  }

  /** Loads {@code url} and returns once the page's load event has fired. */
  public void open(String url) {
    driver.get(url);
  }

  /**
   * Every message the browser logged at SEVERE level since the last call: {@code console.error}
   * calls, uncaught exceptions and failed resource loads (a 404 image or favicon among them).
   */
  public List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .collect(Collectors.toList());
  }

  /**
   * Saves the whole page, not only the visible part, as {@code
   * target/console-screenshots/<name>.png} and returns its path.
   */
  public Path screenshot(String name) {
    if (!name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "Cannot save screenshot '" + name + "': use letters, digits, '.', '_' and '-' only");
    }
    // The page's full size, then one capture of that area past the viewport's edge.
    Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
    @SuppressWarnings("unchecked")
    Map<String, Object> content = (Map<String, Object>) metrics.get("cssContentSize");
    double width = ((Number) content.get("width")).doubleValue();
    double height = ((Number) content.get("height")).doubleValue();
    Map<String, Object> shot =
        driver.executeCdpCommand(
            "Page.captureScreenshot",
            Map.of(
                "format",
                "png",
                "captureBeyondViewport",
                true,
                "clip",
                Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
    Path file = targetDir().resolve("console-screenshots").resolve(name + ".png");
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot save screenshot " + file, e);
    }
    return file;
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      deleteRecursively(profile);
    }
  }

  /**
   * The module's {@code target} directory: the parent of the folder the test classes were loaded
   * from, whatever the working directory is.
   */
  static Path targetDir() {
    try {
      Path classes =
          Path.of(Browser.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return classes.getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Cannot locate the test classes' directory", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // Chromium may still be writing its profile while it exits; a leftover temp folder is
      // harmless.
      System.err.println("Cannot delete Chromium's profile " + dir + ": " + e.getMessage());
    }
  }
}
