package io.gatehouse.control.secrets;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.gatehouse.model.ConfigException;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.ConfigProblem;
import io.gatehouse.model.GatewayConfig;
import io.gatehouse.model.NamedValueDef;
import io.gatehouse.model.SubscriptionDef;
import io.gatehouse.model.SubscriptionKeys;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The secrets of one instance: turns configurations between their four forms, so that secret
 * values exist in plain text only in memory.
 *
 * <ul>
 *   <li>input (file, API): secrets as {@code value} or {@code sealed}; {@link #unseal} opens sealed ones;
 *   <li>memory (control plane, gateway): secrets as {@code value}; {@link #resolved} adds reference values
 *       for the gateway;
 *   <li>stored: secret values replaced by {@code {"enc": "v1:..."}} envelopes ({@link #toStored}, {@link #fromStored});
 *   <li>output (export, API): secrets as {@code sealed} ({@link #sealed}), or metadata only ({@link #view}).
 * </ul>
 * Thread-safe.
 */
public final class Secrets {
  /** The field of an encrypted value in stored JSON. */
  public static final String ENC = "enc";

  private final MasterKeys keys;
  private final Sealing sealing;
  private final SubscriptionKeys.Hasher keyHasher;
  private volatile References references;

  private Secrets(MasterKeys keys, Sealing sealing, SubscriptionKeys.Hasher keyHasher) {
    this.keys = keys;
    this.sealing = sealing;
    this.keyHasher = keyHasher;
  }

  /**
   * Secrets encrypted under {@code keys}, sealed with {@code sealing}, subscription keys hashed with
   * {@code keyHasher}.
   */
  public static Secrets of(MasterKeys keys, Sealing sealing, SubscriptionKeys.Hasher keyHasher) {
    return new Secrets(requireNonNull(keys, "keys"), requireNonNull(sealing, "sealing"),
        requireNonNull(keyHasher, "keyHasher"));
  }

  /** The instance's keyed hasher of subscription keys (the gateway looks keys up with it). */
  public SubscriptionKeys.Hasher keyHasher() {
    return keyHasher;
  }

  /**
   * {@code config} with every subscription key in keyed form: plain keys hashed, unkeyed
   * {@code sha256:} hashes (older revisions, older exports) converted.
   */
  public GatewayConfig withKeyedHashes(GatewayConfig config) {
    List<SubscriptionDef> out = new ArrayList<>(config.subscriptions().size());
    boolean changed = false;
    for (SubscriptionDef s : config.subscriptions()) {
      SubscriptionDef k = keyHasher.rekeyed(s);
      changed |= k != s;
      out.add(k);
    }
    return changed ? config.withSubscriptions(out) : config;
  }

  /** The master keys. */
  public MasterKeys masterKeys() {
    return keys;
  }

  /** The instance's sealing key pair. */
  public Sealing sealing() {
    return sealing;
  }

  /** The reference resolver, or {@code null} before {@link #useReferences} (references then stay unresolved). */
  public References references() {
    return references;
  }

  /** Resolves reference named values with {@code references} from now on. */
  public void useReferences(References references) {
    this.references = requireNonNull(references, "references");
  }

  /**
   * The reference named values of {@code config} that the references' allowlist refuses, each
   * located at its {@code ref}; none before {@link #useReferences} (nothing is read then).
   */
  public List<ConfigProblem> refusedReferences(GatewayConfig config) {
    References r = references;
    List<ConfigProblem> out = new ArrayList<>();
    if (r == null) {
      return out;
    }
    for (int i = 0; i < config.namedValues().size(); i++) {
      NamedValueDef nv = config.namedValues().get(i);
      if (nv.isReference() && nv.ref() != null) {
        int at = i;
        r.allowlist().refusal(nv.ref()).ifPresent(why -> out.add(ConfigProblem.at("namedValues[" + at + "].ref",
            "named value '" + nv.name() + "': " + why)));
      }
    }
    return out;
  }

  /**
   * Opens every sealed secret of {@code config} into its value.
   *
   * @throws ConfigException naming each sealed value that does not open
   */
  public GatewayConfig unseal(GatewayConfig config) {
    List<ConfigProblem> problems = new ArrayList<>();
    GatewayConfig out = mapNamedValues(config, (nv, i) -> {
      if (nv.sealed() == null || !nv.isSecret()) {
        return nv;
      }
      try {
        return nv.withValue(sealing.unseal(nv.sealed()));
      } catch (IllegalArgumentException e) {
        problems.add(ConfigProblem.at("namedValues[" + i + "].sealed", e.getMessage()));
        return nv;
      }
    });
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return out;
  }

  /** {@code config} with every secret value replaced by its sealed form (for export). */
  public GatewayConfig sealed(GatewayConfig config) {
    return mapNamedValues(config, (nv, i) -> nv.isSecret() && nv.value() != null ? nv.withSealed(sealing.seal(nv.value())) : nv);
  }

  /** {@code config} with every reference named value holding its current value (for the gateway). */
  public GatewayConfig resolved(GatewayConfig config) {
    References r = references;
    if (r == null) {
      return config;
    }
    return mapNamedValues(config, (nv, i) -> nv.isReference()
        ? new NamedValueDef(nv.name(), nv.type(), r.value(nv.ref()).orElse(null), nv.ref(), null, nv.tags()) : nv);
  }

  /** The stored JSON of {@code config}: secret values become {@code {"enc": envelope}}. */
  public String toStored(GatewayConfig config) {
    ObjectNode tree = ConfigMapper.json().valueToTree(config);
    JsonNode list = tree.get("namedValues");
    if (list instanceof ArrayNode array) {
      for (JsonNode item : array) {
        if (item instanceof ObjectNode nv && NamedValueDef.SECRET.equals(nv.path("type").asText())
            && nv.get("value") instanceof TextNode text) {
          nv.set("value", ConfigMapper.json().createObjectNode().put(ENC, keys.encrypt(text.asText())));
        }
      }
    }
    try {
      return ConfigMapper.json().writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize configuration: " + e.getOriginalMessage(), e);
    }
  }

  /** The configuration in stored JSON, every envelope decrypted, every subscription key hash keyed. */
  public GatewayConfig fromStored(String json) {
    try {
      JsonNode tree = ConfigMapper.json().readTree(json);
      return withKeyedHashes(ConfigMapper.json().treeToValue(
          mapEnvelopes(tree, e -> TextNode.valueOf(keys.decryptText(e))), GatewayConfig.class));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored configuration does not parse: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Re-wraps, in stored JSON, every envelope not under the active master key of {@code keys}.
   *
   * @return the new JSON, or {@code null} when nothing needed re-wrapping
   */
  public static String rewrapStored(MasterKeys keys, String json) {
    try {
      JsonNode tree = ConfigMapper.json().readTree(json);
      boolean[] changed = {false};
      String active = keys.activeId();
      JsonNode out = mapEnvelopes(tree, e -> {
        if (MasterKeys.keyId(e).equals(active)) {
          return null;
        }
        changed[0] = true;
        return ConfigMapper.json().createObjectNode().put(ENC, keys.rewrap(e));
      });
      return changed[0] ? ConfigMapper.json().writeValueAsString(out) : null;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored configuration does not parse: " + e.getOriginalMessage(), e);
    }
  }

  /** What the management API shows of a named value: secrets as metadata only. */
  public static Object view(NamedValueDef nv) {
    if (!nv.isSecret()) {
      return nv.isReference() ? new NamedValueDef(nv.name(), nv.type(), null, nv.ref(), null, nv.tags()) : nv;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", nv.name());
    out.put("type", nv.type());
    out.put("secret", true);
    if (!nv.tags().isEmpty()) {
      out.put("tags", nv.tags());
    }
    return out;
  }

  private static GatewayConfig mapNamedValues(GatewayConfig config, java.util.function.BiFunction<NamedValueDef, Integer, NamedValueDef> f) {
    List<NamedValueDef> out = new ArrayList<>(config.namedValues().size());
    boolean changed = false;
    for (int i = 0; i < config.namedValues().size(); i++) {
      NamedValueDef nv = config.namedValues().get(i);
      NamedValueDef mapped = f.apply(nv, i);
      changed |= mapped != nv;
      out.add(mapped);
    }
    return changed ? config.withNamedValues(out) : config;
  }

  /**
   * Replaces every {@code {"enc": envelope}} object in {@code node} by {@code f(envelope)}
   * (left as is when {@code f} returns null).
   */
  private static JsonNode mapEnvelopes(JsonNode node, java.util.function.Function<String, JsonNode> f) {
    if (node instanceof ObjectNode obj) {
      if (obj.size() == 1 && obj.get(ENC) instanceof TextNode t) {
        JsonNode r = f.apply(t.asText());
        return r == null ? node : r;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode r = mapEnvelopes(e.getValue(), f);
        if (r != e.getValue()) {
          e.setValue(r);
        }
      }
    } else if (node instanceof ArrayNode arr) {
      for (int i = 0; i < arr.size(); i++) {
        JsonNode r = mapEnvelopes(arr.get(i), f);
        if (r != arr.get(i)) {
          arr.set(i, r);
        }
      }
    }
    return node;
  }
}
