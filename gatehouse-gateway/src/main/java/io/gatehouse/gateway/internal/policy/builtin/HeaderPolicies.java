package io.gatehouse.gateway.internal.policy.builtin;

import io.gatehouse.gateway.internal.policy.Expression;
import io.gatehouse.gateway.internal.policy.PolicyCompiler;
import io.gatehouse.gateway.internal.policy.PolicyConfig;
import io.gatehouse.gateway.internal.policy.Section;
import io.gatehouse.model.PolicyNames;
import io.gatehouse.policy.Headers;
import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.PolicyContext;
import io.gatehouse.policy.Required;
import io.gatehouse.policy.Response;
import io.gatehouse.policy.SyncPolicy;
import java.util.List;
import java.util.Locale;

/** {@code set-header} and {@code check-header}. */
final class HeaderPolicies {
  private HeaderPolicies() {}

  /** Sets, appends, deletes or adds-if-absent a header of the request or (in outbound, on-error) the response. */
  static final class SetHeader extends Base {
    SetHeader() {
      super(PolicyNames.SET_HEADER);
    }

    @Override
    public io.gatehouse.policy.Policy create(PolicyConfig c, Section section, PolicyCompiler compiler) {
      String name = c.requiredString("name");
      String action = c.oneOf("action", "override", "override", "append", "delete", "skip");
      List<String> values = c.strings("value");
      Expression expr = c.has("expression") ? compiler.expression("expression", c.string("expression", null), false) : null;
      if (!action.equals("delete") && values.isEmpty() && expr == null) {
        throw new PolicyConfigException("value", "is required unless action is delete (or give 'expression')");
      }
      if (expr != null && !values.isEmpty()) {
        throw new PolicyConfigException("expression", "give either 'value' or 'expression', not both");
      }
      boolean onResponse = section.onResponse();
      return new SyncPolicy() {
        @Override
        public Response onRequest(PolicyContext ctx) {
          if (!onResponse) {
            apply(ctx, ctx.request().headers());
          }
          return null;
        }

        @Override
        public void onResponse(PolicyContext ctx, Response response) {
          if (onResponse) {
            apply(ctx, response.headers());
          }
        }

        private void apply(PolicyContext ctx, Headers h) {
          switch (action) {
            case "delete":
              h.remove(name);
              return;
            case "skip":
              if (h.contains(name)) {
                return;
              }
              break;
            case "override":
              h.remove(name);
              break;
            default:
              break;
          }
          if (expr != null) {
            h.add(name, expr.string(gw(ctx)));
          } else {
            for (String v : values) {
              h.add(name, v);
            }
          }
        }
      };
    }
  }

  /** Refuses a request whose header is missing or has none of the allowed values. */
  static final class CheckHeader extends TypedBase<CheckHeader.Config> {

    /** The configuration of {@code check-header}. */
    record Config(@Required String name, Integer failedCheckHttpcode, String failedCheckErrorMessage,
        Boolean ignoreCase, List<String> values) {
      Config {
        failedCheckHttpcode = failedCheckHttpcode == null ? 401 : failedCheckHttpcode;
        if (failedCheckHttpcode < 400 || failedCheckHttpcode > 599) {
          throw new PolicyConfigException("failed-check-httpcode",
              "expected a number from 400 to 599 but got " + failedCheckHttpcode);
        }
        failedCheckErrorMessage = failedCheckErrorMessage == null
            ? "the " + name + " header is missing or not allowed" : failedCheckErrorMessage;
        ignoreCase = ignoreCase == null || ignoreCase;
        values = values == null ? List.of() : values;
      }
    }

    CheckHeader() {
      super(PolicyNames.CHECK_HEADER, Config.class);
    }

    @Override
    io.gatehouse.policy.Policy create(Config c, Section section, PolicyCompiler compiler) {
      requestSectionsOnly(name(), section);
      String name = c.name();
      int status = c.failedCheckHttpcode();
      String message = c.failedCheckErrorMessage();
      boolean ignoreCase = c.ignoreCase();
      List<String> values = c.values();
      return (SyncPolicy) ctx -> {
        List<String> got = ctx.request().headers().getAll(name);
        if (got.isEmpty()) {
          return ctx.problem(status, reason(status), message);
        }
        if (values.isEmpty()) {
          return null;
        }
        for (String g : got) {
          for (String v : values) {
            if (ignoreCase ? v.equalsIgnoreCase(g.trim()) : v.equals(g.trim())) {
              return null;
            }
          }
        }
        return ctx.problem(status, reason(status), message);
      };
    }
  }

  static String reason(int status) {
    switch (status) {
      case 400: return "Bad Request";
      case 401: return "Unauthorized";
      case 403: return "Forbidden";
      case 404: return "Not Found";
      case 429: return "Too Many Requests";
      case 500: return "Internal Server Error";
      case 503: return "Service Unavailable";
      default: return "Error " + status;
    }
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
