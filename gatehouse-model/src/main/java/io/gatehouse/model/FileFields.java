package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The declaration of the configuration fields that name files on the server, and the search for
 * them: {@code backends[].tls.caFile}, {@code clientCert}, {@code clientKey}, and the
 * {@code validate-client-certificate} policy's {@code crl-file} and {@code trusted-ca} entries that
 * are paths rather than PEM text, and the folders the {@code waf} policy's {@code rules} globs search.
 * Whoever writes such a field makes the server read that file.
 */
public final class FileFields {
  /** A policy whose configuration names files. */
  public static final String CLIENT_CERTIFICATE_POLICY = "validate-client-certificate";
  /** A policy whose {@code rules} are globs of rule files on the server. */
  public static final String WAF_POLICY = "waf";

  /**
   * One file a configuration names.
   *
   * @param at where, for example {@code backend 'orders' tls.caFile}
   * @param path the path as written
   */
  public record Use(String at, String path) {}

  private FileFields() {}

  /** Every file {@code config} names, in configuration order. */
  public static List<Use> of(GatewayConfig config) {
    requireNonNull(config, "config");
    List<Use> out = new ArrayList<>();
    for (BackendDef b : config.backends()) {
      BackendDef.Tls tls = b.tls();
      if (tls != null) {
        add(out, "backend '" + b.name() + "' tls.caFile", tls.caFile());
        add(out, "backend '" + b.name() + "' tls.clientCert", tls.clientCert());
        add(out, "backend '" + b.name() + "' tls.clientKey", tls.clientKey());
      }
    }
    scope(out, "global", config.policies());
    for (ProductDef p : config.products()) {
      scope(out, "product '" + p.name() + "'", p.policies());
    }
    for (ApiDef a : config.apis()) {
      scope(out, "api '" + a.name() + "'", a.policies());
      for (OperationDef op : a.operations()) {
        scope(out, "api '" + a.name() + "' operation '" + op + "'", op.policies());
      }
    }
    return out;
  }

  private static void scope(List<Use> out, String where, PoliciesDef policies) {
    if (policies == null) {
      return;
    }
    entries(out, where + " policies.inbound", policies.inbound());
    entries(out, where + " policies.backend", policies.backend());
    entries(out, where + " policies.outbound", policies.outbound());
    entries(out, where + " policies.on-error", policies.onError());
  }

  private static void entries(List<Use> out, String at, List<?> entries) {
    for (int i = 0; i < entries.size(); i++) {
      if (!(entries.get(i) instanceof Map<?, ?> entry)) {
        continue;
      }
      for (Map.Entry<?, ?> e : entry.entrySet()) {
        String where = at + "[" + i + "]." + e.getKey();
        if (!(e.getValue() instanceof Map<?, ?> config)) {
          continue;
        }
        if (CLIENT_CERTIFICATE_POLICY.equals(e.getKey())) {
          if (config.get("crl-file") instanceof String crl) {
            add(out, where + ".crl-file", crl);
          }
          Object cas = config.get("trusted-ca");
          List<?> list = cas instanceof List<?> l ? l : cas == null ? List.of() : List.of(cas);
          for (int j = 0; j < list.size(); j++) {
            if (list.get(j) instanceof String ca && !ca.strip().startsWith("-----BEGIN")) {
              add(out, where + ".trusted-ca[" + j + "]", ca);
            }
          }
        } else if (WAF_POLICY.equals(e.getKey())) {
          Object rules = config.get("rules");
          List<?> list = rules instanceof List<?> l ? l : rules == null ? List.of() : List.of(rules);
          for (int j = 0; j < list.size(); j++) {
            if (list.get(j) instanceof String glob) {
              add(out, where + ".rules[" + j + "]", searched(glob));
            }
          }
        } else if ("choose".equals(e.getKey())) {
          if (config.get("when") instanceof List<?> when) {
            for (int j = 0; j < when.size(); j++) {
              if (when.get(j) instanceof Map<?, ?> branch && branch.get("policies") instanceof List<?> nested) {
                entries(out, where + ".when[" + j + "].policies", nested);
              }
            }
          }
          if (config.get("otherwise") instanceof List<?> otherwise) {
            entries(out, where + ".otherwise", otherwise);
          }
        }
      }
    }
  }

  private static void add(List<Use> out, String at, String path) {
    if (path != null && !path.isBlank()) {
      out.add(new Use(at, path));
    }
  }

  /** The part of {@code glob} before its first wildcard segment: the file, or the folder it searches. */
  static String searched(String glob) {
    String g = glob.replace('\\', '/');
    int wild = -1;
    for (int i = 0; i < g.length(); i++) {
      if ("*?[{".indexOf(g.charAt(i)) >= 0) {
        wild = i;
        break;
      }
    }
    if (wild < 0) {
      return glob;
    }
    int slash = g.lastIndexOf('/', wild);
    return slash <= 0 ? (slash == 0 ? "/" : ".") : g.substring(0, slash + 1);
  }
}
