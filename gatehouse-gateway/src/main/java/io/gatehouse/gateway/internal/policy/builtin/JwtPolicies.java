package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.jwt.JwtResult;
import io.gatehouse.gateway.internal.jwt.JwtValidator;
import io.gatehouse.gateway.internal.outbound.OutboundGuard;
import io.gatehouse.gateway.internal.jwt.JwtValidatorSettings;
import io.gatehouse.gateway.internal.policy.GatewayContext;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.Policy;
import io.gatehouse.policy.PolicyChain;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code validate-jwt}. */
final class JwtPolicies {
  private static final Logger LOG = LoggerFactory.getLogger(JwtPolicies.class);
  /** Validators by settings, kept across snapshots so a reload keeps the fetched keys. */
  private static final int CACHE_SIZE = 64;
  private record Key(JwtValidatorSettings settings, OutboundGuard guard) {}

  private static final Map<Key, JwtValidator> VALIDATORS =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, JwtValidator> eldest) {
          return size() > CACHE_SIZE;
        }
      };

  static final String MISSING_CHALLENGE = "Bearer";
  static final String INVALID_CHALLENGE =
      "Bearer error=\"invalid_token\", error_description=\"the access token is invalid\"";

  private JwtPolicies() {}

  static JwtValidator validator(JwtValidatorSettings settings, OutboundGuard guard) {
    synchronized (VALIDATORS) {
      return VALIDATORS.computeIfAbsent(new Key(settings, guard), k -> JwtValidator.create(k.settings(), k.guard()));
    }
  }

  /**
   * Validates a bearer JWT taken from a header, query parameter or cookie; refuses a missing or
   * invalid token with 401 and an RFC 6750 challenge, otherwise stores the verified claims under
   * {@link GatewayContext#JWT_CLAIMS} and records the subject as the traffic event's user.
   */
  static final class ValidateJwt extends Base {
    ValidateJwt() {
      super(PolicyNames.VALIDATE_JWT);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      JwtValidatorSettings.Builder b = JwtValidatorSettings.builder();
      int sources = 0;
      if (c.has("jwksUrl")) {
        b.jwksUrl(url(c, "jwksUrl"));
        sources++;
      }
      if (c.has("openidConfigUrl")) {
        b.openidConfigUrl(url(c, "openidConfigUrl"));
        sources++;
      }
      if (c.has("jwks")) {
        Object raw = c.raw("jwks");
        try {
          if (raw instanceof String s) {
            b.jwks(s);
          } else {
            b.jwks(c.map("jwks"));
          }
        } catch (IllegalArgumentException e) {
          throw new PolicyConfigException("jwks", e.getMessage());
        }
        sources++;
      }
      if (sources != 1) {
        throw new PolicyConfigException("jwksUrl", "give exactly one of 'jwksUrl', 'openidConfigUrl' and 'jwks' but got " + sources);
      }
      List<String> algorithms = c.strings("algorithms");
      for (int i = 0; i < algorithms.size(); i++) {
        String alg = algorithms.get(i);
        if (!JwtValidatorSettings.SUPPORTED_ALGORITHMS.contains(alg)) {
          throw new PolicyConfigException("algorithms[" + i + "]", "unsupported algorithm '" + alg
              + "'; expected one of " + new java.util.TreeSet<>(JwtValidatorSettings.SUPPORTED_ALGORITHMS));
        }
      }
      b.algorithms(algorithms.toArray(new String[0]));
      b.issuers(c.strings("issuers").toArray(new String[0]));
      b.audiences(c.strings("audiences").toArray(new String[0]));
      Duration skew = c.has("clockSkew") ? skew(c) : JwtValidatorSettings.DEFAULT_CLOCK_SKEW;
      b.clockSkew(skew);
      b.requireExp(c.bool("requireExp", true));
      b.maxTokenBytes((int) c.number("maxTokenBytes", JwtValidatorSettings.DEFAULT_MAX_TOKEN_BYTES, 16, 1 << 20));
      Map<String, Object> claims = c.map("requiredClaims");
      if (claims != null) {
        for (Map.Entry<String, Object> e : claims.entrySet()) {
          PolicyConfig one = PolicyConfig.of(Map.of("v", e.getValue() == null ? List.of() : e.getValue()));
          List<String> values;
          try {
            values = one.strings("v");
          } catch (PolicyConfigException x) {
            throw new PolicyConfigException("requiredClaims." + e.getKey(), x.getMessage());
          }
          b.requireClaim(e.getKey(), values.toArray(new String[0]));
        }
      }
      TokenSource source = tokenSource(c);
      JwtValidatorSettings settings;
      try {
        settings = b.build();
      } catch (IllegalArgumentException e) {
        String msg = e.getMessage();
        int colon = msg.indexOf(':');
        String field = colon > 0 && !msg.substring(0, colon).contains(" ") ? msg.substring(0, colon) : "";
        throw new PolicyConfigException(field, msg);
      }
      JwtValidator validator = validator(settings, compiler.outbound());
      return new JwtPolicy(validator, source);
    }

    private static URI url(PolicyConfig c, String field) {
      String s = c.requiredString(field);
      if (io.gatehouse.model.OutboundUrls.userInfoProblem(s) != null) {
        throw new PolicyConfigException(field, io.gatehouse.model.OutboundUrls.userInfoProblem(s));
      }
      try {
        URI u = new URI(s);
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
          throw new PolicyConfigException(field, "expected an absolute http(s) URL but got '" + s + "'");
        }
        return u;
      } catch (URISyntaxException e) {
        throw new PolicyConfigException(field, "expected an absolute http(s) URL but got '" + s + "'");
      }
    }

    private static Duration skew(PolicyConfig c) {
      Object v = c.raw("clockSkew");
      if (v instanceof Integer i && i == 0 || "0".equals(v) || "0s".equals(v)) {
        return Duration.ZERO;
      }
      return c.duration("clockSkew", JwtValidatorSettings.DEFAULT_CLOCK_SKEW);
    }

    private static TokenSource tokenSource(PolicyConfig c) {
      String header = c.string("header", null);
      String query = c.string("query", null);
      String cookie = c.string("cookie", null);
      int n = (header != null ? 1 : 0) + (query != null ? 1 : 0) + (cookie != null ? 1 : 0);
      if (n > 1) {
        throw new PolicyConfigException("header", "give at most one of 'header', 'query' and 'cookie'");
      }
      String scheme = c.string("scheme", null);
      if (scheme != null && (query != null || cookie != null)) {
        throw new PolicyConfigException("scheme", "applies to a header only");
      }
      if (query != null) {
        return new TokenSource(TokenSource.QUERY, query, null);
      }
      if (cookie != null) {
        return new TokenSource(TokenSource.COOKIE, cookie, null);
      }
      String name = header == null ? "Authorization" : header;
      String s = scheme == null ? (name.equalsIgnoreCase("Authorization") ? "Bearer" : "") : scheme.trim();
      return new TokenSource(TokenSource.HEADER, name, s.isEmpty() ? null : s);
    }
  }

  /** Where the token is read from: a header (with an optional auth scheme), a query parameter or a cookie. */
  record TokenSource(int kind, String name, String scheme) {
    static final int HEADER = 0;
    static final int QUERY = 1;
    static final int COOKIE = 2;

    /** The token, or {@code null} when the request carries none. */
    String read(PolicyContext ctx) {
      switch (kind) {
        case QUERY:
          return queryParam(ctx.request().query(), name);
        case COOKIE:
          return cookie(ctx.request().headers().getAll("Cookie"), name);
        default:
          String v = ctx.request().headers().get(name);
          if (v == null) {
            return null;
          }
          v = v.trim();
          if (scheme == null) {
            return v.isEmpty() ? null : v;
          }
          if (v.length() <= scheme.length() || !v.regionMatches(true, 0, scheme, 0, scheme.length())
              || v.charAt(scheme.length()) != ' ') {
            return null;
          }
          String token = v.substring(scheme.length() + 1).trim();
          return token.isEmpty() ? null : token;
      }
    }

    private static String queryParam(String query, String name) {
      if (query == null) {
        return null;
      }
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        String k = eq < 0 ? pair : pair.substring(0, eq);
        if (decode(k).equals(name)) {
          String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
          return v.isEmpty() ? null : v;
        }
      }
      return null;
    }

    private static String cookie(List<String> headers, String name) {
      for (String h : headers) {
        for (String part : h.split(";")) {
          int eq = part.indexOf('=');
          if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
            String v = part.substring(eq + 1).trim();
            if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
              v = v.substring(1, v.length() - 1);
            }
            return v.isEmpty() ? null : v;
          }
        }
      }
      return null;
    }

    private static String decode(String s) {
      try {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return s;
      }
    }
  }

  /** The policy: reads, validates, then continues on the request's own context. */
  static final class JwtPolicy implements Policy {
    private final JwtValidator validator;
    private final TokenSource source;

    JwtPolicy(JwtValidator validator, TokenSource source) {
      this.validator = validator;
      this.source = source;
    }

    @Override
    public CompletionStage<Response> apply(PolicyContext ctx, PolicyChain next) {
      String token = source.read(ctx);
      if (token == null) {
        Response r = ctx.problem(401, "Unauthorized", "an access token is required");
        r.headers().set("WWW-Authenticate", MISSING_CHALLENGE);
        return ctx.completed(r);
      }
      CompletableFuture<JwtResult> stage = validator.validate(token).toCompletableFuture();
      if (stage.isDone()) {
        return proceed(ctx, next, stage.join());
      }
      // A key fetch is under way: the stage completes on the HTTP client's thread; come back to
      // the request's event loop before touching the request again.
      Context context = Vertx.currentContext();
      CompletableFuture<Response> out = new CompletableFuture<>();
      stage.whenComplete((result, error) -> {
        Runnable resume = () -> {
          JwtResult res = error != null ? null : result;
          if (res == null) {
            LOG.warn("token validation failed for request {}", ctx.requestId(), error);
          }
          CompletionStage<Response> then = res == null
              ? ctx.completed(invalid(ctx))
              : proceed(ctx, next, res);
          then.whenComplete((r, t) -> {
            if (t != null) {
              out.completeExceptionally(t);
            } else {
              out.complete(r);
            }
          });
        };
        if (context == null || Vertx.currentContext() == context) {
          resume.run();
        } else {
          context.runOnContext(v -> resume.run());
        }
      });
      return out;
    }

    private CompletionStage<Response> proceed(PolicyContext ctx, PolicyChain next, JwtResult result) {
      if (!result.valid()) {
        LOG.debug("refused token for request {}: {}", ctx.requestId(), result.reason());
        return ctx.completed(invalid(ctx));
      }
      GatewayContext gw = (GatewayContext) ctx;
      gw.set(GatewayContext.JWT_CLAIMS, result.claims());
      if (result.subject() != null) {
        gw.user(result.subject());
      }
      return next.proceed(ctx);
    }

    private static Response invalid(PolicyContext ctx) {
      Response r = ctx.problem(401, "Unauthorized", "the access token is invalid");
      r.headers().set("WWW-Authenticate", INVALID_CHALLENGE);
      return r;
    }
  }
}
