package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.Cidr;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.AttributeKey;
import io.gatehouse.policy.Headers;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Response;
import io.gatehouse.policy.SyncPolicy;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code ip-filter} and {@code cors}. */
final class AccessPolicies {
  private AccessPolicies() {}

  /** Admits or refuses the client's address (after trusted-proxy resolution) by CIDR lists. */
  static final class IpFilter extends Base {
    IpFilter() {
      super(PolicyNames.IP_FILTER);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      Cidr allow = cidr(c, "allow");
      Cidr deny = cidr(c, "deny");
      if (allow == null && deny == null) {
        throw new PolicyConfigException("allow", "give at least one of 'allow' and 'deny'");
      }
      return (SyncPolicy) ctx -> {
        String ip = ctx.clientIp();
        if ((deny != null && deny.contains(ip)) || (allow != null && !allow.contains(ip))) {
          return ctx.problem(403, "Forbidden", "the client address is not allowed");
        }
        return null;
      };
    }

    private static Cidr cidr(PolicyConfig c, String field) {
      List<String> ranges = c.strings(field);
      if (ranges.isEmpty()) {
        return null;
      }
      for (int i = 0; i < ranges.size(); i++) {
        try {
          Cidr.parse(List.of(ranges.get(i)));
        } catch (IllegalArgumentException e) {
          throw new PolicyConfigException(field + "[" + i + "]", e.getMessage());
        }
      }
      return Cidr.parse(ranges);
    }
  }

  /** Answers CORS preflights and adds CORS headers to responses for allowed origins. */
  static final class Cors extends Base {
    Cors() {
      super(PolicyNames.CORS);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      List<String> origins = c.strings("allowed-origins");
      if (origins.isEmpty()) {
        throw new PolicyConfigException("allowed-origins", "is required: list the origins, or '*'");
      }
      boolean anyOrigin = origins.contains("*");
      boolean credentials = c.bool("allow-credentials", false);
      if (anyOrigin && credentials) {
        throw new PolicyConfigException("allowed-origins",
            "'*' cannot be combined with allow-credentials: true; list the origins explicitly");
      }
      Set<String> originSet = new HashSet<>();
      for (String o : origins) {
        originSet.add(o.toLowerCase(Locale.ROOT));
      }
      List<String> methodList = c.strings("allowed-methods");
      List<String> methods = methodList.isEmpty() ? List.of("GET", "POST") : methodList;
      boolean anyMethod = methods.contains("*");
      Set<String> methodSet = new HashSet<>();
      methods.forEach(m -> methodSet.add(m.toUpperCase(Locale.ROOT)));
      List<String> headerList = c.strings("allowed-headers");
      boolean anyHeader = headerList.contains("*");
      Set<String> headerSet = new HashSet<>();
      headerList.forEach(h -> headerSet.add(h.toLowerCase(Locale.ROOT)));
      List<String> expose = c.strings("expose-headers");
      long maxAge = c.number("preflight-result-max-age", -1, 0, 86400 * 7L);
      AttributeKey<String> allowedOrigin = AttributeKey.of("cors.origin", String.class);
      String methodsValue = String.join(", ", methods);
      return new SyncPolicy() {
        @Override
        public Response onRequest(PolicyContext ctx) {
          Headers h = ctx.request().headers();
          String origin = h.get("Origin");
          if (origin == null) {
            return null;
          }
          boolean allowed = anyOrigin || originSet.contains(origin.toLowerCase(Locale.ROOT));
          String requested = h.get("Access-Control-Request-Method");
          if (ctx.request().method().equals("OPTIONS") && requested != null) {
            if (!allowed || !(anyMethod || methodSet.contains(requested.toUpperCase(Locale.ROOT)))
                || !headersAllowed(h.get("Access-Control-Request-Headers"))) {
              return ctx.problem(403, "Forbidden", "the CORS preflight request is not allowed");
            }
            Response r = ctx.respond(204, null, null);
            Headers rh = r.headers();
            allowOrigin(rh, origin);
            rh.set("Access-Control-Allow-Methods", anyMethod ? requested : methodsValue);
            String reqHeaders = h.get("Access-Control-Request-Headers");
            if (reqHeaders != null && !reqHeaders.isBlank()) {
              rh.set("Access-Control-Allow-Headers", reqHeaders);
            }
            if (maxAge >= 0) {
              rh.set("Access-Control-Max-Age", Long.toString(maxAge));
            }
            return r;
          }
          if (allowed) {
            ctx.set(allowedOrigin, origin);
          }
          return null;
        }

        @Override
        public void onResponse(PolicyContext ctx, Response response) {
          String origin = ctx.get(allowedOrigin);
          if (origin == null) {
            return;
          }
          Headers rh = response.headers();
          allowOrigin(rh, origin);
          if (!expose.isEmpty()) {
            rh.set("Access-Control-Expose-Headers", String.join(", ", expose));
          }
        }

        private void allowOrigin(Headers rh, String origin) {
          rh.set("Access-Control-Allow-Origin", anyOrigin ? "*" : origin);
          if (!anyOrigin) {
            rh.add("Vary", "Origin");
          }
          if (credentials) {
            rh.set("Access-Control-Allow-Credentials", "true");
          }
        }

        private boolean headersAllowed(String requested) {
          if (requested == null || requested.isBlank() || anyHeader) {
            return true;
          }
          for (String name : requested.split(",")) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (!n.isEmpty() && !headerSet.contains(n)) {
              return false;
            }
          }
          return true;
        }
      };
    }
  }
}
