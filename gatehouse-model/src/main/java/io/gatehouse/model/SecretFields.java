package io.gatehouse.model;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The declaration of the fields that are meant to carry secrets (credentials, header values sent
 * to backends), and the search for secret named values ({@code secret} and {@code reference}
 * types) placed anywhere else, where the gateway could show them to a client.
 *
 * <p>Each built-in policy that takes a secret declares its secret-bearing fields here as a
 * {@link Field}: the policy, the field's path in the policy's configuration ({@code *} stands for
 * any one key, list positions are ignored) and the sections where the field's value leaves the
 * gateway only towards the backend. Backend credentials ({@code backends[].credentials}) are
 * secret-bearing as a whole. Plain named values may go anywhere.
 */
public final class SecretFields {
  /** The sections whose policies act on the request sent to the backend. */
  public static final Set<String> REQUEST_SECTIONS = Set.of("inbound", "backend");

  /**
   * A secret-bearing field of a policy.
   *
   * @param policy the policy name, for example {@code set-header}
   * @param path the field's path in the policy's configuration, for example {@code value} or {@code headers.*}
   * @param sections the sections in which the field is secret-bearing
   */
  public record Field(String policy, String path, Set<String> sections) {
    public Field {
      requireNonNull(policy, "policy");
      requireNonNull(path, "path");
      sections = Set.copyOf(sections);
    }

    boolean matches(String policy, String path, String section) {
      return this.policy.equals(policy) && sections.contains(section) && pathMatches(this.path, path);
    }
  }

  /** Every secret-bearing policy field. */
  public static final List<Field> POLICY_FIELDS = List.of(
      // a header or query parameter of the request to the backend (API keys, bearer tokens)
      new Field("set-header", "value", REQUEST_SECTIONS),
      new Field("set-query-parameter", "value", REQUEST_SECTIONS),
      // the headers of a side request sent by send-request (its response is not returned as is)
      new Field("send-request", "headers.*", REQUEST_SECTIONS),
      // the values a client's header is compared with (a shared secret; never sent anywhere)
      new Field("check-header", "values", REQUEST_SECTIONS));

  /**
   * A secret named value placed outside the secret-bearing fields.
   *
   * @param at where, for example {@code api 'orders' policies.inbound[0].return-response.body}
   * @param namedValue the named value's name
   */
  public record Placement(String at, String namedValue) {
    /** {@link #at()} without list positions, so that moving a placement within a list keeps its identity. */
    public String key() {
      return at.replaceAll("\\[\\d+]", "[]") + " ${nv:" + namedValue + "}";
    }
  }

  private static final Pattern NAMED_VALUE = Pattern.compile("\\$\\{nv:([^}]*)}");
  private static final List<String> SECTIONS = List.of("inbound", "backend", "outbound", "on-error");

  private SecretFields() {}

  /**
   * Every place in {@code config} where a secret or reference named value is used outside a
   * secret-bearing field: policies of every scope and backend URLs.
   */
  public static List<Placement> exposed(GatewayConfig config) {
    requireNonNull(config, "config");
    Set<String> secret = new LinkedHashSet<>();
    for (NamedValueDef nv : config.namedValues()) {
      if (nv.isSecret() || nv.isReference()) {
        secret.add(nv.name());
      }
    }
    List<Placement> out = new ArrayList<>();
    if (secret.isEmpty()) {
      return out;
    }
    scope(out, secret, "global", config.policies());
    for (ProductDef p : config.products()) {
      scope(out, secret, "product '" + p.name() + "'", p.policies());
    }
    for (ApiDef a : config.apis()) {
      scope(out, secret, "api '" + a.name() + "'", a.policies());
      for (OperationDef op : a.operations()) {
        scope(out, secret, "api '" + a.name() + "' operation '" + op + "'", op.policies());
      }
    }
    for (BackendDef b : config.backends()) {
      text(out, secret, "backend '" + b.name() + "' url", b.url());
      if (b.members() != null) {
        for (int j = 0; j < b.members().size(); j++) {
          text(out, secret, "backend '" + b.name() + "' members[" + j + "].url", b.members().get(j).url());
        }
      }
      if (b.credentials() != null && b.credentials().oauth2() != null) {
        BackendDef.OAuth2 o = b.credentials().oauth2();
        text(out, secret, "backend '" + b.name() + "' credentials.oauth2.tokenUrl", o.tokenUrl());
        text(out, secret, "backend '" + b.name() + "' credentials.oauth2.scope", o.scope());
        text(out, secret, "backend '" + b.name() + "' credentials.oauth2.audience", o.audience());
      }
    }
    return out;
  }

  private static void scope(List<Placement> out, Set<String> secret, String where, PoliciesDef policies) {
    if (policies == null) {
      return;
    }
    List<List<Object>> sections = List.of(policies.inbound(), policies.backend(), policies.outbound(), policies.onError());
    for (int s = 0; s < sections.size(); s++) {
      entries(out, secret, where + " policies." + SECTIONS.get(s), SECTIONS.get(s), sections.get(s));
    }
  }

  private static void entries(List<Placement> out, Set<String> secret, String at, String section, List<?> entries) {
    for (int i = 0; i < entries.size(); i++) {
      if (!(entries.get(i) instanceof Map<?, ?> entry)) {
        continue; // base, or a malformed entry the gateway refuses
      }
      for (Map.Entry<?, ?> e : entry.entrySet()) {
        String policy = String.valueOf(e.getKey());
        config(out, secret, at + "[" + i + "]." + policy, policy, section, "", e.getValue());
      }
    }
  }

  private static void config(List<Placement> out, Set<String> secret, String at, String policy, String section,
      String path, Object value) {
    if (value instanceof String s) {
      Matcher m = NAMED_VALUE.matcher(s);
      while (m.find()) {
        if (secret.contains(m.group(1))
            && POLICY_FIELDS.stream().noneMatch(f -> f.matches(policy, path, section))) {
          out.add(new Placement(at, m.group(1)));
        }
      }
    } else if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String k = String.valueOf(e.getKey());
        config(out, secret, at + "." + k, policy, section, path.isEmpty() ? k : path + "." + k, e.getValue());
      }
    } else if (value instanceof List<?> list) {
      boolean nested = policy.equals("choose") && (path.equals("otherwise") || path.equals("when.policies"));
      if (nested) {
        entries(out, secret, at, section, list); // a branch's policies are policies of the same section
        return;
      }
      for (int i = 0; i < list.size(); i++) {
        config(out, secret, at + "[" + i + "]", policy, section, path, list.get(i));
      }
    }
  }

  private static void text(List<Placement> out, Set<String> secret, String at, String text) {
    if (text == null) {
      return;
    }
    Matcher m = NAMED_VALUE.matcher(text);
    while (m.find()) {
      if (secret.contains(m.group(1))) {
        out.add(new Placement(at, m.group(1)));
      }
    }
  }

  private static boolean pathMatches(String pattern, String path) {
    String[] p = pattern.split("\\.");
    String[] a = path.split("\\.");
    if (p.length != a.length) {
      return false;
    }
    for (int i = 0; i < p.length; i++) {
      if (!p[i].equals("*") && !p[i].equals(a[i])) {
        return false;
      }
    }
    return true;
  }
}
