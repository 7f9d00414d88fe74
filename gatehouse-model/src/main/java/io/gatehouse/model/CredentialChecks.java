package io.gatehouse.model;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The backend-credentials part of {@link ConfigValidator}: complete settings, known named values, no clashes. */
final class CredentialChecks {
  private static final Pattern NAMED_VALUE_REF = Pattern.compile("\\$\\{nv:([^}]*)}");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  /** Headers the gateway manages itself; a credential header must not replace them. */
  private static final Set<String> RESERVED = Set.of("host", "content-length", "transfer-encoding", "connection",
      "upgrade", "te", "trailer", "keep-alive", "proxy-connection", "x-request-id", "x-forwarded-for",
      "x-forwarded-proto", "x-forwarded-host", "forwarded");

  private CredentialChecks() {}

  static void check(List<ConfigProblem> out, GatewayConfig config, String at, BackendDef.Credentials c) {
    if (c == null) {
      return;
    }
    String base = at + ".credentials";
    if (c.basic() == null && c.header() == null && c.query() == null && c.oauth2() == null) {
      out.add(ConfigProblem.at(base, "expected at least one of 'basic', 'header', 'query', 'oauth2' but got none"));
    }
    if (c.basic() != null && c.oauth2() != null) {
      out.add(ConfigProblem.at(base, "expected at most one of 'basic' and 'oauth2' (both set Authorization) but got both"));
    }
    if (c.basic() != null) {
      String user = required(out, base + ".basic.username", c.basic().username());
      required(out, base + ".basic.password", c.basic().password());
      if (user != null && user.indexOf(':') >= 0) {
        out.add(ConfigProblem.at(base + ".basic.username", "expected a user name without ':' but got '" + user + "'"));
      }
      refs(out, config, base + ".basic.username", c.basic().username());
      secret(out, config, base + ".basic.password", c.basic().password());
    }
    if (c.header() != null) {
      String name = required(out, base + ".header.name", c.header().name());
      required(out, base + ".header.value", c.header().value());
      if (name != null) {
        if (!TOKEN.matcher(name).matches()) {
          out.add(ConfigProblem.at(base + ".header.name", "expected a header name (RFC 9110 token) but got '" + name + "'"));
        } else if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
          out.add(ConfigProblem.at(base + ".header.name", "expected a header the gateway does not manage but got '"
              + name + "'"));
        } else if (name.equalsIgnoreCase("authorization") && (c.basic() != null || c.oauth2() != null)) {
          out.add(ConfigProblem.at(base + ".header.name",
              "expected a header other than Authorization next to 'basic' or 'oauth2' but got '" + name + "'"));
        }
      }
      if (c.header().value() != null && (c.header().value().indexOf('\r') >= 0 || c.header().value().indexOf('\n') >= 0)) {
        out.add(ConfigProblem.at(base + ".header.value", "expected a value without line breaks"));
      }
      secret(out, config, base + ".header.value", c.header().value());
    }
    if (c.query() != null) {
      required(out, base + ".query.name", c.query().name());
      required(out, base + ".query.value", c.query().value());
      secret(out, config, base + ".query.value", c.query().value());
    }
    BackendDef.OAuth2 o = c.oauth2();
    if (o != null) {
      String p = base + ".oauth2";
      String url = required(out, p + ".tokenUrl", o.tokenUrl());
      required(out, p + ".clientId", o.clientId());
      required(out, p + ".clientSecret", o.clientSecret());
      if (url != null && OutboundUrls.userInfoProblem(url) != null) {
        out.add(ConfigProblem.at(p + ".tokenUrl", OutboundUrls.userInfoProblem(url)));
      } else if (url != null && !NAMED_VALUE_REF.matcher(url).find()) {
        tokenUrl(out, p + ".tokenUrl", url);
      }
      if (o.clientAuth() != null && !BackendDef.OAuth2.CLIENT_AUTH.contains(o.clientAuth())) {
        out.add(ConfigProblem.at(p + ".clientAuth",
            "expected one of " + BackendDef.OAuth2.CLIENT_AUTH + " but got '" + o.clientAuth() + "'"));
      }
      refs(out, config, p + ".tokenUrl", o.tokenUrl());
      refs(out, config, p + ".clientId", o.clientId());
      secret(out, config, p + ".clientSecret", o.clientSecret());
    }
  }

  private static void tokenUrl(List<ConfigProblem> out, String at, String url) {
    try {
      URI u = new URI(url);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
        out.add(ConfigProblem.at(at, "expected an absolute http:// or https:// URL but got '" + url + "'"));
      }
    } catch (URISyntaxException e) {
      out.add(ConfigProblem.at(at, "expected an absolute http:// or https:// URL but got '" + url + "'"));
    }
  }

  private static String required(List<ConfigProblem> out, String at, String value) {
    if (value == null || value.isBlank()) {
      out.add(ConfigProblem.at(at, "missing required field '" + at.substring(at.lastIndexOf('.') + 1) + "'"));
      return null;
    }
    return value;
  }

  /**
   * A secret must come from a {@code secret} or {@code reference} named value, so that it is
   * encrypted at rest (or never stored) and never returned by the API.
   */
  private static void secret(List<ConfigProblem> out, GatewayConfig config, String at, String text) {
    if (text == null || text.isBlank()) {
      return;
    }
    Matcher m = NAMED_VALUE_REF.matcher(text);
    boolean any = false;
    while (m.find()) {
      any = true;
      var nv = config.namedValue(m.group(1));
      if (nv.isEmpty()) {
        out.add(ConfigProblem.at(at, "unknown named value '" + m.group(1) + "'"));
      } else if (NamedValueDef.PLAIN.equals(nv.get().type())) {
        out.add(ConfigProblem.at(at, "expected a named value of type secret or reference for a credential but '"
            + m.group(1) + "' is plain"));
      }
    }
    if (!any) {
      out.add(ConfigProblem.at(at, "expected a reference to a secret named value (${nv:NAME}) so that the credential"
          + " is encrypted at rest, but got a literal value"));
    }
  }

  private static void refs(List<ConfigProblem> out, GatewayConfig config, String at, String text) {
    if (text == null) {
      return;
    }
    Matcher m = NAMED_VALUE_REF.matcher(text);
    while (m.find()) {
      if (config.namedValue(m.group(1)).isEmpty()) {
        out.add(ConfigProblem.at(at, "unknown named value '" + m.group(1) + "'"));
      }
    }
  }
}
