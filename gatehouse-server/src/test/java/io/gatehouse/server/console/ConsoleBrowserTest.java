package io.gatehouse.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.server.internal.ServeCommand;
import io.gatehouse.testing.Await;
import io.gatehouse.testing.GatehouseExtension;
import io.gatehouse.testing.MockUpstream;
import io.gatehouse.testing.browser.Axe;
import io.gatehouse.testing.browser.Browser;
import io.gatehouse.testing.browser.BrowserExtension;
import io.gatehouse.testing.browser.Screenshots;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import picocli.CommandLine;

/**
 * The admin console in real Chromium against a real {@code gatehouse serve} (gateway, management
 * listener, security monitor, analytics) started in-process: operator journeys, a reader's missing
 * write controls, accessibility of every page, and the screenshots of the documentation (the
 * headers without a browser: {@link ConsoleServeTest}).
 */
@ExtendWith(BrowserExtension.class)
class ConsoleBrowserTest {
  static final String TOKEN = "console-admin-token-0123456789";
  static final String OPS_PASSWORD = "operator password 0123";
  static final String READER_PASSWORD = "reader password 01234";
  static final String DEV_PASSWORD = "developer password 0123";
  static final String SECRET_VALUE = "s3cret-db-passw0rd-value";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  /** Where screenshots go: {@code -Dgatehouse.screenshots=../docs/images} refreshes the documentation's. */
  static final Path SHOTS = Path.of(System.getProperty("gatehouse.screenshots", "target/console-screenshots"));

  static Vertx vertx;
  static MockUpstream upstream;
  static ServeCommand.Running running;
  static Path data;
  static String console;

  @BeforeAll
  static void serve() throws Exception {
    BrowserExtension.requireAvailable();
    data = Files.createTempDirectory("gatehouse-console-test-");
    vertx = Vertx.vertx();
    upstream = MockUpstream.start(vertx).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs("--data", data.toString(), "--gateway-host", "127.0.0.1",
        "--allowed-backend-networks", String.join(",", GatehouseExtension.LOOPBACK_BACKENDS),
        "--gateway-port", "0", "--management-port", "0", "--drain-period", "0s",
        "--portal-host", "127.0.0.1", "--portal-port", "0", "--portal-developer-approval");
    try (io.gatehouse.control.SqliteConfigStore store = io.gatehouse.control.SqliteConfigStore.open(data)) {
      io.gatehouse.control.AdminTokens.bootstrap(store, data, TOKEN);
    }
    running = cmd.start(null, new PrintStream(new ByteArrayOutputStream()));
    console = "http://127.0.0.1:" + running.management().actualPort() + "/console/";
    String yaml = """
        backends:
          - {name: echo, url: %s}
        apis:
          - name: shop
            path: /shop
            backend: echo
            subscriptionRequired: false
            operations: ["GET /items/{id}", "GET /unused"]
            policies: {inbound: [{injection-protection: {action: detect}}]}
            inventory: {owner: team-shop, lifecycle: production, exposure: external, classification: confidential}
          - name: people
            path: /people
            backend: echo
            subscriptionRequired: false
            operations: ["GET /users/{id}"]
            inventory: {owner: team-people, lifecycle: testing, exposure: internal, classification: restricted}
          - name: vault
            path: /vault
            backend: echo
            operations: ["GET /things"]
        products:
          - {name: starter, apis: [shop]}
          - {name: gold, apis: [vault], published: true, approvalRequired: true, description: Keys after approval}
        subscriptions:
          - {name: acme, scope: "product:starter"}
        namedValues:
          - {name: region, value: eu-west}
          - {name: db-password, type: secret, value: %s}
        """.formatted(upstream.url(), SECRET_VALUE);
    assertThat(mgmt("PUT", "/api/v1/config", yaml, "application/yaml").statusCode()).isEqualTo(200);
    assertThat(mgmt("POST", "/api/v1/accounts",
        "{\"name\":\"ops\",\"password\":\"" + OPS_PASSWORD + "\",\"roles\":[\"admin\"]}", "application/json")
        .statusCode()).isEqualTo(201);
    assertThat(mgmt("POST", "/api/v1/accounts",
        "{\"name\":\"rita\",\"password\":\"" + READER_PASSWORD + "\",\"roles\":[\"reader\"]}", "application/json")
        .statusCode()).isEqualTo(201);
    for (int i = 0; i < 20; i++) {
      gateway("/shop/items/" + i);
      gateway("/people/users/" + i);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (running != null) {
      running.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (data != null) {
      try (var paths = Files.walk(data)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @AfterEach
  void signOut(Browser browser) {
    // each test signs in as its own principal
    ((JavascriptExecutor) browser.driver()).executeScript("sessionStorage.clear();");
  }

  @Test
  void operatorEditsAnApisPoliciesSeesTheErrorAtItsLineFixesItAndApplies(Browser browser) throws Exception {
    WebDriver d = signInWithAccount(browser, "ops", OPS_PASSWORD);
    d.get(console + "#/apis/shop");
    WebElement area = browser.waitUntil("the YAML editor", x -> x.findElement(By.id("api-yaml")));
    String yaml = area.getAttribute("value");
    assertThat(yaml).contains("injection-protection");
    // a rate-limit with a negative number of calls: valid YAML, invalid policy configuration
    String broken = yaml.replace("    - injection-protection:", "    - rate-limit:\n        calls: many\n        period: 1m\n    - injection-protection:");
    int badLine = lineOf(broken, "calls: many");
    setText(d, area, broken);
    d.findElement(By.id("validate")).click();
    WebElement problem = browser.waitUntil("a problem listed at its line",
        x -> x.findElements(By.cssSelector("#editor-problems button.problem")).stream().findFirst().orElse(null));
    assertThat(problem.getText()).startsWith("Line ");
    int shown = Integer.parseInt(problem.getAttribute("data-line"));
    assertThat(shown).as(problem.getText() + " in\n" + broken).isBetween(badLine - 1, badLine);
    assertThat(d.findElements(By.cssSelector(".gutter span.bad"))).isNotEmpty();
    assertThat(problem.getText()).contains("expected a whole number");
    assertThat(mgmtJson("/api/v1/apis/shop").toString()).doesNotContain("rate-limit"); // nothing applied
    ((JavascriptExecutor) d).executeScript("document.getElementById('editor-help').scrollIntoView();");
    Screenshots.save(d, SHOTS.resolve("console-api-editor.png"));
    assertThat(Axe.seriousViolations(d)).as("editor showing problems").isEmpty();

    setText(d, area, broken.replace("calls: many", "calls: 50"));
    d.findElement(By.id("apply")).click();
    WebElement applied = browser.waitUntil("the applied revision", x -> x.findElement(By.id("applied")));
    assertThat(applied.getText()).startsWith("Applied as revision");
    JsonNode api = mgmtJson("/api/v1/apis/shop");
    assertThat(api.at("/policies/inbound/0/rate-limit/calls").asInt()).isEqualTo(50);
    assertThat(api.at("/policies/inbound/1").has("injection-protection")).isTrue();
  }

  @Test
  void operatorImportsAnApiFromOpenApiSeesARefusedDocumentsProblemAndDeletesTheApi(Browser browser) throws Exception {
    WebDriver d = signInWithAccount(browser, "ops", OPS_PASSWORD);
    d.get(console + "#/apis");
    WebElement form = browser.waitUntil("the import form", x -> x.findElement(By.id("import-api")));
    d.findElement(By.id("import-name")).sendKeys("catalog");
    d.findElement(By.id("import-path")).sendKeys("/catalog");
    // a JSON document cut short: the management API refuses it, naming where it stops
    setText(d, d.findElement(By.id("import-document")), "{\"openapi\": \"3.0.3\",\n \"paths\": {\"/items\": ");
    form.findElement(By.id("import-submit")).click();
    WebElement refused = browser.waitUntil("the refusal", x -> x.findElement(By.cssSelector("#import-result .error")));
    assertThat(refused.getText()).contains("JSON");
    assertThat(mgmt("GET", "/api/v1/apis/catalog", "", "application/json").statusCode()).isEqualTo(404);

    setText(d, d.findElement(By.id("import-document")), "openapi: 3.0.3\ninfo: {title: catalog, version: '1'}\n"
        + "paths:\n  /items:\n    get: {responses: {'200': {description: ok}}}\n"
        + "    post: {responses: {'201': {description: created}}}\n"
        + "  /items/{id}:\n    get: {parameters: [{name: id, in: path, required: true, schema: {type: string}}],"
        + " responses: {'200': {description: ok}}}\n");
    d.findElement(By.id("import-submit")).click();
    browser.waitUntil("the imported API's page", x -> x.getCurrentUrl().endsWith("#/apis/catalog") ? true : null);
    JsonNode api = mgmtJson("/api/v1/apis/catalog");
    assertThat(api.get("path").asText()).isEqualTo("/catalog");
    assertThat(api.get("operations").toString()).contains("GET /items", "POST /items", "GET /items/{id}");
    assertThat(gateway("/catalog/items").statusCode()).as("routed: a subscription key is required").isEqualTo(401);

    browser.waitUntil("the delete control", x -> x.findElement(By.id("delete-api"))).click();
    d.switchTo().alert().accept();
    browser.waitUntil("back on the list", x -> x.getCurrentUrl().endsWith("#/apis") ? true : null);
    assertThat(mgmt("GET", "/api/v1/apis/catalog", "", "application/json").statusCode()).isEqualTo(404);
    assertThat(gateway("/catalog/items").statusCode()).isEqualTo(404);
  }

  @Test
  void operatorRollsARevisionBack(Browser browser) throws Exception {
    int before = mgmtJson("/api/v1/revisions?limit=1").get("current").asInt();
    JsonNode people = mgmtJson("/api/v1/apis/people");
    String changed = people.toString().replace("\"/people\"", "\"/persons\"");
    assertThat(mgmt("PUT", "/api/v1/apis/people", changed, "application/json").statusCode()).isEqualTo(200);
    assertThat(mgmtJson("/api/v1/apis/people").get("path").asText()).isEqualTo("/persons");

    WebDriver d = signInWithAccount(browser, "ops", OPS_PASSWORD);
    d.get(console + "#/revisions");
    waitReady(browser, "revisions");
    WebElement rollback = browser.waitUntil("the rollback button of revision " + before,
        x -> x.findElement(By.cssSelector("button[data-rollback='" + before + "']")));
    assertThat(d.findElement(By.id("diff")).getText()).contains("/apis/people/path", "/persons");
    rollback.click();
    browser.waitUntil("the confirmation", x -> x.switchTo().alert()).accept();
    browser.waitUntil("the rollback's confirmation", x -> x.findElement(By.id("rollback-status")).getText()
        .startsWith("Rolled back"));
    assertThat(mgmtJson("/api/v1/apis/people").get("path").asText()).isEqualTo("/people");
    JsonNode latest = mgmtJson("/api/v1/revisions?limit=1").get("items").get(0);
    assertThat(latest.get("source").asText()).isEqualTo("rollback");
  }

  @Test
  void operatorSeesAnAlertAfterAnInjectionAttemptThroughTheGateway(Browser browser) throws Exception {
    assertThat(gateway("/shop/items/1?q=1%27%20UNION%20SELECT%20password%20FROM%20users--").statusCode()).isEqualTo(200);
    Await.until("the injection alert", () -> mgmtJson("/api/v1/security/alerts").get("items")
        .findValuesAsText("detector").contains("injection"));
    WebDriver d = signInWithAccount(browser, "ops", OPS_PASSWORD);
    d.get(console + "#/security");
    browser.waitUntil("the security page", x -> "security".equals(x.findElement(By.id("main")).getAttribute("data-ready")));
    String alerts = d.findElement(By.cssSelector("section[aria-label='Alerts']")).getText();
    assertThat(alerts).contains("injection", "shop");
  }

  @Test
  void readerSeesNoWriteControlsAndTheApiRefusesItsWritesAnyway(Browser browser) throws Exception {
    WebDriver d = signInWithAccount(browser, "rita", READER_PASSWORD);
    assertThat(d.findElements(By.cssSelector("nav a[data-page='audit']"))).isEmpty(); // no audit:read
    d.get(console + "#/subscriptions");
    waitReady(browser, "subscriptions");
    assertThat(d.findElement(By.id("main")).getText()).contains("acme");
    assertThat(d.findElements(By.cssSelector("main button"))).isEmpty();
    d.get(console + "#/revisions");
    waitReady(browser, "revisions");
    assertThat(d.findElements(By.cssSelector("button[data-rollback]"))).isEmpty();
    d.get(console + "#/apis/shop");
    WebElement area = browser.waitUntil("the YAML editor", x -> x.findElement(By.id("api-yaml")));
    assertThat(area.getAttribute("readonly")).isNotNull();
    assertThat(d.findElements(By.id("apply"))).isEmpty();
    assertThat(d.findElements(By.id("delete-api"))).isEmpty();
    d.get(console + "#/apis");
    waitReady(browser, "apis");
    assertThat(d.findElements(By.id("import-api"))).isEmpty();
    d.get(console + "#/named-values");
    waitReady(browser, "named-values");
    assertThat(d.findElements(By.cssSelector("main button"))).isEmpty();

    // the console's own session, used directly: the management API refuses the write with 403
    Object status = ((JavascriptExecutor) d).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        fetch('/api/v1/revisions/1/rollback', {method: 'POST',
          headers: {'Authorization': 'Bearer ' + sessionStorage.getItem('gatehouse.console.token')}})
          .then(r => done(r.status), e => done(String(e)));""");
    assertThat(status).isEqualTo(403L);
    Object put = ((JavascriptExecutor) d).executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        fetch('/api/v1/subscriptions/acme', {method: 'PUT', body: JSON.stringify({scope: 'product:starter', state: 'suspended'}),
          headers: {'Content-Type': 'application/json',
                    'Authorization': 'Bearer ' + sessionStorage.getItem('gatehouse.console.token')}})
          .then(r => done(r.status), e => done(String(e)));""");
    assertThat(put).isEqualTo(403L);
    assertThat(mgmtJson("/api/v1/subscriptions/acme").get("state").asText()).isEqualTo("active");
  }

  @Test
  void operatorApprovesAPendingDeveloperWhoThenSignsIn(Browser browser) throws Exception {
    String email = "pat@example.com";
    assertThat(portal("POST", "/portal/api/v1/signup", signUpBody(email), null).statusCode()).isEqualTo(202);
    assertThat(portalSignIn(email).statusCode()).as("a pending developer cannot sign in").isEqualTo(403);

    WebDriver d = signInWithAccount(browser, "ops", OPS_PASSWORD);
    d.get(console + "#/developers");
    waitReady(browser, "developers");
    assertThat(developerRow(d, email).getText()).contains("pending");
    developerRow(d, email).findElement(By.xpath(".//button[text()='Approve']")).click();
    browser.waitUntil("the developer shown as active", x -> developerRow(x, email).getText().contains("active"));
    assertThat(developerRow(d, email).findElements(By.xpath(".//button[text()='Approve']"))).isEmpty();
    assertThat(portalSignIn(email).statusCode()).isEqualTo(200);
  }

  @Test
  void operatorBlocksADeveloperWhoThenCannotSignInAndWhoseSubscriptionIsSuspended(Browser browser) throws Exception {
    String email = "mallory@example.com";
    Dev dev = approvedDeveloper(email);
    HttpResponse<String> sub = portal("POST", "/portal/api/v1/subscriptions", "{\"product\":\"gold\"}", dev);
    assertThat(sub.statusCode()).as(sub.body()).isEqualTo(201);
    String name = JSON.readTree(sub.body()).get("name").asText();

    WebDriver d = signInWithAccount(browser, "ops", OPS_PASSWORD);
    d.get(console + "#/developers");
    waitReady(browser, "developers");
    assertThat(developerRow(d, email).getText()).contains("active", name);
    developerRow(d, email).findElement(By.xpath(".//button[text()='Block']")).click();
    browser.waitUntil("the developer shown as blocked", x -> developerRow(x, email).getText().contains("blocked"));
    assertThat(portalSignIn(email).statusCode()).isEqualTo(403);
    assertThat(portal("GET", "/portal/api/v1/subscriptions", null, dev).statusCode())
        .as("the blocked developer's session").isEqualTo(401);
    assertThat(mgmtJson("/api/v1/subscriptions/" + name).get("state").asText()).isEqualTo("suspended");
  }

  @Test
  void operatorApprovesAPendingSubscriptionAndTheDevelopersKeyThenGets200(Browser browser) throws Exception {
    Dev dev = approvedDeveloper("dana@example.com");
    HttpResponse<String> sub = portal("POST", "/portal/api/v1/subscriptions", "{\"product\":\"gold\"}", dev);
    assertThat(sub.statusCode()).as(sub.body()).isEqualTo(201);
    JsonNode created = JSON.readTree(sub.body());
    String name = created.get("name").asText();
    String key = created.get("primaryKey").asText();
    assertThat(created.get("state").asText()).isEqualTo("pending");
    Await.until("the pending subscription compiled",
        () -> running.gateway().revision() == running.plane().revision().id());
    assertThat(gateway("/vault/things", key).statusCode()).as("a pending key").isEqualTo(403);

    WebDriver d = signInWithAccount(browser, "ops", OPS_PASSWORD);
    d.get(console + "#/subscriptions");
    waitReady(browser, "subscriptions");
    WebElement row = rowWith(d, name);
    assertThat(row.getText()).contains("pending", "product:gold", "dana@example.com");
    row.findElement(By.xpath(".//button[text()='Approve']")).click();
    browser.waitUntil("the subscription shown as active", x -> rowWith(x, name).getText().contains("active"));
    assertThat(JSON.readTree(portal("GET", "/portal/api/v1/subscriptions", null, dev).body()).toString())
        .contains("\"state\":\"active\"");
    Await.until("the approved key accepted at the gateway", () -> statusWithKey("/vault/things", key) == 200);
  }

  @Test
  void secretNamedValueIsNeverShownAndOnlyTheRevealPermissionShowsTheRevealControl(Browser browser) throws Exception {
    // admin (ops) lacks secrets:reveal: the secret shows as (secret), with no Reveal control
    WebDriver d = signInWithAccount(browser, "ops", OPS_PASSWORD);
    d.get(console + "#/named-values");
    waitReady(browser, "named-values");
    assertThat(rowWith(d, "db-password").getText()).contains("(secret)").doesNotContain(SECRET_VALUE);
    assertThat(d.findElements(By.xpath("//main//button[text()='Reveal']"))).isEmpty();
    assertThat(d.getPageSource()).doesNotContain(SECRET_VALUE);
    assertThat(rowWith(d, "region").getText()).contains("eu-west");
    d.findElement(By.id("signout")).click();
    browser.waitUntil("the sign-in form after signing out", x -> x.findElement(By.id("token-form")));
    assertThat(((JavascriptExecutor) d).executeScript("return sessionStorage.getItem('gatehouse.console.token');"))
        .isNull();

    // the owner's admin token holds secrets:reveal: the value still is not on the page until Reveal
    d = signInWithToken(browser);
    d.get(console + "#/named-values");
    waitReady(browser, "named-values");
    WebElement row = rowWith(d, "db-password");
    assertThat(row.getText()).contains("(secret)");
    assertThat(d.getPageSource()).doesNotContain(SECRET_VALUE);
    row.findElement(By.xpath(".//button[text()='Reveal']")).click();
    browser.waitUntil("the revealed value", x -> rowWith(x, "db-password").getText().contains(SECRET_VALUE));
    JsonNode audit = mgmtJson("/api/v1/audit?entity=named-values/db-password");
    assertThat(audit.get("items").findValuesAsText("action")).contains("postNamedValuesByNameReveal");
    assertThat(audit.toString()).doesNotContain(SECRET_VALUE);
  }

  @Test
  void everyPageHasNoSeriousOrCriticalAxeViolationAndIsCapturedForTheDocs(Browser browser) throws Exception {
    WebDriver d = browser.open(console);
    browser.waitUntil("the sign-in form", x -> x.findElement(By.id("token-form")));
    assertThat(Axe.seriousViolations(d)).as("sign-in page").isEmpty();
    Screenshots.save(d, SHOTS.resolve("console-signin.png"));
    Await.until("analytics flushed", () -> mgmtJson("/api/v1/analytics?groupBy=api").get("items").size() >= 2);
    d.findElement(By.id("token-value")).sendKeys(TOKEN);
    d.findElement(By.id("token-submit")).click();
    waitReady(browser, "dashboard");
    List<String> pages = d.findElements(By.cssSelector("nav a[data-page]")).stream()
        .map(a -> a.getAttribute("data-page")).toList();
    assertThat(pages).contains("dashboard", "apis", "revisions", "products", "subscriptions", "backends",
        "named-values", "certificates", "security", "audit", "users");
    Map<String, String> shots = Map.of("dashboard", "console-dashboard.png", "apis", "console-apis.png",
        "security", "console-security.png", "revisions", "console-revisions.png", "backends", "console-backends.png");
    for (String page : pages) {
      d.get(console + "#/" + page);
      waitReady(browser, page);
      assertThat(Axe.seriousViolations(d)).as("page " + page).isEmpty();
      if (shots.containsKey(page)) {
        Screenshots.save(d, SHOTS.resolve(shots.get(page)));
      }
    }
    d.get(console + "#/apis/shop");
    waitReady(browser, "apis");
    assertThat(Axe.seriousViolations(d)).as("API detail").isEmpty();
    d.get(console + "#/audit?actor=admin");
    waitReady(browser, "audit");
    List<String> actors = d.findElements(By.cssSelector("table tbody td:nth-child(2)")).stream()
        .map(WebElement::getText).toList();
    assertThat(actors).isNotEmpty().containsOnly("admin");
    assertThat(Axe.seriousViolations(d)).as("filtered audit log").isEmpty();
    // every resource the console loaded came from Gatehouse itself
    Object foreign = ((JavascriptExecutor) d).executeScript("return performance.getEntriesByType('resource')"
        + ".map(e => e.name).filter(n => !n.startsWith(location.origin));");
    assertThat((List<?>) foreign).isEmpty();
  }

  @Test
  void dashboardDrawsChartsFromTheBundledChartJsUnderTheCsp(Browser browser) throws Exception {
    Await.until("analytics flushed", () -> mgmtJson("/api/v1/analytics?groupBy=api").get("items").size() >= 2);
    WebDriver d = signInWithToken(browser);
    waitReady(browser, "dashboard");
    assertThat(d.findElement(By.id("main")).getText()).contains("shop", "people", "p95");
    Object charts = ((JavascriptExecutor) d).executeScript(
        "return typeof Chart === 'function' ? Object.keys(Chart.instances).length : -1;");
    assertThat(((Number) charts).intValue()).isEqualTo(3);
  }

  // ---------------------------------------------------------------- helpers

  /** A signed-in portal developer: its session cookie and CSRF token. */
  record Dev(String cookie, String csrf) {}

  static String portalOrigin() {
    return "http://127.0.0.1:" + running.portal().actualPort();
  }

  static String signUpBody(String email) {
    return "{\"email\":\"" + email + "\",\"password\":\"" + DEV_PASSWORD + "\",\"name\":\"Dev\"}";
  }

  static HttpResponse<String> portalSignIn(String email) throws Exception {
    return portal("POST", "/portal/api/v1/signin",
        "{\"email\":\"" + email + "\",\"password\":\"" + DEV_PASSWORD + "\"}", null);
  }

  /** Signs {@code email} up on the portal, approves it through the management API, and signs it in. */
  static Dev approvedDeveloper(String email) throws Exception {
    assertThat(portal("POST", "/portal/api/v1/signup", signUpBody(email), null).statusCode()).isEqualTo(202);
    String id = null;
    for (JsonNode dev : mgmtJson("/api/v1/developers").get("items")) {
      if (dev.get("email").asText().equals(email)) {
        id = dev.get("id").asText();
      }
    }
    assertThat(id).as("developer " + email).isNotNull();
    assertThat(mgmt("POST", "/api/v1/developers/" + id + "/approve", "", "application/json").statusCode()).isEqualTo(200);
    HttpResponse<String> r = portalSignIn(email);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String cookie = r.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
    return new Dev(cookie, JSON.readTree(r.body()).get("csrfToken").asText());
  }

  static HttpResponse<String> portal(String method, String path, String body, Dev dev) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(portalOrigin() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .header("Origin", portalOrigin()).timeout(Duration.ofSeconds(10));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (dev != null) {
      b.header("Cookie", dev.cookie()).header("X-CSRF-Token", dev.csrf());
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static WebElement developerRow(WebDriver d, String email) {
    return rowWith(d, email);
  }

  /** The table row of the main area whose first cell is {@code text}. */
  static WebElement rowWith(WebDriver d, String text) {
    return d.findElement(By.xpath("//main//tr[td[1][normalize-space()='" + text + "']]"));
  }

  static int statusWithKey(String path, String key) {
    try {
      return gateway(path, key).statusCode();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static HttpResponse<String> gateway(String path, String key) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.gateway().port() + path))
        .header("Subscription-Key", key).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static WebDriver signInWithAccount(Browser browser, String name, String password) {
    WebDriver d = browser.open(console + "#/signin");
    browser.waitUntil("the sign-in form", x -> x.findElement(By.id("account-form")));
    d.findElement(By.id("account-name")).sendKeys(name);
    d.findElement(By.id("account-password")).sendKeys(password);
    d.findElement(By.id("account-submit")).click();
    browser.waitUntil("signed in as " + name, x -> x.findElement(By.id("who")).getText().contains(name));
    return d;
  }

  static WebDriver signInWithToken(Browser browser) {
    WebDriver d = browser.open(console + "#/signin");
    browser.waitUntil("the sign-in form", x -> x.findElement(By.id("token-form")));
    d.findElement(By.id("token-value")).sendKeys(TOKEN);
    d.findElement(By.id("token-submit")).click();
    browser.waitUntil("signed in", x -> x.findElement(By.id("who")).getText().contains("admin"));
    return d;
  }

  static void waitReady(Browser browser, String page) {
    browser.waitUntil("page " + page + " rendered",
        x -> page.equals(x.findElement(By.id("main")).getAttribute("data-ready")));
  }

  static void setText(WebDriver d, WebElement area, String text) {
    ((JavascriptExecutor) d).executeScript(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", area, text);
    area.sendKeys(Keys.END);
  }

  static int lineOf(String text, String needle) {
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(needle)) {
        return i + 1;
      }
    }
    throw new AssertionError("no line with " + needle);
  }

  static HttpResponse<String> gateway(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.gateway().port() + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> mgmt(String method, String path, String body, String type) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.management().actualPort() + path))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", type)
        .method(method, HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static JsonNode mgmtJson(String path) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + running.management().actualPort() + path))
          .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      return JSON.readTree(r.body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
