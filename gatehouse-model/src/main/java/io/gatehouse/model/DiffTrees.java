package io.gatehouse.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The JSON trees that {@link ConfigDiff} compares: each entity collection keyed by name, and every
 * secret-bearing value replaced by a {@link Secret} placeholder that compares like the value but
 * cannot show it.
 *
 * <p>Secret-bearing values: the value and sealed form of {@code secret} named values, subscription
 * keys and key hashes (one value, {@code keys}, stands for all four fields), backend credentials (passwords, header and query values, OAuth 2.0 client
 * secrets) and the policy fields declared in {@link SecretFields#POLICY_FIELDS}. A credential or
 * policy field that holds only {@code ${nv:NAME}} references names secrets without being one, and
 * stays visible.
 */
final class DiffTrees {
  /** The entity collections, keyed by name in the trees. */
  static final List<String> KINDS = List.of("backends", "apis", "products", "subscriptions", "namedValues", "users");
  /** What a secret-bearing value shows instead of itself. */
  static final String SHOWN = "(secret)";

  private static final List<String> SECTIONS = List.of("inbound", "backend", "outbound", "on-error");
  private static final List<String> KEY_FIELDS = List.of("primaryKey", "secondaryKey", "primaryKeyHash", "secondaryKeyHash");
  private static final Pattern ONLY_REFERENCES = Pattern.compile("(\\$\\{nv:[^}]*})+");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Keys the placeholders of this process, so that equal secrets compare equal without being stored. */
  private static final byte[] PLACEHOLDER_KEY = new byte[32];

  static {
    new SecureRandom().nextBytes(PLACEHOLDER_KEY);
  }

  private DiffTrees() {}

  /**
   * A secret value's stand-in: a keyed digest, equal for equal values within this process.
   *
   * @param digest HMAC-SHA256 of the value under a key that never leaves the process
   */
  record Secret(String digest) {
    @Override
    public String toString() {
      return SHOWN;
    }
  }

  /** The tree of {@code config}, normalized, keyed and masked. */
  static ObjectNode of(GatewayConfig config) {
    ObjectNode written = ConfigMapper.json().valueToTree(config.normalized());
    ObjectNode tree = NODES.objectNode(); // every part present, so that a first item is added inside it
    tree.set("settings", written.path("settings").isObject() ? written.get("settings") : NODES.objectNode());
    tree.set("policies", written.path("policies").isObject() ? written.get("policies") : NODES.objectNode());
    for (String kind : KINDS) {
      ObjectNode byName = NODES.objectNode();
      for (JsonNode item : written.path(kind)) {
        byName.set(item.path("name").asText(), item);
      }
      tree.set(kind, byName);
    }
    written.fields().forEachRemaining(e -> {
      if (!tree.has(e.getKey())) { // a part added to the model later is compared too
        tree.set(e.getKey(), e.getValue());
      }
    });
    mask(tree);
    return tree;
  }

  /** Whether {@code node} stands for a secret value. */
  static boolean isSecret(JsonNode node) {
    return node instanceof POJONode p && p.getPojo() instanceof Secret;
  }

  /** A copy of {@code node} that shows every secret as {@value #SHOWN}; safe to return or print. */
  static JsonNode shown(JsonNode node) {
    if (isSecret(node)) {
      return TextNode.valueOf(SHOWN);
    }
    if (node instanceof ObjectNode o) {
      ObjectNode out = NODES.objectNode();
      o.fields().forEachRemaining(e -> out.set(e.getKey(), shown(e.getValue())));
      return out;
    }
    if (node instanceof ArrayNode a) {
      ArrayNode out = NODES.arrayNode();
      a.forEach(item -> out.add(shown(item)));
      return out;
    }
    return node;
  }

  private static void mask(ObjectNode tree) {
    policies(tree.get("policies"));
    for (JsonNode api : tree.path("apis")) {
      policies(api.get("policies"));
      for (JsonNode op : api.path("operations")) {
        policies(op.get("policies"));
      }
    }
    for (JsonNode product : tree.path("products")) {
      policies(product.get("policies"));
    }
    for (JsonNode s : tree.path("subscriptions")) {
      // one value for both keys and their hashes: readers of a diff learn that keys changed, not which field holds what
      ObjectNode keys = NODES.objectNode();
      for (String f : KEY_FIELDS) {
        JsonNode v = ((ObjectNode) s).remove(f);
        if (v != null && !v.isNull()) {
          keys.set(f, v);
        }
      }
      if (!keys.isEmpty()) {
        ((ObjectNode) s).set("keys", masked(keys, false));
      }
    }
    for (JsonNode nv : tree.path("namedValues")) {
      if (NamedValueDef.SECRET.equals(nv.path("type").asText())) {
        hide((ObjectNode) nv, "value", false);
        hide((ObjectNode) nv, "sealed", false);
      }
    }
    for (JsonNode b : tree.path("backends")) {
      JsonNode credentials = b.path("credentials");
      hide(credentials.get("basic"), "password", true);
      hide(credentials.get("header"), "value", true);
      hide(credentials.get("query"), "value", true);
      hide(credentials.get("oauth2"), "clientSecret", true);
    }
  }

  private static void hide(JsonNode parent, String field, boolean referencesShown) {
    if (parent instanceof ObjectNode o && o.get(field) != null && !o.get(field).isNull()) {
      o.set(field, masked(o.get(field), referencesShown));
    }
  }

  private static JsonNode masked(JsonNode value, boolean referencesShown) {
    if (referencesShown && value.isTextual() && ONLY_REFERENCES.matcher(value.asText()).matches()) {
      return value;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(PLACEHOLDER_KEY, "HmacSHA256"));
      byte[] digest = mac.doFinal(value.toString().getBytes(StandardCharsets.UTF_8));
      return new POJONode(new Secret(HexFormat.of().formatHex(digest)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  private static void policies(JsonNode policies) {
    if (policies == null) {
      return;
    }
    for (String section : SECTIONS) {
      if (policies.get(section) instanceof ArrayNode entries) {
        entries(section, entries);
      }
    }
  }

  private static void entries(String section, ArrayNode entries) {
    for (JsonNode entry : entries) {
      if (entry instanceof ObjectNode o) {
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        o.fields().forEachRemaining(fields::add);
        for (Map.Entry<String, JsonNode> f : fields) {
          o.set(f.getKey(), config(f.getKey(), section, "", f.getValue()));
        }
      }
    }
  }

  /** {@code value} at {@code path} of a policy's configuration, its secret-bearing fields masked. */
  private static JsonNode config(String policy, String section, String path, JsonNode value) {
    if (value.isTextual()) {
      boolean secret = SecretFields.POLICY_FIELDS.stream().anyMatch(f -> f.matches(policy, path, section));
      return secret ? masked(value, true) : value;
    }
    if (value instanceof ObjectNode o) {
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      o.fields().forEachRemaining(fields::add);
      for (Map.Entry<String, JsonNode> f : fields) {
        String k = f.getKey();
        o.set(k, config(policy, section, path.isEmpty() ? k : path + "." + k, f.getValue()));
      }
      return o;
    }
    if (value instanceof ArrayNode a) {
      if (policy.equals("choose") && (path.equals("otherwise") || path.equals("when.policies"))) {
        entries(section, a); // a branch's policies are policies of the same section
        return a;
      }
      for (int i = 0; i < a.size(); i++) {
        a.set(i, config(policy, section, path, a.get(i)));
      }
    }
    return value;
  }
}
