package io.gatehouse.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a configuration for problems that types alone cannot express: unique names, references
 * that resolve, well-formed paths, URLs and templates.
 */
public final class ConfigValidator {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern NAMED_VALUE_REF = Pattern.compile("\\$\\{nv:([^}]*)}");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  /** A host as the gateway normalizes request hosts: DNS-style name or bracketed IPv6, no port. */
  private static final Pattern HOST =
      Pattern.compile("[A-Za-z0-9_-]{1,63}(\\.[A-Za-z0-9_-]{1,63})*\\.?|\\[[0-9A-Fa-f:.]+]");
  private static final Set<String> SUBSCRIPTION_STATES =
      Set.of("active", "pending", "suspended", "cancelled", "expired");
  private static final Set<String> USER_STATES = Set.of("active", "blocked");

  private ConfigValidator() {}

  private static void inventory(List<ConfigProblem> out, String at, InventoryDef inv) {
    oneOf(out, at + ".lifecycle", inv.lifecycle(), InventoryDef.LIFECYCLES);
    oneOf(out, at + ".exposure", inv.exposure(), InventoryDef.EXPOSURES);
    oneOf(out, at + ".classification", inv.classification(), InventoryDef.CLASSIFICATIONS);
  }

  private static void oneOf(List<ConfigProblem> out, String at, String value, List<String> allowed) {
    if (value != null && !allowed.contains(value)) {
      out.add(ConfigProblem.at(at, "expected one of " + allowed + " but got '" + value + "'"));
    }
  }

  /** Every problem in {@code config}; empty when it is valid. */
  public static List<ConfigProblem> validate(GatewayConfig config) {
    List<ConfigProblem> out = new ArrayList<>();
    names(out, "backends", config.backends(), BackendDef::name);
    names(out, "apis", config.apis(), ApiDef::name);
    names(out, "products", config.products(), ProductDef::name);
    names(out, "subscriptions", config.subscriptions(), SubscriptionDef::name);
    names(out, "namedValues", config.namedValues(), NamedValueDef::name);
    names(out, "users", config.users(), UserDef::name);
    out.addAll(TagSelection.problems(config));
    for (int i = 0; i < config.namedValues().size(); i++) {
      namedValue(out, "namedValues[" + i + "]", config.namedValues().get(i));
    }

    for (int i = 0; i < config.backends().size(); i++) {
      BackendDef b = config.backends().get(i);
      String at = "backends[" + i + "]";
      boolean hasMembers = b.members() != null && !b.members().isEmpty();
      if (b.url() == null && !hasMembers) {
        out.add(ConfigProblem.at(at, "expected 'url' or 'members' but got neither"));
      } else if (b.url() != null && hasMembers) {
        out.add(ConfigProblem.at(at, "expected either 'url' or 'members' but got both"));
      }
      if (b.url() != null) {
        backendUrl(out, config, at + ".url", b.url());
      }
      if (hasMembers) {
        for (int j = 0; j < b.members().size(); j++) {
          BackendDef.Member m = b.members().get(j);
          String mAt = at + ".members[" + j + "]";
          backendUrl(out, config, mAt + ".url", m.url());
          if (m.weight() <= 0) {
            out.add(ConfigProblem.at(mAt + ".weight", "expected a weight > 0 but got " + m.weight()));
          }
          if (m.priority() < 0) {
            out.add(ConfigProblem.at(mAt + ".priority", "expected a priority >= 0 but got " + m.priority()));
          }
        }
      }
      BackendChecks.check(out, at, b);
      CredentialChecks.check(out, config, at, b.credentials());
    }

    Map<String, String> routes = new HashMap<>();
    for (int i = 0; i < config.apis().size(); i++) {
      ApiDef api = config.apis().get(i);
      String at = "apis[" + i + "]";
      if (!api.path().startsWith("/")) {
        out.add(ConfigProblem.at(at + ".path", "expected a path starting with '/' but got '" + api.path() + "'"));
      } else if (api.path().length() > 1 && api.path().endsWith("/")) {
        out.add(ConfigProblem.at(at + ".path", "expected no trailing '/' but got '" + api.path() + "'"));
      } else {
        String problem = unmatchablePath(api.path());
        if (problem != null) {
          out.add(ConfigProblem.at(at + ".path", problem));
        }
      }
      if (api.backend() == null) {
        out.add(ConfigProblem.at(at + ".backend", "missing required field 'backend'"));
      } else if (config.backend(api.backend()).isEmpty()) {
        out.add(ConfigProblem.at(at + ".backend",
            "unknown backend '" + api.backend() + "'; expected one of " + namesOf(config.backends(), BackendDef::name)));
      }
      for (int j = 0; j < api.protocols().size(); j++) {
        String p = api.protocols().get(j);
        if (!p.equals("http") && !p.equals("https")) {
          out.add(ConfigProblem.at(at + ".protocols[" + j + "]", "expected 'http' or 'https' but got '" + p + "'"));
        }
      }
      if (!TOKEN.matcher(api.subscriptionKeyHeader()).matches()) {
        out.add(ConfigProblem.at(at + ".subscriptionKeyHeader", "expected a header name but got '" + api.subscriptionKeyHeader() + "'"));
      }
      for (int j = 0; j < api.hosts().size(); j++) {
        String host = api.hosts().get(j);
        if (!HOST.matcher(host).matches()) {
          out.add(ConfigProblem.at(at + ".hosts[" + j + "]", "expected a host name (letters, digits, '-', '_', dots) "
              + "or a bracketed IPv6 address, without a port, but got '" + host + "'"));
        }
      }
      List<String> hosts = api.hosts().isEmpty() ? List.of("*") : api.hosts();
      for (String host : hosts) {
        String normalized = host.toLowerCase(java.util.Locale.ROOT);
        if (normalized.endsWith(".")) {
          normalized = normalized.substring(0, normalized.length() - 1); // requests are matched without it
        }
        String key = normalized + " " + api.path();
        String previous = routes.putIfAbsent(key, api.name());
        if (previous != null) {
          out.add(ConfigProblem.at(at + ".path",
              "path '" + api.path() + "' on host '" + host + "' is already used by API '" + previous + "'"));
        }
      }
      Set<String> seenOps = new HashSet<>();
      for (int j = 0; j < api.operations().size(); j++) {
        OperationDef op = api.operations().get(j);
        String opAt = at + ".operations[" + j + "]";
        if (!op.resolved()) {
          out.add(ConfigProblem.at(opAt, "operationId '" + op.operationId() + "' names an operation of the API's"
              + " OpenAPI document, but " + (api.openapi() == null ? "the API has no 'openapi'" : "it was not imported")
              + "; add 'openapi' or write the operation as 'METHOD /path'"));
          continue;
        }
        if (!seenOps.add(op.toString())) {
          out.add(ConfigProblem.at(opAt, "duplicate operation '" + op + "'"));
        }
        checkTemplate(out, opAt, op.path());
      }
      inventory(out, at + ".inventory", api.inventory());
      if (api.openapi() != null && api.openapi().inline() == null) {
        out.add(ConfigProblem.at(at + ".openapi", "expected one of 'file', 'url' or 'inline'"));
      }
      ApiDef.WebSocket ws = api.websocket();
      if (ws != null) {
        if (ws.idleTimeout().isNegative() || ws.idleTimeout().isZero()) {
          out.add(ConfigProblem.at(at + ".websocket.idleTimeout", "expected a positive duration but got " + ws.idleTimeout()));
        }
        if (ws.maxMessageSize() < 1 || ws.maxMessageSize() > ApiDef.WebSocket.MAX_MESSAGE_SIZE_LIMIT) {
          out.add(ConfigProblem.at(at + ".websocket.maxMessageSize", "expected 1 to "
              + ApiDef.WebSocket.MAX_MESSAGE_SIZE_LIMIT + " bytes but got " + ws.maxMessageSize()));
        }
      }
    }

    for (int i = 0; i < config.products().size(); i++) {
      ProductDef product = config.products().get(i);
      for (int j = 0; j < product.apis().size(); j++) {
        String api = product.apis().get(j);
        if (config.api(api).isEmpty()) {
          out.add(ConfigProblem.at("products[" + i + "].apis[" + j + "]",
              "unknown API '" + api + "'; expected one of " + namesOf(config.apis(), ApiDef::name)));
        }
      }
    }

    Map<String, String> keyOwners = new HashMap<>();
    for (int i = 0; i < config.subscriptions().size(); i++) {
      SubscriptionDef s = config.subscriptions().get(i).hashed();
      String at = "subscriptions[" + i + "]";
      checkScope(out, config, at + ".scope", s.scope());
      if (!SUBSCRIPTION_STATES.contains(s.state())) {
        out.add(ConfigProblem.at(at + ".state", "expected one of " + sorted(SUBSCRIPTION_STATES) + " but got '" + s.state() + "'"));
      }
      if (s.owner() != null && config.users().stream().noneMatch(u -> u.name().equals(s.owner()))) {
        out.add(ConfigProblem.at(at + ".owner", "unknown user '" + s.owner() + "'"));
      }
      checkKey(out, at + ".primaryKey", config.subscriptions().get(i).primaryKey());
      checkKey(out, at + ".secondaryKey", config.subscriptions().get(i).secondaryKey());
      for (String hash : new String[] {s.primaryKeyHash(), s.secondaryKeyHash()}) {
        if (hash == null) {
          continue;
        }
        if (!SubscriptionKeys.isHash(hash)) {
          out.add(ConfigProblem.at(at, "expected a key hash 'hmac-sha256:<64 hex digits>' or 'sha256:<64 hex digits>'"
              + " but got '" + hash + "'"));
          continue;
        }
        String previous = keyOwners.putIfAbsent(hash, s.name());
        if (previous != null && !previous.equals(s.name())) {
          out.add(ConfigProblem.at(at, "a key of this subscription is also a key of subscription '" + previous + "'"));
        }
      }
    }

    for (int i = 0; i < config.users().size(); i++) {
      UserDef u = config.users().get(i);
      if (!USER_STATES.contains(u.state())) {
        out.add(ConfigProblem.at("users[" + i + "].state", "expected one of " + sorted(USER_STATES) + " but got '" + u.state() + "'"));
      }
    }
    AdvisorChecks.check(out, config);
    return out;
  }

  private static void backendUrl(List<ConfigProblem> out, GatewayConfig config, String at, String url) {
    String userInfo = OutboundUrls.userInfoProblem(url);
    if (userInfo != null) {
      out.add(ConfigProblem.at(at, userInfo));
    } else if (NAMED_VALUE_REF.matcher(url).find()) {
      namedValueRefs(out, config, at, url);
    } else {
      checkUrl(out, at, url);
    }
  }

  private static void checkKey(List<ConfigProblem> out, String at, String key) {
    if (key != null && key.length() < 16) {
      out.add(ConfigProblem.at(at, "expected a key of at least 16 characters but got " + key.length()));
    }
  }

  private static void checkScope(List<ConfigProblem> out, GatewayConfig config, String at, String scope) {
    if (scope.equals("all")) {
      return;
    }
    if (scope.startsWith("product:")) {
      String name = scope.substring("product:".length());
      if (config.product(name).isEmpty()) {
        out.add(ConfigProblem.at(at, "unknown product '" + name + "'"));
      }
    } else if (scope.startsWith("api:")) {
      String name = scope.substring("api:".length());
      if (config.api(name).isEmpty()) {
        out.add(ConfigProblem.at(at, "unknown API '" + name + "'"));
      }
    } else {
      out.add(ConfigProblem.at(at, "expected 'all', 'product:NAME' or 'api:NAME' but got '" + scope + "'"));
    }
  }

  private static void checkTemplate(List<ConfigProblem> out, String at, String path) {
    if (!path.startsWith("/")) {
      out.add(ConfigProblem.at(at, "expected a path starting with '/' but got '" + path + "'"));
      return;
    }
    String problem = unmatchablePath(path);
    if (problem != null) {
      out.add(ConfigProblem.at(at, problem));
    }
    try {
      PathTemplate.parse(path);
    } catch (IllegalArgumentException e) {
      out.add(ConfigProblem.at(at, e.getMessage()));
    }
  }

  /**
   * Why no request could ever match {@code path} once the gateway normalized the request's path
   * (dot and empty segments, backslashes, parameters, fragments and queries are refused or
   * stripped there; escapes of unreserved characters are decoded, others upper-cased), or
   * {@code null}.
   */
  static String unmatchablePath(String path) {
    for (String seg : path.substring(1).split("/", -1)) {
      if (seg.equals(".") || seg.equals("..")) {
        return "expected no '.' or '..' segment but got '" + path + "'";
      }
    }
    if (path.length() > 1 && path.substring(0, path.length() - 1).contains("//")) {
      return "expected no empty segment ('//') but got '" + path + "'";
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == ';' || c == '\\' || c == '#' || c == '?' || c <= ' ' || c >= 0x7F) {
        return "expected no ';', '\\', '#', '?', space or non-ASCII character but got '" + path + "'";
      }
      if (c == '%') {
        String hex = i + 2 < path.length() ? path.substring(i + 1, i + 3) : "";
        int v = hex.matches("[0-9A-F]{2}") ? Integer.parseInt(hex, 16) : -1;
        boolean unreserved = v >= 0 && (Character.isLetterOrDigit(v) && v < 0x80 || v == '-' || v == '.' || v == '_' || v == '~');
        if (v < 0 || unreserved || v == '\\' || v == 0) {
          return "expected '%' followed by two upper-case hex digits of a reserved character (requests are "
              + "matched with unreserved characters decoded, '%5C' and '%00' refused) but got '" + path + "'";
        }
      }
    }
    return null;
  }

  private static void checkUrl(List<ConfigProblem> out, String at, String url) {
    try {
      URI uri = new URI(url);
      if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        out.add(ConfigProblem.at(at, "expected an absolute http:// or https:// URL but got '" + url + "'"));
      } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        out.add(ConfigProblem.at(at, "expected a base URL without query or fragment but got '" + url + "'"));
      }
    } catch (URISyntaxException e) {
      out.add(ConfigProblem.at(at, "expected a URL but got '" + url + "': " + e.getReason()));
    }
  }

  private static final Pattern REFERENCE = Pattern.compile("(env:[A-Za-z_][A-Za-z0-9_]*|file:.+|vault:[^#\\s]+/[^#\\s]+#.+)");

  private static void namedValue(List<ConfigProblem> out, String at, NamedValueDef nv) {
    switch (nv.type()) {
      case NamedValueDef.PLAIN -> {
        if (nv.value() == null) {
          out.add(ConfigProblem.at(at + ".value", "expected a value for a plain named value but got none"));
        }
        if (nv.ref() != null || nv.sealed() != null) {
          out.add(ConfigProblem.at(at, "expected only 'value' for a plain named value; use type secret or reference"));
        }
      }
      case NamedValueDef.SECRET -> {
        if ((nv.value() == null) == (nv.sealed() == null)) {
          out.add(ConfigProblem.at(at, "expected exactly one of 'value' or 'sealed' for a secret named value"));
        }
        if (nv.ref() != null) {
          out.add(ConfigProblem.at(at + ".ref", "expected no 'ref' for a secret named value; use type reference"));
        }
      }
      case NamedValueDef.REFERENCE -> {
        if (nv.ref() == null || !REFERENCE.matcher(nv.ref()).matches()) {
          out.add(ConfigProblem.at(at + ".ref", "expected env:NAME, file:PATH or vault:MOUNT/PATH#FIELD but got "
              + (nv.ref() == null ? "none" : "'" + nv.ref() + "'")));
        }
        if (nv.value() != null || nv.sealed() != null) {
          out.add(ConfigProblem.at(at, "expected only 'ref' for a reference named value"));
        }
      }
      default -> out.add(ConfigProblem.at(at + ".type", "expected plain, secret or reference but got '" + nv.type() + "'"));
    }
  }

  private static void namedValueRefs(List<ConfigProblem> out, GatewayConfig config, String at, String text) {
    Matcher m = NAMED_VALUE_REF.matcher(text);
    while (m.find()) {
      if (config.namedValue(m.group(1)).isEmpty()) {
        out.add(ConfigProblem.at(at, "unknown named value '" + m.group(1) + "'"));
      }
    }
  }

  private static <T> void names(List<ConfigProblem> out, String kind, List<T> items, Function<T, String> name) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String n = name.apply(items.get(i));
      if (!NAME.matcher(n).matches()) {
        out.add(ConfigProblem.at(kind + "[" + i + "].name",
            "expected letters, digits, '.', '_' or '-' (at most 128) but got '" + n + "'"));
      } else if (!seen.add(n)) {
        out.add(ConfigProblem.at(kind + "[" + i + "].name", "duplicate name '" + n + "'"));
      }
    }
  }

  private static <T> List<String> namesOf(List<T> items, Function<T, String> name) {
    return items.stream().map(name).sorted().toList();
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }
}
