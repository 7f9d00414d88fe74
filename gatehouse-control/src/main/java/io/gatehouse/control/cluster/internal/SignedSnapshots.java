package io.gatehouse.control.cluster.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.control.certificates.CertificateMaterial;
import io.gatehouse.control.certificates.CertificateUsage;
import io.gatehouse.control.cluster.Snapshot;
import io.gatehouse.model.ConfigMapper;
import io.gatehouse.model.GatewayConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.time.Instant;

/**
 * The wire form of a snapshot: a JSON envelope {@code {"format":1,"payload":B64,"signature":B64}}
 * whose payload (the revision, the resolved configuration, the subscription-key hashing key, and the
 * uploaded certificates with their private keys) is signed with the control plane's Ed25519 key. The signature covers the payload bytes exactly as
 * sent, so nothing is parsed before it checks. The payload is deterministic (no timestamp): one
 * revision with the same resolved values gives the same bytes and etag on every control node and
 * after a restart, so a node never compiles the same snapshot twice.
 */
public final class SignedSnapshots {
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private SignedSnapshots() {}

  /** A fresh Ed25519 signing key pair. */
  public static KeyPair signingKeyPair() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is unavailable", e);
    }
  }

  /** The Ed25519 public key in X.509 encoding {@code der}. */
  public static PublicKey publicKey(byte[] der) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("expected an Ed25519 public key: " + e.getMessage(), e);
    }
  }

  /** The Ed25519 private key in PKCS#8 encoding {@code der}. */
  public static PrivateKey privateKey(byte[] der) {
    try {
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("expected an Ed25519 private key: " + e.getMessage(), e);
    }
  }

  /**
   * The signed envelope of {@code config} as revision {@code revision}, with the uploaded
   * {@code certificates} (private keys in clear inside the signed payload: the envelope travels only
   * over the node channel and rests only in the node's encrypted cache) and the blocked clients
   * ({@code ip:...} or {@code subscription:...} to the end of each block) and the live debug sessions
   * (id, token hash, API, end: never a token).
   */
  public static byte[] sign(long revision, GatewayConfig config, byte[] keyHashingKey,
      List<CertificateMaterial> certificates, Map<String, Instant> blocks,
      List<io.gatehouse.control.debugging.DebugSessionTable.Session> debugSessions, PrivateKey key) {
    ObjectNode payload = ConfigMapper.json().createObjectNode();
    payload.put("revision", revision);
    payload.put("subscriptionKeyHashing", B64.encodeToString(keyHashingKey));
    payload.set("config", ConfigMapper.json().valueToTree(config));
    if (!certificates.isEmpty()) { // absent when none: the payload of a snapshot without them keeps its bytes and etag
      ArrayNode list = payload.putArray("certificates");
      for (CertificateMaterial c : certificates) {
        ObjectNode o = list.addObject();
        o.put("name", c.name());
        o.put("usage", c.usage().apiName());
        o.put("chainPem", c.chainPem());
        if (c.privateKeyPem() != null) {
          o.put("privateKeyPem", c.privateKeyPem());
        }
      }
    }
    if (!blocks.isEmpty()) { // identity -> end of the block, epoch milliseconds, sorted for a deterministic payload
      ObjectNode b = payload.putObject("blocks");
      new java.util.TreeMap<>(blocks).forEach((identity, until) -> b.put(identity, until.toEpochMilli()));
    }
    if (!debugSessions.isEmpty()) { // absent when none, like the above; sorted by id for a deterministic payload
      ArrayNode d = payload.putArray("debugSessions");
      debugSessions.stream().sorted(java.util.Comparator.comparing(
          io.gatehouse.control.debugging.DebugSessionTable.Session::id)).forEach(x -> d.addObject()
              .put("id", x.id()).put("tokenHash", x.tokenHash()).put("api", x.api())
              .put("expiresAt", x.expiresAt().toEpochMilli()));
    }
    try {
      byte[] bytes = ConfigMapper.json().writeValueAsBytes(payload);
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key);
      s.update(bytes);
      ObjectNode envelope = ConfigMapper.json().createObjectNode();
      envelope.put("format", 1);
      envelope.put("payload", B64.encodeToString(bytes));
      envelope.put("signature", B64.encodeToString(s.sign()));
      return ConfigMapper.json().writeValueAsBytes(envelope);
    } catch (JsonProcessingException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign snapshot of revision " + revision + ": " + e.getMessage(), e);
    }
  }

  /** The etag of an envelope: the SHA-256 of its payload, without checking the signature. */
  public static String etag(byte[] envelope) {
    try {
      return etagOf(B64D.decode(ConfigMapper.json().readTree(envelope).path("payload").asText()));
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new Refused("the snapshot envelope does not parse: " + e.getMessage());
    }
  }

  /**
   * The snapshot in {@code envelope}, once its signature checks against {@code key}.
   *
   * @throws Refused when the envelope does not parse, the signature does not check, or the payload
   *     is not a snapshot
   */
  public static Snapshot open(byte[] envelope, PublicKey key) {
    JsonNode env;
    byte[] payload;
    byte[] signature;
    try {
      env = ConfigMapper.json().readTree(envelope);
      if (env == null || env.path("format").asInt() != 1) {
        throw new Refused("the snapshot envelope is not format 1");
      }
      payload = B64D.decode(env.path("payload").asText());
      signature = B64D.decode(env.path("signature").asText());
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw new Refused("the snapshot envelope does not parse: " + e.getMessage());
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(payload);
      if (!s.verify(signature)) {
        throw new Refused("the snapshot's signature does not match the control plane's key");
      }
    } catch (GeneralSecurityException e) {
      throw new Refused("the snapshot's signature does not check: " + e.getMessage());
    }
    try {
      JsonNode p = ConfigMapper.json().readTree(payload);
      GatewayConfig config = ConfigMapper.json().treeToValue(p.get("config"), GatewayConfig.class);
      List<CertificateMaterial> certificates = new ArrayList<>();
      for (JsonNode c : p.path("certificates")) {
        certificates.add(new CertificateMaterial(c.path("name").asText(), CertificateUsage.parse(c.path("usage").asText()),
            c.path("chainPem").asText(), c.hasNonNull("privateKeyPem") ? c.get("privateKeyPem").asText() : null));
      }
      Map<String, Instant> blocks = new java.util.LinkedHashMap<>();
      p.path("blocks").fields().forEachRemaining(e -> blocks.put(e.getKey(), Instant.ofEpochMilli(e.getValue().asLong())));
      List<io.gatehouse.control.debugging.DebugSessionTable.Session> debugSessions = new ArrayList<>();
      for (JsonNode d : p.path("debugSessions")) {
        debugSessions.add(new io.gatehouse.control.debugging.DebugSessionTable.Session(d.path("id").asText(),
            d.path("tokenHash").asText(), d.path("api").asText(), Instant.ofEpochMilli(d.path("expiresAt").asLong())));
      }
      return new Snapshot(p.path("revision").asLong(), etagOf(payload), config,
          B64D.decode(p.path("subscriptionKeyHashing").asText()), certificates, blocks, debugSessions);
    } catch (java.io.IOException | RuntimeException e) {
      throw new Refused("the signed snapshot is not a configuration: " + e.getMessage());
    }
  }

  static String etagOf(byte[] payload) {
    try {
      return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(payload));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A snapshot refused: it does not parse or its signature does not check. */
  public static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A refusal saying {@code message}. */
    public Refused(String message) {
      super(message);
    }
  }
}
