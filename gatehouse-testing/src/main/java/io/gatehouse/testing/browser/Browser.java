package io.gatehouse.testing.browser;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium driven through ChromeDriver with a fresh temporary profile, deleted with the
 * browser on {@link #close()}; not thread-safe (one test thread drives it).
 */
public final class Browser implements AutoCloseable {
  /** The Chromium binary used unless the system property {@code gatehouse.chromium} names another. */
  public static final Path DEFAULT_CHROMIUM = Path.of("/usr/bin/chromium");
  /** The ChromeDriver binary used unless the system property {@code gatehouse.chromedriver} names another. */
  public static final Path DEFAULT_CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  /** How long {@link #waitUntil(String, Function)} waits before it fails (a deadline against hangs). */
  public static final Duration DEADLINE = Duration.ofSeconds(20);

  // Selenium warns on every start when it ships no DevTools bindings for this Chromium; the tests do not use them
  private static final java.util.logging.Logger CDP_LOG = quiet("org.openqa.selenium.devtools.CdpVersionFinder");

  private final ChromeDriver driver;
  private final Path profile;

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** The Chromium binary to run. */
  public static Path chromium() {
    return Path.of(System.getProperty("gatehouse.chromium", DEFAULT_CHROMIUM.toString()));
  }

  /** The ChromeDriver binary to run. */
  public static Path chromedriver() {
    return Path.of(System.getProperty("gatehouse.chromedriver", DEFAULT_CHROMEDRIVER.toString()));
  }

  /** Why no browser can be started here (a binary is missing), or empty when both binaries are executable. */
  public static Optional<String> unavailableReason() {
    for (Path p : new Path[] {chromium(), chromedriver()}) {
      if (!Files.isExecutable(p)) {
        return Optional.of("no executable " + p + " (install Debian's chromium and chromium-driver)");
      }
    }
    return Optional.empty();
  }

  /**
   * Starts a headless Chromium at a 1280x900 window with a fresh temporary profile.
   *
   * @throws IllegalStateException when a binary is missing ({@link #unavailableReason()})
   */
  public static Browser start() {
    unavailableReason().ifPresent(r -> {
      throw new IllegalStateException(r);
    });
    Path profile;
    try {
      profile = Files.createTempDirectory("gatehouse-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium().toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(chromedriver().toFile())
        .usingAnyFreePort()
        .build();
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(DEADLINE).scriptTimeout(DEADLINE);
      return new Browser(driver, profile);
    } catch (RuntimeException e) {
      service.stop();
      deleteTree(profile);
      throw e;
    }
  }

  /** The WebDriver. */
  public WebDriver driver() {
    return driver;
  }

  /** Opens {@code url} and returns the driver. */
  public WebDriver open(String url) {
    driver.get(requireNonNull(url, "url"));
    return driver;
  }

  /**
   * Returns the first non-null, non-false value of {@code condition}, polled until {@link #DEADLINE};
   * throws an {@link AssertionError} naming {@code what} after it.
   */
  public <T> T waitUntil(String what, Function<WebDriver, T> condition) {
    requireNonNull(what, "what");
    try {
      return new WebDriverWait(driver, DEADLINE, Duration.ofMillis(50)).withMessage(what).until(condition::apply);
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("still waiting after " + DEADLINE.toSeconds() + " s for " + what
          + " (at " + driver.getCurrentUrl() + ")", e);
    }
  }

  /** Quits the browser and its driver and deletes the temporary profile. */
  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      deleteTree(profile);
    }
  }

  private static java.util.logging.Logger quiet(String name) {
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(name);
    log.setLevel(java.util.logging.Level.SEVERE);
    return log;
  }

  private static void deleteTree(Path root) {
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          Files.deleteIfExists(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // Chromium may still be writing its profile while it exits; a temp directory left behind is harmless
    }
  }
}
