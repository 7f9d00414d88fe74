package io.gatehouse.testing.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

@ExtendWith(BrowserExtension.class)
class BrowserHarnessTest {
  private static final String GOOD = "<!doctype html><html lang=\"en\"><head><title>Good</title></head>"
      + "<body><main><h1>Hello</h1><img src=\"data:,\" alt=\"a dot\"><p id=\"p\">text</p></main></body></html>";
  // an image without alt text (critical) and a form field without a label (critical)
  private static final String BAD = "<!doctype html><html lang=\"en\"><head><title>Bad</title></head>"
      + "<body><main><h1>Hello</h1><img src=\"data:,\"><input type=\"text\"></main></body></html>";
  private static HttpServer server;
  private static String base;

  @BeforeAll
  static void serve() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      byte[] body = (ex.getRequestURI().getPath().equals("/bad") ? BAD : GOOD).getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      ex.getResponseHeaders().add("Content-Security-Policy", "default-src 'self'; script-src 'self'; img-src 'self' data:");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  @Test
  void drivesHeadlessChromiumToALocalPage(Browser browser) {
    browser.open(base + "/good");
    assertThat(browser.waitUntil("the paragraph", d -> d.findElement(By.id("p"))).getText()).isEqualTo("text");
    assertThat(browser.driver().getTitle()).isEqualTo("Good");
  }

  @Test
  void axeReportsNoSeriousViolationOnAnAccessiblePageDespiteItsCsp(Browser browser) {
    browser.open(base + "/good");
    assertThat(Axe.seriousViolations(browser.driver())).isEmpty();
  }

  @Test
  void axeReportsMissingAltTextAndLabelAsSeriousViolations(Browser browser) {
    browser.open(base + "/bad");
    List<AxeViolation> found = Axe.seriousViolations(browser.driver());
    assertThat(found).extracting(AxeViolation::id).contains("image-alt", "label");
    assertThat(found).allSatisfy(v -> assertThat(v.impact()).isIn("serious", "critical"));
  }

  @Test
  void screenshotWritesAPngFile(Browser browser, @TempDir Path dir) throws IOException {
    browser.open(base + "/good");
    Path png = Screenshots.save(browser.driver(), dir.resolve("shots/good.png"));
    byte[] head = Arrays.copyOf(Files.readAllBytes(png), 8);
    assertThat(head).containsExactly(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
  }
}
