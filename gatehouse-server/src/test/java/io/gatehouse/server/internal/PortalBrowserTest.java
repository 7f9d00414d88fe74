package io.gatehouse.server.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.model.ApiDef;
import io.gatehouse.model.OpenApiSource;
import io.gatehouse.model.ProductDef;
import io.gatehouse.testing.browser.Axe;
import io.gatehouse.testing.browser.Browser;
import io.gatehouse.testing.browser.BrowserExtension;
import io.gatehouse.testing.browser.Screenshots;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import picocli.CommandLine;

/**
 * Developer journeys through the portal in headless Chromium against {@code serve --demo}: sign up,
 * sign in, browse, subscribe, see the key once, call the API from Try it through the real gateway,
 * regenerate (the old key then gets 401); an OpenAPI description with script and a
 * {@code javascript:} link renders inert; axe-core finds no serious violation. Screenshots go to
 * {@code target/screenshots}, or to the directory named by the system property
 * {@code gatehouse.screenshots} (the documentation's images are made that way).
 */
@ExtendWith(BrowserExtension.class)
class PortalBrowserTest {
  static final String PASSWORD = "a long enough password";
  static final String EVIL_SPEC = """
      openapi: 3.0.3
      info:
        title: Evil API
        version: "1"
        description: "<script>alert('owned')</script> <img src=x onerror=alert(2)>"
      paths:
        /hello:
          get:
            summary: Hello
            description: |
              Read [click me](javascript:alert(3)) first.

              <b onmouseover=alert(4)>bold</b>
            responses:
              "200": {description: ok}
      """;

  @TempDir Path dir;
  ServeCommand.Running running;

  @BeforeEach
  void serve() throws Exception {
    BrowserExtension.requireAvailable();
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", dir.resolve("data").toString(), "--gateway-host", "127.0.0.1",
        "--gateway-port", "0", "--management-port", "0", "--portal-host", "127.0.0.1", "--portal-port", "0",
        "--drain-period", "0s", "--no-access-log", "--demo");
    running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()));
  }

  @AfterEach
  void stop() throws Exception {
    if (running != null) {
      running.close();
    }
  }

  String portal() {
    return "http://127.0.0.1:" + running.portal().actualPort();
  }

  static Path shots() {
    String dir = System.getProperty("gatehouse.screenshots");
    return dir == null ? Path.of("target", "screenshots") : Path.of(dir);
  }

  static void fill(WebDriver d, String id, String value) {
    WebElement e = d.findElement(By.id(id));
    e.clear();
    e.sendKeys(value);
  }

  void signUpAndIn(Browser browser, String email) {
    WebDriver d = browser.open(portal() + "/signup");
    browser.waitUntil("the sign-up form", x -> x.findElement(By.id("f-email")));
    fill(d, "f-name", "Dev");
    fill(d, "f-email", email);
    fill(d, "f-password", PASSWORD);
    d.findElement(By.cssSelector("button[type=submit]")).click();
    browser.waitUntil("the sign-up answer", x -> x.findElement(By.cssSelector("p.notice")).getText().contains("Thank you"));
    d.get(portal() + "/signin");
    browser.waitUntil("the sign-in form", x -> x.findElement(By.id("f-email")));
    fill(d, "f-email", email);
    fill(d, "f-password", PASSWORD);
    d.findElement(By.cssSelector("button[type=submit]")).click();
    browser.waitUntil("the account page", x -> x.getCurrentUrl().endsWith("/account")
        && x.findElement(By.tagName("h1")).getText().equals("My subscriptions"));
  }

  static String tryIt(Browser browser, String key) {
    WebDriver d = browser.driver();
    fill(d, "try-key", key);
    WebElement op = d.findElement(By.cssSelector("[data-operation='GET /hello']"));
    op.findElement(By.xpath(".//button[text()='Try it']")).click();
    return browser.waitUntil("the Try it answer", x -> {
      String status = op.findElement(By.cssSelector(".try-result")).getAttribute("data-status");
      return status == null || status.isEmpty() ? null : status;
    });
  }

  @Test
  void aDeveloperSubscribesCallsTheApiFromTryItAndRegeneratesTheKey(Browser browser) {
    signUpAndIn(browser, "dev@example.com");
    WebDriver d = browser.driver();
    List<String> violations = new ArrayList<>();
    violations.addAll(Axe.seriousViolations(d).stream().map(v -> "/account: " + v).toList());

    d.get(portal() + "/");
    WebElement card = browser.waitUntil("the demo product", x -> x.findElement(By.cssSelector("[data-product='"
        + Demo.PRODUCT + "']")));
    violations.addAll(Axe.seriousViolations(d).stream().map(v -> "/: " + v).toList());
    Screenshots.save(d, shots().resolve("portal-catalogue.png"));
    card.findElement(By.xpath(".//button[text()='Subscribe']")).click();
    String key = browser.waitUntil("the key shown once", x -> x.findElement(By.cssSelector("code[data-key=primary]")))
        .getText();
    assertThat(key).isNotBlank();

    d.get(portal() + "/apis/demo");
    browser.waitUntil("the reference", x -> x.findElement(By.cssSelector("[data-operation='GET /hello']")));
    violations.addAll(Axe.seriousViolations(d).stream().map(v -> "/apis/demo: " + v).toList());
    assertThat(tryIt(browser, key)).as("Try it with the key through the gateway").isEqualTo("200");
    assertThat(d.findElement(By.cssSelector("[data-operation='GET /hello'] .try-result")).getText())
        .contains("Hello from the Gatehouse demo backend");
    Screenshots.save(d, shots().resolve("portal-reference.png"));

    d.get(portal() + "/account");
    WebElement sub = browser.waitUntil("the subscription", x -> x.findElement(By.cssSelector("[data-subscription]")));
    assertThat(d.getPageSource()).as("the key is never shown again").doesNotContain(key);
    sub.findElement(By.xpath(".//button[text()='Regenerate primary key']")).click();
    String fresh = browser.waitUntil("the new key", x -> x.findElement(By.cssSelector("code[data-key=primary]"))).getText();
    assertThat(fresh).isNotEqualTo(key);
    Screenshots.save(d, shots().resolve("portal-account.png"));

    d.get(portal() + "/apis/demo");
    browser.waitUntil("the reference", x -> x.findElement(By.cssSelector("[data-operation='GET /hello']")));
    assertThat(tryIt(browser, key)).as("the old key").isEqualTo("401");
    assertThat(tryIt(browser, fresh)).as("the new key").isEqualTo("200");
    for (String page : List.of("/signin", "/signup")) {
      d.get(portal() + page);
      browser.waitUntil(page, x -> x.findElement(By.id("f-email")));
      violations.addAll(Axe.seriousViolations(d).stream().map(v -> page + ": " + v).toList());
    }
    assertThat(violations).as("serious or critical axe-core violations").isEmpty();
  }

  @Test
  void aCatalogueOf500ApisRendersThemAll(Browser browser) {
    running.plane().update(cfg -> {
      List<ApiDef> apis = new ArrayList<>(cfg.apis());
      List<String> names = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        apis.add(ApiDef.of("api-" + i, "/api-" + i, Demo.BACKEND));
        names.add("api-" + i);
      }
      List<ProductDef> products = new ArrayList<>(cfg.products());
      products.add(new ProductDef("big", "Five hundred APIs", names, true, false, true));
      return cfg.withApis(apis).withProducts(products);
    }, "test", "500 APIs");
    WebDriver d = browser.open(portal() + "/");
    browser.waitUntil("501 APIs listed", x -> x.findElements(By.cssSelector("section[aria-label=APIs] li")).size() == 501);
    // a figure for the documentation, not a pass/fail threshold: navigation start to the list shown (polling included)
    Object millis = ((org.openqa.selenium.JavascriptExecutor) d).executeScript("return Math.round(performance.now())");
    System.out.println("portal catalogue with 501 APIs rendered within " + millis + " ms of navigation start");
  }

  @Test
  void aCrossSiteFormPostIsRefused(Browser browser) throws Exception {
    signUpAndIn(browser, "victim@example.com");
    String page = "<!doctype html><html lang=\"en\"><head><title>Win a prize</title></head><body>"
        + "<form id=\"f\" method=\"post\" enctype=\"text/plain\" action=\"" + portal() + "/portal/api/v1/subscriptions\">"
        + "<input type=\"hidden\" name='{\"product\":\"" + Demo.PRODUCT + "\",\"x\":\"' value='\"}'></form>"
        + "<script>document.getElementById('f').submit()</script></body></html>";
    com.sun.net.httpserver.HttpServer attacker = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    attacker.createContext("/", ex -> {
      byte[] body = page.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    attacker.start();
    try {
      WebDriver d = browser.open("http://127.0.0.1:" + attacker.getAddress().getPort() + "/");
      browser.waitUntil("the form's answer from the portal", x -> x.getCurrentUrl().startsWith(portal()));
      assertThat(d.getPageSource()).contains("cross-origin request refused");
      assertThat(running.plane().config().subscriptions()).noneMatch(sub -> sub.name().startsWith("portal-"));
    } finally {
      attacker.stop(0);
    }
  }

  @Test
  void scriptAndJavascriptLinksInAnOpenApiDescriptionAreInert(Browser browser) {
    running.plane().update(cfg -> {
      List<ApiDef> apis = new ArrayList<>(cfg.apis());
      apis.add(ApiDef.of("evil", "/evil", Demo.BACKEND).withOpenapi(OpenApiSource.inline(EVIL_SPEC)));
      List<ProductDef> products = new ArrayList<>(cfg.products());
      products.add(new ProductDef("evil-product", "<script>alert(5)</script>", List.of("evil"), true, false, true));
      return cfg.withApis(apis).withProducts(products);
    }, "test", "an API whose description carries script");
    WebDriver d = browser.open(portal() + "/apis/evil");
    browser.waitUntil("the reference", x -> x.findElement(By.cssSelector("[data-operation='GET /hello']")));
    d.get(portal() + "/");
    browser.waitUntil("the catalogue", x -> x.findElement(By.cssSelector("[data-product='evil-product']")));
    d.get(portal() + "/apis/evil");
    WebElement link = browser.waitUntil("the description's link", x -> x.findElement(By.linkText("click me")));
    assertThat(link.getAttribute("href")).satisfiesAnyOf(h -> assertThat(h).isNull(),
        h -> assertThat(h).doesNotContain("javascript"));
    link.click();
    assertThatThrownBy(() -> d.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    assertThat(d.findElements(By.cssSelector("main script, main img[src=x], main b[onmouseover]"))).isEmpty();
    assertThat(d.findElement(By.tagName("main")).getText()).contains("<script>alert('owned')</script>");
  }
}
