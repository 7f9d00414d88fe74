package io.gatehouse.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.gatehouse.control.AdminTokens;
import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.ManagementServer;
import io.gatehouse.control.SqliteConfigStore;
import io.gatehouse.control.analytics.Analytics;
import io.gatehouse.control.analytics.AnalyticsRetention;
import io.gatehouse.control.analytics.JdbcAnalyticsStore;
import io.gatehouse.control.analytics.TrafficSample;
import io.gatehouse.model.ApiDef;
import io.gatehouse.model.BackendDef;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.OpenApiSource;
import io.gatehouse.model.ProductDef;
import io.vertx.core.Vertx;
import jakarta.mail.internet.MimeMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The portal data API over real HTTP, with a real control plane and management API, a real SMTP
 * server (GreenMail) for the mailed links, and analytics in SQLite.
 */
class PortalApiTest {
  static final String ADMIN = "portal-test-admin-token-0123456789";
  static final String PASSWORD = "correct horse battery";
  static final ObjectMapper JSON = new ObjectMapper();
  static final String SPEC = """
      openapi: 3.0.3
      info:
        title: Orders API
        version: "1.2"
        description: "Orders. <script>alert('x')</script> [click](javascript:alert(1)) [docs](https://example.com/docs)"
      paths:
        /orders/{id}:
          get:
            operationId: getOrder
            summary: One order
            parameters:
              - name: id
                in: path
                required: true
                schema: {type: string}
                example: "42"
            responses:
              "200":
                description: The order
                content:
                  application/json:
                    schema: {$ref: '#/components/schemas/Order'}
                    example: {id: "42", status: shipped}
      components:
        schemas:
          Order:
            type: object
            properties:
              id: {type: string}
              status: {type: string}
      """;

  @TempDir Path dir;
  Vertx vertx;
  SqliteConfigStore store;
  ControlPlane plane;
  ManagementServer management;
  PortalServer portal;
  GreenMail mail;
  Analytics analytics;
  JdbcAnalyticsStore analyticsStore;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    mail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    mail.start();
    store = SqliteConfigStore.open(dir.resolve("data"));
    AdminTokens.bootstrap(store, dir.resolve("data"), ADMIN);
    plane = ControlPlane.over(store);
    plane.apply(GatewayConfig.EMPTY
        .withBackends(List.of(BackendDef.of("orders-backend", "http://127.0.0.1:9")))
        .withApis(List.of(ApiDef.of("orders", "/orders", "orders-backend").withOpenapi(OpenApiSource.inline(SPEC)),
            ApiDef.of("hidden", "/hidden", "orders-backend")))
        .withProducts(List.of(
            new ProductDef("open", "Open **product**", "Be *nice*.", List.of("orders"), true, false, true, null, null),
            new ProductDef("gold", "Needs approval", null, List.of("orders"), true, true, true, null, null),
            new ProductDef("secret", "Unpublished", null, List.of("hidden"), true, false, false, null, null))),
        "test", "setup");
    management = await(ManagementServer.start(vertx, "127.0.0.1", 0, plane));
    analyticsStore = JdbcAnalyticsStore.open(dir.resolve("data"));
    analytics = Analytics.manual(analyticsStore, AnalyticsRetention.DEFAULT);
    PortalOptions options = PortalOptions.listen("127.0.0.1", 0).withUrls(null, "http://127.0.0.1:8080")
        .withMail(URI.create("smtp://127.0.0.1:" + mail.getSmtp().getPort()), "portal@example.com");
    portal = await(PortalServer.start(vertx, options, plane, management.auditLog(), analytics));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    analytics.close();
    analyticsStore.close();
    store.close();
    mail.stop();
  }

  static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  // ---- plumbing ----

  String origin() {
    return "http://127.0.0.1:" + portal.actualPort();
  }

  HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(origin() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return send("POST", path, body, Map.of("Origin", origin()));
  }

  /** A signed-in developer: its cookie and CSRF token. */
  record Dev(String cookie, String csrf) {
    Map<String, String> headers(String origin) {
      Map<String, String> h = new LinkedHashMap<>();
      h.put("Cookie", cookie);
      h.put("X-CSRF-Token", csrf);
      h.put("Origin", origin);
      return h;
    }
  }

  static String cookieOf(HttpResponse<?> r) {
    String set = r.headers().firstValue("Set-Cookie").orElseThrow();
    return set.substring(0, set.indexOf(';'));
  }

  String verificationToken(String email) throws Exception {
    assertThat(mail.waitForIncomingEmail(10_000, 1)).as("a mail arrives").isTrue();
    for (MimeMessage m : mail.getReceivedMessages()) {
      if (m.getAllRecipients()[0].toString().equals(email)) {
        Matcher match = Pattern.compile("#token=([A-Za-z0-9_-]+)").matcher(GreenMailUtil.getBody(m));
        assertThat(match.find()).isTrue();
        return match.group(1);
      }
    }
    throw new AssertionError("no mail to " + email);
  }

  Dev signUpAndIn(String email) throws Exception {
    HttpResponse<String> r = post("/portal/api/v1/signup",
        "{\"email\":\"" + email + "\",\"password\":\"" + PASSWORD + "\",\"name\":\"Dev\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String token = verificationToken(email);
    mail.purgeEmailFromAllMailboxes();
    assertThat(post("/portal/api/v1/verify", "{\"token\":\"" + token + "\"}").statusCode()).isEqualTo(200);
    return signIn(email, PASSWORD);
  }

  Dev signIn(String email, String password) throws Exception {
    HttpResponse<String> r = post("/portal/api/v1/signin", "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return new Dev(cookieOf(r), JSON.readTree(r.body()).path("csrfToken").asText());
  }

  HttpResponse<String> mgmt(String method, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management.actualPort() + path))
        .header("Authorization", "Bearer " + ADMIN).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  // ---- accounts ----

  @Test
  void signUpNeedsTheMailedLinkOnceBeforeSignIn() throws Exception {
    post("/portal/api/v1/signup", "{\"email\":\"Ann@Example.com\",\"password\":\"" + PASSWORD + "\",\"name\":\"Ann\"}");
    String token = verificationToken("ann@example.com");
    HttpResponse<String> early = post("/portal/api/v1/signin", "{\"email\":\"ann@example.com\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(early.statusCode()).isEqualTo(403);
    assertThat(early.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(post("/portal/api/v1/verify", "{\"token\":\"" + token + "\"}").statusCode()).isEqualTo(200);
    HttpResponse<String> again = post("/portal/api/v1/verify", "{\"token\":\"" + token + "\"}");
    assertThat(again.statusCode()).isEqualTo(400);
    assertThat(again.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(signIn("ann@example.com", PASSWORD).csrf()).isNotBlank();
  }

  @Test
  void signUpAnswersAlikeForKnownAndUnknownEmails() throws Exception {
    signUpAndIn("known@example.com");
    String body = "{\"email\":\"%s\",\"password\":\"" + PASSWORD + "\",\"name\":\"X\"}";
    HttpResponse<String> known = post("/portal/api/v1/signup", body.formatted("known@example.com"));
    HttpResponse<String> unknown = post("/portal/api/v1/signup", body.formatted("fresh@example.com"));
    assertThat(known.statusCode()).isEqualTo(unknown.statusCode()).isEqualTo(202);
    assertThat(known.body()).isEqualTo(unknown.body());
  }

  @Test
  void signInAnswersAlikeForUnknownEmailsWrongPasswordsAndLockedAccounts() throws Exception {
    signUpAndIn("bob@example.com");
    HttpResponse<String> wrong = post("/portal/api/v1/signin", "{\"email\":\"bob@example.com\",\"password\":\"nope-nope-nope\"}");
    HttpResponse<String> unknown = post("/portal/api/v1/signin", "{\"email\":\"nobody@example.com\",\"password\":\"nope-nope-nope\"}");
    assertThat(wrong.statusCode()).isEqualTo(unknown.statusCode()).isEqualTo(401);
    assertThat(detail(wrong)).isEqualTo(detail(unknown));
    for (int i = 0; i < 5; i++) {
      post("/portal/api/v1/signin", "{\"email\":\"bob@example.com\",\"password\":\"nope-nope-nope\"}");
    }
    HttpResponse<String> locked = post("/portal/api/v1/signin", "{\"email\":\"bob@example.com\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(locked.statusCode()).isEqualTo(401);
    assertThat(detail(locked)).isEqualTo(detail(unknown));
  }

  @Test
  void manyFailedSignInsFromOneAddressGet429ButAValidPasswordIsStillAccepted() throws Exception {
    signUpAndIn("ray@example.com");
    HttpResponse<String> last = null;
    // one more failure than the limit within a minute is refused; the attempts may straddle the
    // start of a new minute, so at most twice that many are needed
    int limit = io.gatehouse.portal.internal.PortalRoutes.FAILED_SIGN_INS_PER_MINUTE;
    for (int i = 0; i < 2 * (limit + 1) && (last == null || last.statusCode() != 429); i++) {
      last = post("/portal/api/v1/signin", "{\"email\":\"nobody" + i + "@example.com\",\"password\":\"wrong-password\"}");
      assertThat(last.statusCode()).isIn(401, 429);
    }
    assertThat(last.statusCode()).isEqualTo(429);
    assertThat(last.headers().firstValue("Retry-After")).contains("60");
    assertThat(signIn("ray@example.com", PASSWORD).csrf()).isNotBlank();
  }

  @Test
  void signInSpendsAPasswordHashOnUnknownEmailsToo() throws Exception {
    signUpAndIn("carol@example.com");
    long known = medianNanos("carol@example.com");
    long unknown = medianNanos("nobody-here@example.com");
    // without the dummy hash an unknown email answers about a hundred times faster
    assertThat((double) unknown).as("unknown %d ns vs known %d ns", unknown, known).isGreaterThan(known * 0.3);
  }

  long medianNanos(String email) throws Exception {
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < 3; i++) { // below the lockout
      long t0 = System.nanoTime();
      post("/portal/api/v1/signin", "{\"email\":\"" + email + "\",\"password\":\"wrong-password-" + i + "\"}");
      times.add(System.nanoTime() - t0);
    }
    times.sort(null);
    return times.get(1);
  }

  @Test
  void passwordResetAnswersAlikeAndItsLinkWorksOnce() throws Exception {
    signUpAndIn("dora@example.com");
    HttpResponse<String> known = post("/portal/api/v1/password-reset", "{\"email\":\"dora@example.com\"}");
    HttpResponse<String> unknown = post("/portal/api/v1/password-reset", "{\"email\":\"nobody@example.com\"}");
    assertThat(known.statusCode()).isEqualTo(unknown.statusCode()).isEqualTo(202);
    assertThat(known.body()).isEqualTo(unknown.body());
    String token = verificationToken("dora@example.com");
    String body = "{\"token\":\"" + token + "\",\"password\":\"a brand new password\"}";
    assertThat(post("/portal/api/v1/password-reset/confirm", body).statusCode()).isEqualTo(200);
    assertThat(post("/portal/api/v1/password-reset/confirm", body).statusCode()).isEqualTo(400);
    assertThat(signIn("dora@example.com", "a brand new password").csrf()).isNotBlank();
  }

  @Test
  void signInSetsAStrictHttpOnlyCookieWithANewSessionId() throws Exception {
    signUpAndIn("eve@example.com");
    HttpResponse<String> r = send("POST", "/portal/api/v1/signin",
        "{\"email\":\"eve@example.com\",\"password\":\"" + PASSWORD + "\"}",
        Map.of("Origin", origin(), "Cookie", "gatehouse_portal=attacker-chosen-session-id"));
    String set = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(set).containsIgnoringCase("HttpOnly").contains("SameSite=Strict").contains("Path=/").doesNotContain("Secure")
        .doesNotContain("attacker-chosen-session-id");
    // the fixed id is no session; the fresh one is, and signing in again gives yet another
    assertThat(send("GET", "/portal/api/v1/session", null, Map.of("Cookie", "gatehouse_portal=attacker-chosen-session-id"))
        .statusCode()).isEqualTo(401);
    String first = cookieOf(r);
    assertThat(send("GET", "/portal/api/v1/session", null, Map.of("Cookie", first)).statusCode()).isEqualTo(200);
    HttpResponse<String> second = send("POST", "/portal/api/v1/signin",
        "{\"email\":\"eve@example.com\",\"password\":\"" + PASSWORD + "\"}", Map.of("Origin", origin(), "Cookie", first));
    assertThat(cookieOf(second)).isNotEqualTo(first);
    assertThat(send("GET", "/portal/api/v1/session", null, Map.of("Cookie", first)).statusCode())
        .as("the session signed in over is gone").isEqualTo(401);
  }

  @Test
  void signOutEndsTheSession() throws Exception {
    Dev d = signUpAndIn("fay@example.com");
    assertThat(send("POST", "/portal/api/v1/signout", null, d.headers(origin())).statusCode()).isEqualTo(204);
    assertThat(send("GET", "/portal/api/v1/subscriptions", null, Map.of("Cookie", d.cookie())).statusCode()).isEqualTo(401);
  }

  // ---- CSRF and headers ----

  @Test
  void refusesStateChangesFromAnotherOriginOrWithoutTheCsrfToken() throws Exception {
    Dev d = signUpAndIn("gus@example.com");
    String body = "{\"product\":\"open\"}";
    Map<String, String> crossSite = new LinkedHashMap<>(d.headers("https://evil.example"));
    assertThat(send("POST", "/portal/api/v1/subscriptions", body, crossSite).statusCode()).isEqualTo(403);
    Map<String, String> fetchSite = new LinkedHashMap<>(Map.of("Cookie", d.cookie(), "X-CSRF-Token", d.csrf(),
        "Sec-Fetch-Site", "cross-site"));
    assertThat(send("POST", "/portal/api/v1/subscriptions", body, fetchSite).statusCode()).isEqualTo(403);
    Map<String, String> noToken = new LinkedHashMap<>(Map.of("Cookie", d.cookie(), "Origin", origin()));
    HttpResponse<String> r = send("POST", "/portal/api/v1/subscriptions", body, noToken);
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(detail(r)).contains("X-CSRF-Token");
    assertThat(send("POST", "/portal/api/v1/signin", "{\"email\":\"gus@example.com\",\"password\":\"" + PASSWORD + "\"}",
        Map.of("Origin", "https://evil.example")).statusCode()).isEqualTo(403);
    assertThat(send("GET", "/portal/api/v1/subscriptions", null, Map.of("Cookie", d.cookie())).body()).doesNotContain("portal-open");
  }

  @Test
  void everyAnswerCarriesAStrictContentSecurityPolicy() throws Exception {
    for (String path : List.of("/", "/apis/orders", "/portal/api/v1/products", "/assets/portal.js", "/nope")) {
      HttpResponse<String> r = send("GET", path, null, Map.of());
      String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
      assertThat(csp).as(path).contains("script-src 'self'").contains("frame-ancestors 'none'")
          .contains("connect-src 'self' http://127.0.0.1:8080").doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
      assertThat(r.headers().firstValue("Referrer-Policy")).contains("no-referrer");
    }
    HttpResponse<String> page = send("GET", "/", null, Map.of());
    assertThat(page.body()).doesNotContainPattern("<script>[^<]").doesNotContain("https://cdn").doesNotContain("onclick=");
    assertThat(send("GET", "/webjars/chart.js/4.5.1/dist/chart.umd.js", null, Map.of()).statusCode()).isEqualTo(200);
  }

  // ---- catalogue ----

  @Test
  void listsOnlyPublishedProductsAndTheirApis() throws Exception {
    JsonNode products = JSON.readTree(send("GET", "/portal/api/v1/products", null, Map.of()).body());
    assertThat(products.path("items").findValuesAsText("name")).containsExactly("open", "gold");
    assertThat(products.path("items").get(0).path("descriptionHtml").asText()).contains("<strong>product</strong>");
    assertThat(products.path("items").get(0).path("termsHtml").asText()).contains("<em>nice</em>");
    assertThat(products.path("items").get(1).path("approvalRequired").asBoolean()).isTrue();
    JsonNode apis = JSON.readTree(send("GET", "/portal/api/v1/apis", null, Map.of()).body());
    assertThat(apis.path("items").findValuesAsText("name")).containsExactly("orders");
    assertThat(send("GET", "/portal/api/v1/apis/hidden", null, Map.of()).statusCode()).isEqualTo(404);
  }

  @Test
  void rendersTheReferenceFromOpenApiWithInertMarkdown() throws Exception {
    HttpResponse<String> r = send("GET", "/portal/api/v1/apis/orders", null, Map.of());
    JsonNode api = JSON.readTree(r.body());
    assertThat(api.path("title").asText()).isEqualTo("Orders API");
    assertThat(api.path("baseUrl").asText()).isEqualTo("http://127.0.0.1:8080/orders");
    JsonNode op = api.path("operations").get(0);
    assertThat(op.path("method").asText()).isEqualTo("GET");
    assertThat(op.path("path").asText()).isEqualTo("/orders/{id}");
    assertThat(op.path("parameters").get(0).path("name").asText()).isEqualTo("id");
    assertThat(op.path("parameters").get(0).path("example").asText()).isEqualTo("42");
    assertThat(op.path("responses").get(0).path("example").path("status").asText()).isEqualTo("shipped");
    assertThat(api.path("schemas").has("Order")).isTrue();
    String html = api.path("descriptionHtml").asText();
    assertThat(html).doesNotContain("<script").contains("&lt;script&gt;").doesNotContain("javascript:")
        .contains("href=\"https://example.com/docs\"");
  }

  // ---- subscriptions ----

  @Test
  void subscribingShowsTheKeysOnceAndStoresOnlyHashes() throws Exception {
    Dev d = signUpAndIn("hal@example.com");
    HttpResponse<String> r = send("POST", "/portal/api/v1/subscriptions", "{\"product\":\"open\"}", d.headers(origin()));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    JsonNode created = JSON.readTree(r.body());
    String name = created.path("name").asText();
    String key = created.path("primaryKey").asText();
    assertThat(created.path("state").asText()).isEqualTo("active");
    assertThat(key).isNotBlank();
    assertThat(created.path("secondaryKey").asText()).isNotBlank();
    String list = send("GET", "/portal/api/v1/subscriptions", null, Map.of("Cookie", d.cookie())).body();
    assertThat(list).contains(name).doesNotContain(key);
    var stored = plane.config().subscription(name).orElseThrow();
    assertThat(stored.primaryKey()).isNull();
    assertThat(stored.primaryKeyHash()).isNotBlank().doesNotContain(key);
    assertThat(stored.scope()).isEqualTo("product:open");
  }

  @Test
  void regeneratingReplacesTheKeyHashAndShowsTheNewKeyOnce() throws Exception {
    Dev d = signUpAndIn("ida@example.com");
    JsonNode created = JSON.readTree(send("POST", "/portal/api/v1/subscriptions", "{\"product\":\"open\"}",
        d.headers(origin())).body());
    String name = created.path("name").asText();
    String before = plane.config().subscription(name).orElseThrow().primaryKeyHash();
    HttpResponse<String> r = send("POST", "/portal/api/v1/subscriptions/" + name + "/regenerate", "{\"key\":\"primary\"}",
        d.headers(origin()));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    String fresh = JSON.readTree(r.body()).path("primaryKey").asText();
    assertThat(fresh).isNotBlank().isNotEqualTo(created.path("primaryKey").asText());
    var after = plane.config().subscription(name).orElseThrow();
    assertThat(after.primaryKeyHash()).isNotEqualTo(before);
    assertThat(after.secondaryKeyHash()).isEqualTo(plane.config().subscription(name).orElseThrow().secondaryKeyHash());
  }

  @Test
  void anotherDevelopersSubscriptionIsNotFound() throws Exception {
    Dev owner = signUpAndIn("jan@example.com");
    Dev other = signUpAndIn("kim@example.com");
    String name = JSON.readTree(send("POST", "/portal/api/v1/subscriptions", "{\"product\":\"open\"}",
        owner.headers(origin())).body()).path("name").asText();
    assertThat(send("POST", "/portal/api/v1/subscriptions/" + name + "/regenerate", "{}", other.headers(origin()))
        .statusCode()).isEqualTo(404);
    assertThat(send("DELETE", "/portal/api/v1/subscriptions/" + name, null, other.headers(origin())).statusCode())
        .isEqualTo(404);
    assertThat(send("GET", "/portal/api/v1/subscriptions/" + name + "/usage", null, Map.of("Cookie", other.cookie()))
        .statusCode()).isEqualTo(404);
  }

  @Test
  void cancellingStopsTheSubscription() throws Exception {
    Dev d = signUpAndIn("lea@example.com");
    String name = JSON.readTree(send("POST", "/portal/api/v1/subscriptions", "{\"product\":\"open\"}",
        d.headers(origin())).body()).path("name").asText();
    assertThat(send("DELETE", "/portal/api/v1/subscriptions/" + name, null, d.headers(origin())).statusCode()).isEqualTo(204);
    assertThat(plane.config().subscription(name).orElseThrow().state()).isEqualTo("cancelled");
  }

  @Test
  void anApprovalProductWaitsForTheOperator() throws Exception {
    Dev d = signUpAndIn("max@example.com");
    JsonNode created = JSON.readTree(send("POST", "/portal/api/v1/subscriptions", "{\"product\":\"gold\"}",
        d.headers(origin())).body());
    String name = created.path("name").asText();
    assertThat(created.path("state").asText()).isEqualTo("pending");
    assertThat(plane.config().subscription(name).orElseThrow().state()).isEqualTo("pending");
    HttpResponse<String> approve = mgmt("POST", "/api/v1/subscriptions/" + name + "/approve");
    assertThat(approve.statusCode()).as(approve.body()).isEqualTo(200);
    assertThat(plane.config().subscription(name).orElseThrow().state()).isEqualTo("active");
    assertThat(mgmt("POST", "/api/v1/subscriptions/" + name + "/approve").statusCode()).isEqualTo(409);
  }

  @Test
  void refusesUnpublishedProducts() throws Exception {
    Dev d = signUpAndIn("ned@example.com");
    assertThat(send("POST", "/portal/api/v1/subscriptions", "{\"product\":\"secret\"}", d.headers(origin())).statusCode())
        .isEqualTo(404);
  }

  @Test
  void operatorsBlockDevelopersWhoseSessionsAndSubscriptionsThenStop() throws Exception {
    Dev d = signUpAndIn("oli@example.com");
    String name = JSON.readTree(send("POST", "/portal/api/v1/subscriptions", "{\"product\":\"open\"}",
        d.headers(origin())).body()).path("name").asText();
    JsonNode list = JSON.readTree(mgmt("GET", "/api/v1/developers").body());
    String id = null;
    for (JsonNode dev : list.path("items")) {
      if (dev.path("email").asText().equals("oli@example.com")) {
        id = dev.path("id").asText();
        assertThat(dev.path("subscriptions").toString()).contains(name);
        assertThat(dev.toString()).doesNotContain("argon2");
      }
    }
    assertThat(mgmt("POST", "/api/v1/developers/" + id + "/block").statusCode()).isEqualTo(200);
    assertThat(plane.config().subscription(name).orElseThrow().state()).isEqualTo("suspended");
    assertThat(send("GET", "/portal/api/v1/subscriptions", null, Map.of("Cookie", d.cookie())).statusCode()).isEqualTo(401);
    assertThat(post("/portal/api/v1/signin", "{\"email\":\"oli@example.com\",\"password\":\"" + PASSWORD + "\"}")
        .statusCode()).isEqualTo(403);
    assertThat(mgmt("POST", "/api/v1/developers/" + id + "/approve").statusCode()).isEqualTo(200);
    assertThat(signIn("oli@example.com", PASSWORD).csrf()).isNotBlank();
    String audit = mgmt("GET", "/api/v1/audit").body();
    assertThat(audit).contains("portal.signUp").contains("portal.subscribe");
  }

  @Test
  void usageCountsTheSubscriptionsCallsAndErrors() throws Exception {
    Dev d = signUpAndIn("pia@example.com");
    String name = JSON.readTree(send("POST", "/portal/api/v1/subscriptions", "{\"product\":\"open\"}",
        d.headers(origin())).body()).path("name").asText();
    long now = System.currentTimeMillis();
    analytics.record(new TrafficSample(now, "orders", "getOrder", "open", name, 200, "127.0.0.1", 10, 100, 2_000));
    analytics.record(new TrafficSample(now, "orders", "getOrder", "open", name, 500, "127.0.0.1", 10, 100, 8_000));
    analytics.record(new TrafficSample(now, "orders", "getOrder", "open", "someone-else", 200, "127.0.0.1", 10, 100, 1_000));
    analytics.flush();
    HttpResponse<String> r = send("GET", "/portal/api/v1/subscriptions/" + name + "/usage", null, Map.of("Cookie", d.cookie()));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode u = JSON.readTree(r.body());
    assertThat(u.path("last24h").path("calls").asLong()).isEqualTo(2);
    assertThat(u.path("last24h").path("errors").asLong()).isEqualTo(1);
    assertThat(u.path("last30d").path("calls").asLong()).isEqualTo(2);
    assertThat(u.path("last24h").path("series").size()).isEqualTo(1);
    assertThat(u.path("last24h").path("latencyP95Ms").asDouble()).isGreaterThan(1.0);
  }

  // ---- the document ----

  @Test
  void theOpenApiDocumentDescribesEveryRoute() throws Exception {
    JsonNode doc = JSON.readTree(send("GET", "/portal/api/v1/openapi.json", null, Map.of()).body());
    assertThat(doc.path("openapi").asText()).startsWith("3.");
    List<String> paths = new ArrayList<>();
    doc.path("paths").fieldNames().forEachRemaining(paths::add);
    assertThat(paths).contains("/signup", "/signin", "/signout", "/products", "/apis", "/apis/{name}", "/subscriptions",
        "/subscriptions/{name}", "/subscriptions/{name}/regenerate", "/subscriptions/{name}/usage");
  }

  @Test
  void badInputGetsAProblem() throws Exception {
    HttpResponse<String> r = post("/portal/api/v1/signup", "{\"email\":\"not-an-email\",\"password\":\"x\",\"name\":\"n\"}");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
    assertThat(detail(r)).contains("email");
    HttpResponse<String> notJson = send("POST", "/portal/api/v1/signin", "{", Map.of("Origin", origin()));
    assertThat(notJson.statusCode()).isEqualTo(400);
  }

  static String detail(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body()).path("detail").asText();
  }
}
