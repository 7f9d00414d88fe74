package io.gatehouse.portal.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.control.ControlPlane;
import io.gatehouse.control.analytics.Analytics;
import io.gatehouse.control.analytics.AnalyticsQuery;
import io.gatehouse.control.analytics.AnalyticsRow;
import io.gatehouse.control.developers.Developer;
import io.gatehouse.control.developers.DeveloperStore;
import io.gatehouse.control.security.AuditLog;
import io.gatehouse.model.ApiDef;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.ProductDef;
import io.gatehouse.model.SubscriptionDef;
import io.gatehouse.model.SubscriptionKeys;
import io.gatehouse.portal.PortalOptions;
import io.gatehouse.portal.PortalServer;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The portal's router: security headers on every answer, pages and assets, and the portal data
 * API. State-changing calls are refused unless they come from the portal's own origin, and calls
 * on a session also need its CSRF token in {@code X-CSRF-Token}.
 */
public final class PortalRoutes {
  /** The session cookie's name over plain HTTP; under TLS it carries the {@code __Host-} prefix. */
  public static final String COOKIE = "gatehouse_portal";
  /** Failed sign-ins per client address per minute before failures are answered 429 (a valid one never is). */
  public static final int FAILED_SIGN_INS_PER_MINUTE = 20;
  /** Most subscriptions one developer may hold (cancelled ones included). */
  public static final int MAX_SUBSCRIPTIONS = 50;

  private static final Logger LOG = LoggerFactory.getLogger(PortalRoutes.class);
  private static final ObjectMapper JSON = ConfigMapper.json();
  private static final String PREFIX = PortalServer.API_PREFIX;
  private static final String REQUEST_ID = "portal.requestId";
  private static final String SESSION = "portal.session";
  private static final String DEVELOPER = "portal.developer";
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,255}");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SIGN_UP_ANSWER =
      "if this address can be used, the account is ready or a verification link is on its way";
  private static final String RESET_ANSWER = "if an account uses this address, a reset link is on its way";

  private final Vertx vertx;
  private final PortalOptions options;
  private final ControlPlane plane;
  private final DeveloperStore developers;
  private final AuditLog audit;
  private final Analytics analytics;
  private final Mailer mailer;
  private final Sessions sessions;
  private final java.util.concurrent.ConcurrentHashMap<String, long[]> failedSignIns =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final String cookieName;
  private final String csp;
  private final byte[] shell;
  private final byte[] openApi;
  private final Router router;
  private final OidcSignIn oidc;

  /** The routes over these parts; {@code analytics} and {@code mailer} are nullable. */
  public PortalRoutes(Vertx vertx, PortalOptions options, ControlPlane plane, DeveloperStore developers, AuditLog audit,
      Analytics analytics, Mailer mailer) {
    this.vertx = vertx;
    this.options = options;
    this.plane = plane;
    this.developers = developers;
    this.audit = audit;
    this.analytics = analytics;
    this.mailer = mailer;
    this.sessions = new Sessions(developers.clock(), options.sessionIdle(), options.sessionAbsolute());
    this.oidc = options.oidc() == null ? null : new OidcSignIn(options.oidc(), developers.clock());
    this.cookieName = options.tls() ? "__Host-" + COOKIE : COOKIE;
    String gateway = options.gatewayUrl() == null ? "" : " " + origin(options.gatewayUrl());
    this.csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"
        + gateway + "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";
    this.shell = resource("web/index.html");
    this.openApi = resource("openapi.json");
    this.router = build();
  }

  /** The router to serve. */
  public Router router() {
    return router;
  }

  private Router build() {
    Router r = Router.router(vertx);
    r.route().handler(this::headers);
    r.route(PREFIX + "/*").handler(BodyHandler.create(false).setBodyLimit(64 * 1024));
    r.route(PREFIX + "/*").handler(this::sameOrigin);
    r.get(PREFIX + "/openapi.json").handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(io.vertx.core.buffer.Buffer.buffer(openApi)));
    r.post(PREFIX + "/signup").handler(ctx -> blocking(ctx, () -> signUp(ctx)));
    r.post(PREFIX + "/signin").handler(ctx -> blocking(ctx, () -> signIn(ctx)));
    r.post(PREFIX + "/verify").handler(ctx -> blocking(ctx, () -> verify(ctx)));
    r.post(PREFIX + "/password-reset").handler(ctx -> blocking(ctx, () -> resetRequest(ctx)));
    r.post(PREFIX + "/password-reset/confirm").handler(ctx -> blocking(ctx, () -> resetConfirm(ctx)));
    r.get(PREFIX + "/oidc").handler(ctx -> json(ctx, 200, Map.of("enabled", oidc != null)));
    r.get(PREFIX + "/oidc/start").handler(ctx -> blocking(ctx, () -> oidcStart(ctx)));
    r.get(PREFIX + "/oidc/callback").handler(ctx -> blocking(ctx, () -> oidcCallback(ctx)));
    r.get(PREFIX + "/products").handler(ctx -> blocking(ctx, this::products));
    r.get(PREFIX + "/apis").handler(ctx -> blocking(ctx, this::apis));
    r.get(PREFIX + "/apis/:name").handler(ctx -> blocking(ctx, () -> api(ctx.pathParam("name"))));
    // everything below needs a session
    r.route(PREFIX + "/*").handler(this::session);
    r.get(PREFIX + "/session").handler(ctx -> json(ctx, 200, me(ctx)));
    r.post(PREFIX + "/signout").handler(this::signOut);
    r.get(PREFIX + "/subscriptions").handler(ctx -> blocking(ctx, () -> subscriptions(ctx)));
    r.post(PREFIX + "/subscriptions").handler(ctx -> blocking(ctx, () -> subscribe(ctx)));
    r.post(PREFIX + "/subscriptions/:name/regenerate").handler(ctx -> blocking(ctx, () -> regenerate(ctx)));
    r.delete(PREFIX + "/subscriptions/:name").handler(ctx -> blocking(ctx, () -> cancel(ctx)));
    r.get(PREFIX + "/subscriptions/:name/usage").handler(ctx -> blocking(ctx, () -> usage(ctx)));
    r.route(PREFIX + "/*").handler(ctx -> problem(ctx, 404, "no route " + ctx.request().method() + " "
        + ctx.request().path()));

    r.get("/assets/*").handler(StaticHandler.create("io/gatehouse/portal/web").setCachingEnabled(true)
        .setDirectoryListing(false).setIncludeHidden(false));
    r.get("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars").setDirectoryListing(false));
    for (String page : List.of("/", "/apis/:name", "/signin", "/signup", "/account", "/verify", "/reset")) {
      r.get(page).handler(ctx -> ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
          .end(io.vertx.core.buffer.Buffer.buffer(shell)));
    }
    for (int status : new int[] {400, 404, 405, 413, 500}) {
      r.errorHandler(status, ctx -> {
        if (status == 500 && ctx.failure() != null) {
          LOG.error("portal request {} failed", ctx.<String>get(REQUEST_ID), ctx.failure());
        }
        problem(ctx, status, switch (status) {
          case 404 -> "no page " + ctx.request().path();
          case 405 -> "method " + ctx.request().method() + " is not allowed on " + ctx.request().path();
          case 413 -> "the request body is too large";
          case 500 -> "internal error; quote the request id when reporting it";
          default -> "the request is malformed";
        });
      });
    }
    return r;
  }

  // ---- cross-cutting ----

  private void headers(RoutingContext ctx) {
    String id = UUID.randomUUID().toString();
    ctx.put(REQUEST_ID, id);
    HttpServerResponse resp = ctx.response();
    resp.putHeader("X-Request-Id", id)
        .putHeader("Content-Security-Policy", csp)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Cross-Origin-Opener-Policy", "same-origin")
        .putHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (options.tls()) {
      resp.putHeader("Strict-Transport-Security", "max-age=31536000");
    }
    if (ctx.request().path().startsWith(PREFIX) || !ctx.request().path().startsWith("/webjars/")) {
      resp.putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    }
    ctx.next();
  }

  /** The portal's own origin for this request: the public URL's, else the scheme and {@code Host} it came with. */
  private String ownOrigin(RoutingContext ctx) {
    if (options.publicUrl() != null) {
      return origin(options.publicUrl());
    }
    io.vertx.core.net.HostAndPort authority = ctx.request().authority(); // Host, or :authority over HTTP/2
    String host = authority == null ? "" : authority.host() + (authority.port() > 0 ? ":" + authority.port() : "");
    return (options.tls() ? "https" : "http") + "://" + host.toLowerCase(Locale.ROOT);
  }

  /**
   * Refuses a state-changing request from another origin: its {@code Origin} must be the portal's,
   * and without {@code Origin} its {@code Sec-Fetch-Site} (when sent) must be {@code same-origin}.
   */
  private void sameOrigin(RoutingContext ctx) {
    HttpMethod m = ctx.request().method();
    if (m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS) {
      ctx.next();
      return;
    }
    String origin = ctx.request().getHeader("Origin");
    if (origin != null) {
      if (!origin.toLowerCase(Locale.ROOT).equals(ownOrigin(ctx))) {
        problem(ctx, 403, "cross-origin request refused: Origin " + origin + " is not this portal");
        return;
      }
    } else {
      String site = ctx.request().getHeader("Sec-Fetch-Site");
      if (site != null && !site.equals("same-origin") && !site.equals("none")) {
        problem(ctx, 403, "cross-site request refused (Sec-Fetch-Site: " + site + ")");
        return;
      }
    }
    ctx.next();
  }

  /** Requires a live session of an active developer, and its CSRF token on state-changing calls. */
  private void session(RoutingContext ctx) {
    Cookie cookie = ctx.request().getCookie(cookieName);
    Optional<Sessions.Session> s = sessions.touch(cookie == null ? null : cookie.getValue());
    if (s.isEmpty()) {
      problem(ctx, 401, "sign in first");
      return;
    }
    HttpMethod m = ctx.request().method();
    if (m != HttpMethod.GET && m != HttpMethod.HEAD) {
      String token = ctx.request().getHeader("X-CSRF-Token");
      if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
          s.get().csrfToken().getBytes(StandardCharsets.UTF_8))) {
        problem(ctx, 403, "missing or wrong X-CSRF-Token");
        return;
      }
    }
    vertx.executeBlocking(() -> developers.find(s.get().developerId()), false).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(500, ar.cause());
      } else if (ar.result().isEmpty() || !ar.result().get().status().equals(Developer.ACTIVE)) {
        sessions.removeDeveloper(s.get().developerId());
        problem(ctx, 401, "sign in first");
      } else {
        ctx.put(SESSION, s.get());
        ctx.put(DEVELOPER, ar.result().get());
        ctx.next();
      }
    });
  }

  /** Runs {@code work} on a worker thread and answers its result as JSON (a {@link Answer} sets the status). */
  private void blocking(RoutingContext ctx, Callable<Object> work) {
    vertx.executeBlocking(work, false).onComplete(ar -> {
      if (ar.succeeded()) {
        Object result = ar.result();
        if (result instanceof Answer a) {
          a.headers().forEach((k, v) -> ctx.response().headers().add(k, v));
          if (a.body() == null) {
            ctx.response().setStatusCode(a.status()).end();
          } else {
            json(ctx, a.status(), a.body());
          }
        } else {
          json(ctx, 200, result);
        }
      } else if (ar.cause() instanceof PortalException p) {
        if (p.status() == 429) {
          ctx.response().putHeader("Retry-After", "60");
        }
        problem(ctx, p.status(), p.getMessage());
      } else if (ar.cause() instanceof ConfigException c) {
        problem(ctx, 409, "the change was refused: " + c.getMessage());
      } else {
        ctx.fail(500, ar.cause());
      }
    });
  }

  /** A status, extra headers and a JSON body (nullable for none). */
  private record Answer(int status, Map<String, String> headers, Object body) {
    Answer(int status, Object body) {
      this(status, new LinkedHashMap<>(), body);
    }
  }

  // ---- accounts ----

  private Object signUp(RoutingContext ctx) {
    JsonNode body = body(ctx);
    String email = text(body, "email", 320);
    String password = text(body, "password", 1024);
    String name = text(body, "name", 200);
    if (!EMAIL.matcher(email.strip()).matches()) {
      throw new PortalException(400, "email: expected an address such as dev@example.com");
    }
    if (password.length() < DeveloperStore.MIN_PASSWORD_LENGTH) {
      throw new PortalException(400, "password: expected at least " + DeveloperStore.MIN_PASSWORD_LENGTH + " characters");
    }
    if (name.isBlank()) {
      throw new PortalException(400, "name: expected a name");
    }
    boolean verify = options.verificationNeeded();
    String status = options.approveDevelopers() ? Developer.PENDING : Developer.ACTIVE;
    Optional<Developer> created = developers.signUp(email, password, name.strip(), status, !verify);
    if (created.isPresent()) {
      Developer d = created.get();
      auditWrite(ctx, "developer:" + d.email(), "portal.signUp", "developers/" + d.id(), null,
          Map.of("email", d.email(), "name", d.name(), "status", d.status()));
      if (verify) {
        String token = developers.issueLink(d.id(), "verify", options.linkLifetime());
        mailer.send(d.email(), "Verify your email for the developer portal",
            "Follow this link to verify your email address (it works once, for " + options.linkLifetime().toMinutes()
                + " minutes):\n\n" + link(ctx, "/verify#token=" + token) + "\n");
      }
    }
    return new Answer(202, Map.of("status", "accepted", "message", SIGN_UP_ANSWER));
  }

  /** Counts a failed sign-in from {@code ip}; whether it is over {@link #FAILED_SIGN_INS_PER_MINUTE} this minute. */
  private boolean tooManyFailures(String ip) {
    long minute = developers.clock().millis() / 60_000;
    if (failedSignIns.size() > 100_000) {
      failedSignIns.values().removeIf(w -> w[0] != minute);
    }
    long[] window = failedSignIns.compute(ip, (k, w) -> w == null || w[0] != minute ? new long[] {minute, 1}
        : new long[] {minute, w[1] + 1});
    return window[1] > FAILED_SIGN_INS_PER_MINUTE;
  }

  private Object signIn(RoutingContext ctx) {
    JsonNode body = body(ctx);
    String email = text(body, "email", 320);
    String password = text(body, "password", 1024);
    DeveloperStore.SignInResult result = developers.signIn(email, password);
    if (result.outcome() == DeveloperStore.SignIn.NOT_ALLOWED) {
      throw new PortalException(403, "this account cannot sign in yet: verify its email address, or wait for an"
          + " operator's approval");
    }
    if (result.outcome() != DeveloperStore.SignIn.OK) { // unknown, wrong and locked look alike
      if (tooManyFailures(clientIp(ctx))) {
        throw new PortalException(429, "too many failed sign-ins from this address; try again in a minute"
            + " (a valid password is still accepted)");
      }
      throw new PortalException(401, "wrong email or password, or too many failed attempts; try again later");
    }
    Developer d = result.developer().orElseThrow();
    Cookie old = ctx.request().getCookie(cookieName);
    if (old != null) {
      sessions.remove(old.getValue()); // a session id is never carried over a sign-in
    }
    Sessions.Session s = sessions.create(d.id());
    Answer a = new Answer(200, Map.of("developer", developerView(d), "csrfToken", s.csrfToken()));
    a.headers().put("Set-Cookie", cookie(s.id(), -1));
    return a;
  }

  // ---- OIDC sign-in ----

  private String oidcCookie() {
    return options.tls() ? "__Host-" + COOKIE + "_oidc" : COOKIE + "_oidc";
  }

  /** Sends the browser to the provider, binding the sign-in's state to it with a short-lived cookie. */
  private Object oidcStart(RoutingContext ctx) {
    if (oidc == null) {
      throw new PortalException(404, "OIDC sign-in is not configured on this portal");
    }
    OidcSignIn.Start start = oidc.start(ownOrigin(ctx) + PREFIX + "/oidc/callback");
    // Lax, not Strict: the provider sends the browser back with a cross-site top-level GET
    Cookie c = Cookie.cookie(oidcCookie(), start.binding()).setPath("/").setHttpOnly(true)
        .setSameSite(CookieSameSite.LAX).setSecure(options.tls()).setMaxAge(OidcSignIn.PENDING_LIFETIME.toSeconds());
    Answer a = new Answer(302, null);
    a.headers().put("Set-Cookie", c.encode());
    a.headers().put("Location", start.authorizeUrl().toString());
    a.headers().put("Cache-Control", "no-store");
    return a;
  }

  /**
   * Completes an OIDC sign-in: the developer with the verified email is signed in (created when
   * new); any failure sends the browser to the sign-in page with the reason, and no session.
   */
  private Object oidcCallback(RoutingContext ctx) {
    if (oidc == null) {
      throw new PortalException(404, "OIDC sign-in is not configured on this portal");
    }
    Answer a = new Answer(302, null);
    a.headers().put("Cache-Control", "no-store");
    try {
      String error = ctx.request().getParam("error");
      if (error != null) {
        throw new PortalException(400, "OIDC sign-in failed at the provider: "
            + (error.length() > 100 ? error.substring(0, 100) : error));
      }
      Cookie binding = ctx.request().getCookie(oidcCookie());
      OidcSignIn.Identity id = oidc.finish(ctx.request().getParam("state"), ctx.request().getParam("code"),
          binding == null ? null : binding.getValue());
      Developer d = oidcDeveloper(ctx, id);
      Cookie old = ctx.request().getCookie(cookieName);
      if (old != null) {
        sessions.remove(old.getValue()); // a session id is never carried over a sign-in
      }
      Sessions.Session s = sessions.create(d.id());
      a.headers().put("Set-Cookie", cookie(s.id(), -1));
      a.headers().put("Location", "/account");
      auditWrite(ctx, "developer:" + d.email(), "portal.signInOidc", "developers/" + d.id(), null,
          Map.of("issuer", options.oidc().issuer()));
    } catch (PortalException e) {
      a.headers().put("Location", "/signin#oidc-error=" + java.net.URLEncoder.encode(e.getMessage(),
          java.nio.charset.StandardCharsets.UTF_8));
    }
    return a;
  }

  /** The developer with {@code id}'s verified email, created or taken over; refused when not active. */
  private Developer oidcDeveloper(RoutingContext ctx, OidcSignIn.Identity id) {
    Optional<Developer> existing = developers.findByEmail(id.email());
    Developer d;
    if (existing.isEmpty()) {
      String status = options.approveDevelopers() ? Developer.PENDING : Developer.ACTIVE;
      // no password anyone knows: this account signs in through the provider (or a password reset)
      developers.signUp(id.email(), randomSecret(), id.name(), status, true);
      d = developers.findByEmail(id.email())
          .orElseThrow(() -> new PortalException(500, "the developer account could not be created"));
      auditWrite(ctx, "developer:" + d.email(), "portal.signUp", "developers/" + d.id(), null,
          Map.of("email", d.email(), "name", d.name(), "status", d.status(), "via", "oidc"));
    } else {
      d = existing.get();
      if (!d.emailVerified()) {
        // whoever registered this address unverified never proved it: their password stops working
        developers.setPassword(d.id(), randomSecret());
        developers.markVerified(d.id());
        d = developers.find(d.id()).orElseThrow();
      }
    }
    if (!Developer.ACTIVE.equals(d.status())) {
      throw new PortalException(403, "this account cannot sign in yet: wait for an operator's approval");
    }
    return d;
  }

  private static String randomSecret() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private void signOut(RoutingContext ctx) {
    Sessions.Session s = ctx.get(SESSION);
    sessions.remove(s.id());
    ctx.response().putHeader("Set-Cookie", cookie("", 0)).setStatusCode(204).end();
  }

  private String cookie(String value, long maxAge) {
    Cookie c = Cookie.cookie(cookieName, value).setPath("/").setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
        .setSecure(options.tls());
    if (maxAge >= 0) {
      c.setMaxAge(maxAge);
    }
    return c.encode();
  }

  private Object verify(RoutingContext ctx) {
    String token = text(body(ctx), "token", 200);
    Developer d = developers.consumeLink("verify", token)
        .orElseThrow(() -> new PortalException(400, "the link is invalid, used or expired"));
    developers.markVerified(d.id());
    auditWrite(ctx, "developer:" + d.email(), "portal.verifyEmail", "developers/" + d.id(), null, Map.of("emailVerified", true));
    return Map.of("status", "verified");
  }

  private Object resetRequest(RoutingContext ctx) {
    String email = text(body(ctx), "email", 320);
    Optional<Developer> d = developers.findByEmail(email);
    if (d.isPresent() && mailer != null) {
      String token = developers.issueLink(d.get().id(), "reset", options.linkLifetime());
      mailer.send(d.get().email(), "Reset your developer portal password",
          "Follow this link to choose a new password (it works once, for " + options.linkLifetime().toMinutes()
              + " minutes):\n\n" + link(ctx, "/reset#token=" + token) + "\n");
    }
    return new Answer(202, Map.of("status", "accepted", "message", RESET_ANSWER));
  }

  private Object resetConfirm(RoutingContext ctx) {
    JsonNode body = body(ctx);
    String token = text(body, "token", 200);
    String password = text(body, "password", 1024);
    if (password.length() < DeveloperStore.MIN_PASSWORD_LENGTH) {
      throw new PortalException(400, "password: expected at least " + DeveloperStore.MIN_PASSWORD_LENGTH + " characters");
    }
    Developer d = developers.consumeLink("reset", token)
        .orElseThrow(() -> new PortalException(400, "the link is invalid, used or expired"));
    developers.setPassword(d.id(), password);
    developers.markVerified(d.id()); // the link proved the mailbox
    sessions.removeDeveloper(d.id());
    auditWrite(ctx, "developer:" + d.email(), "portal.resetPassword", "developers/" + d.id(), null, Map.of());
    return Map.of("status", "changed");
  }

  private Map<String, Object> me(RoutingContext ctx) {
    Sessions.Session s = ctx.get(SESSION);
    Developer d = ctx.get(DEVELOPER);
    return Map.of("developer", developerView(d), "csrfToken", s.csrfToken());
  }

  private static Map<String, Object> developerView(Developer d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("email", d.email());
    m.put("name", d.name());
    m.put("status", d.status());
    return m;
  }

  // ---- catalogue ----

  private Object products() {
    GatewayConfig cfg = plane.config();
    List<Map<String, Object>> items = new ArrayList<>();
    for (ProductDef p : cfg.products()) {
      if (p.published()) {
        items.add(productView(p));
      }
    }
    return Map.of("items", items);
  }

  private static Map<String, Object> productView(ProductDef p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", p.name());
    m.put("descriptionHtml", Markdown.html(p.description()));
    m.put("termsHtml", Markdown.html(p.terms()));
    m.put("approvalRequired", p.approvalRequired());
    m.put("apis", p.apis());
    return m;
  }

  /** The names of the APIs in at least one published product, with those products. */
  private static Map<String, List<String>> publishedApis(GatewayConfig cfg) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (ProductDef p : cfg.products()) {
      if (p.published()) {
        for (String a : p.apis()) {
          out.computeIfAbsent(a, k -> new ArrayList<>()).add(p.name());
        }
      }
    }
    return out;
  }

  private Object apis() {
    GatewayConfig cfg = plane.config();
    Map<String, List<String>> published = publishedApis(cfg);
    List<Map<String, Object>> items = new ArrayList<>();
    for (ApiDef a : cfg.apis()) {
      if (published.containsKey(a.name())) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", a.name());
        m.put("path", a.path());
        m.put("products", published.get(a.name()));
        Object title = ApiReference.of(a, options.gatewayUrl()).get("title");
        m.put("title", title);
        items.add(m);
      }
    }
    return Map.of("items", items);
  }

  private Object api(String name) {
    GatewayConfig cfg = plane.config();
    Map<String, List<String>> published = publishedApis(cfg);
    ApiDef a = cfg.api(name).filter(x -> published.containsKey(x.name()))
        .orElseThrow(() -> new PortalException(404, "no published API '" + name + "'"));
    Map<String, Object> ref = ApiReference.of(a, options.gatewayUrl());
    ref.put("products", published.get(a.name()));
    return ref;
  }

  // ---- subscriptions ----

  private Object subscriptions(RoutingContext ctx) {
    Developer d = ctx.get(DEVELOPER);
    GatewayConfig cfg = plane.config();
    List<Map<String, Object>> items = new ArrayList<>();
    for (String name : developers.subscriptions(d.id())) {
      items.add(subscriptionView(name, cfg.subscription(name).orElse(null)));
    }
    return Map.of("items", items);
  }

  private static Map<String, Object> subscriptionView(String name, SubscriptionDef s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("product", s == null ? null : s.scope().startsWith("product:") ? s.scope().substring(8) : s.scope());
    m.put("state", s == null ? "deleted" : s.state());
    return m;
  }

  private Object subscribe(RoutingContext ctx) {
    Developer d = ctx.get(DEVELOPER);
    String product = text(body(ctx), "product", 200);
    writable();
    ProductDef p = plane.config().product(product).filter(ProductDef::published)
        .orElseThrow(() -> new PortalException(404, "no published product '" + product + "'"));
    if (developers.subscriptions(d.id()).size() >= MAX_SUBSCRIPTIONS) {
      throw new PortalException(409, "at most " + MAX_SUBSCRIPTIONS + " subscriptions per developer");
    }
    String name = "portal-" + (p.name().length() > 90 ? p.name().substring(0, 90) : p.name()) + "-" + suffix();
    String state = p.approvalRequired() ? "pending" : "active";
    String primary = SubscriptionKeys.generate();
    String secondary = SubscriptionKeys.generate();
    SubscriptionDef s = new SubscriptionDef(name, "product:" + p.name(), state, null, null, primary, secondary, null,
        null, List.of("portal"));
    plane.update(cfg -> {
      List<SubscriptionDef> items = new ArrayList<>(cfg.subscriptions());
      items.add(s);
      return cfg.withSubscriptions(items);
    }, "developer:" + d.email(), "portal: " + d.email() + " subscribes to " + p.name(), "portal");
    developers.addSubscription(d.id(), name, p.name());
    auditWrite(ctx, "developer:" + d.email(), "portal.subscribe", "subscriptions/" + name, null,
        Map.of("product", p.name(), "state", state));
    Map<String, Object> out = new LinkedHashMap<>(subscriptionView(name, s));
    out.put("primaryKey", primary);
    out.put("secondaryKey", secondary);
    return new Answer(201, out);
  }

  private SubscriptionDef owned(RoutingContext ctx) {
    Developer d = ctx.get(DEVELOPER);
    String name = ctx.pathParam("name");
    if (!developers.ownerOf(name).map(d.id()::equals).orElse(false)) {
      throw new PortalException(404, "no subscription '" + name + "' of yours");
    }
    return plane.config().subscription(name)
        .orElseThrow(() -> new PortalException(404, "subscription '" + name + "' was deleted by an operator"));
  }

  private Object regenerate(RoutingContext ctx) {
    Developer d = ctx.get(DEVELOPER);
    SubscriptionDef s = owned(ctx);
    JsonNode body = ctx.body().length() == 0 ? JSON.createObjectNode() : body(ctx);
    String which = body.path("key").asText("primary");
    if (!which.equals("primary") && !which.equals("secondary")) {
      throw new PortalException(400, "key: expected primary or secondary but got '" + which + "'");
    }
    if (s.state().equals("cancelled")) {
      throw new PortalException(409, "subscription '" + s.name() + "' is cancelled");
    }
    writable();
    String key = SubscriptionKeys.generate();
    boolean primary = which.equals("primary");
    plane.update(cfg -> cfg.withSubscriptions(cfg.subscriptions().stream()
        .map(x -> x.name().equals(s.name()) ? (primary ? x.withKeys(key, null) : x.withKeys(null, key)) : x)
        .toList()), "developer:" + d.email(), "portal: regenerate " + which + " key of " + s.name(), "portal");
    auditWrite(ctx, "developer:" + d.email(), "portal.regenerateKey", "subscriptions/" + s.name(), null,
        Map.of("key", which));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", s.name());
    out.put(primary ? "primaryKey" : "secondaryKey", key);
    return out;
  }

  private Object cancel(RoutingContext ctx) {
    Developer d = ctx.get(DEVELOPER);
    SubscriptionDef s = owned(ctx);
    writable();
    plane.update(cfg -> cfg.withSubscriptions(cfg.subscriptions().stream()
        .map(x -> x.name().equals(s.name()) ? new SubscriptionDef(x.name(), x.scope(), "cancelled", x.expiresAt(),
            x.owner(), null, null, x.primaryKeyHash(), x.secondaryKeyHash(), x.tags()) : x)
        .toList()), "developer:" + d.email(), "portal: cancel " + s.name(), "portal");
    auditWrite(ctx, "developer:" + d.email(), "portal.cancel", "subscriptions/" + s.name(),
        Map.of("state", s.state()), Map.of("state", "cancelled"));
    return new Answer(204, null);
  }

  private Object usage(RoutingContext ctx) {
    SubscriptionDef s = owned(ctx);
    if (analytics == null) {
      throw new PortalException(503, "analytics are off on this server");
    }
    Instant now = developers.clock().instant();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", s.name());
    out.put("last24h", window(s.name(), now.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1))
        .minus(Duration.ofHours(24)), now.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1)), "hour"));
    out.put("last30d", window(s.name(), now.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1))
        .minus(Duration.ofDays(30)), now.truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1)), "day"));
    return out;
  }

  private Map<String, Object> window(String subscription, Instant from, Instant to, String grain) {
    Map<String, String> filter = Map.of("subscription", subscription);
    List<AnalyticsRow> total = analytics.query(new AnalyticsQuery(from, to, List.of(), filter));
    List<AnalyticsRow> series = analytics.query(new AnalyticsQuery(from, to, List.of(grain), filter));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("from", from.toString());
    out.put("to", to.toString());
    AnalyticsRow t = total.isEmpty() ? null : total.get(0);
    out.put("calls", t == null ? 0 : t.totals().requests());
    out.put("errors", t == null ? 0 : t.totals().errors());
    out.put("latencyP50Ms", t == null ? 0 : t.latencyMillis(50));
    out.put("latencyP95Ms", t == null ? 0 : t.latencyMillis(95));
    List<Map<String, Object>> points = new ArrayList<>();
    for (AnalyticsRow r : series) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("time", r.group().get(grain));
      p.put("calls", r.totals().requests());
      p.put("errors", r.totals().errors());
      p.put("latencyP95Ms", r.latencyMillis(95));
      points.add(p);
    }
    out.put("series", points);
    return out;
  }

  private void writable() {
    plane.readOnlyReason().ifPresent(reason -> {
      throw new PortalException(409, "subscriptions cannot change now: " + reason);
    });
  }

  // ---- helpers ----

  private void auditWrite(RoutingContext ctx, String actor, String action, String entity, Object before, Object after) {
    try {
      audit.append(actor, "developer", clientIp(ctx), action, entity, before, after, "success", ctx.get(REQUEST_ID));
    } catch (RuntimeException e) {
      LOG.error("could not write the audit record of portal request {}", ctx.<String>get(REQUEST_ID), e);
    }
  }

  private static String clientIp(RoutingContext ctx) {
    return ctx.request().remoteAddress() == null ? "" : ctx.request().remoteAddress().hostAddress();
  }

  private String link(RoutingContext ctx, String pathAndFragment) {
    return ownOrigin(ctx) + pathAndFragment;
  }

  private static JsonNode body(RoutingContext ctx) {
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new PortalException(415, "expected Content-Type application/json but got '" + (type == null ? "none" : type) + "'");
    }
    try {
      JsonNode n = JSON.readTree(ctx.body().asString());
      if (n == null || !n.isObject()) {
        throw new PortalException(400, "expected a JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new PortalException(400, "the body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static String text(JsonNode body, String field, int max) {
    JsonNode v = body.get(field);
    if (v == null || !v.isTextual()) {
      throw new PortalException(400, field + ": expected a string");
    }
    if (v.asText().length() > max) {
      throw new PortalException(400, field + ": expected at most " + max + " characters");
    }
    return v.asText();
  }

  private static String suffix() {
    String alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      b.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  private static void json(RoutingContext ctx, int status, Object body) {
    try {
      ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      ctx.fail(500, e);
    }
  }

  private static void problem(RoutingContext ctx, int status, String detail) {
    HttpServerResponse response = ctx.response();
    if (response.ended() || response.headWritten()) {
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", HttpResponseStatus.valueOf(status).reasonPhrase());
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", ctx.request().path());
    body.put("requestId", ctx.get(REQUEST_ID));
    try {
      response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
          .end(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      response.setStatusCode(500).end();
    }
  }

  /** The origin ({@code scheme://host[:port]}, lower case) of {@code url}. */
  static String origin(String url) {
    URI u = URI.create(url);
    return u.getScheme().toLowerCase(Locale.ROOT) + "://" + u.getHost().toLowerCase(Locale.ROOT)
        + (u.getPort() > 0 ? ":" + u.getPort() : "");
  }

  private static byte[] resource(String name) {
    try (InputStream in = PortalRoutes.class.getResourceAsStream("/io/gatehouse/portal/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource io/gatehouse/portal/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

}
