package io.gatehouse.control.cluster.internal;

import io.gatehouse.control.internal.JdbcConfigStore;
import io.gatehouse.control.secrets.MasterKeys;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import org.jdbi.v3.core.Jdbi;

/**
 * The control plane's cluster keys, kept in table {@code instance_keys} like its other keys (the
 * private halves as master-key envelopes, never in clear): the node CA (ECDSA P-256, 10 years)
 * that issues node client certificates and the node listener's certificate, and the Ed25519 key
 * that signs snapshots. Every control node over one database shares them.
 *
 * @param ca the node CA certificate
 * @param caKey its private key
 * @param signingPublic the snapshot signing public key
 * @param signing the snapshot signing private key
 * @param keyHashing the key of keyed subscription-key hashes (sent to gateway nodes in snapshots)
 */
public record ClusterKeys(X509Certificate ca, PrivateKey caKey, PublicKey signingPublic, PrivateKey signing,
    byte[] keyHashing) {
  /** The name of the node CA in {@code instance_keys}. */
  public static final String NODE_CA = "node-ca";
  /** The name of the snapshot signing key in {@code instance_keys}. */
  public static final String SNAPSHOT_SIGNING = "snapshot-signing";

  /** Loads the keys from {@code jdbi}'s database, creating those missing. */
  public static ClusterKeys load(Jdbi jdbi, MasterKeys keys) {
    KeyPair caPair = Pki.ecKeyPair();
    X509Certificate freshCa = Pki.selfSignedCa(caPair, "Gatehouse node CA", Duration.ofDays(3650));
    String[] ca = row(jdbi, keys, NODE_CA, Pki.pem(freshCa), caPair.getPrivate().getEncoded());
    KeyPair sign = SignedSnapshots.signingKeyPair();
    String[] signing = row(jdbi, keys, SNAPSHOT_SIGNING, Base64.getEncoder().encodeToString(sign.getPublic().getEncoded()),
        sign.getPrivate().getEncoded());
    byte[] hashing = jdbi.withHandle(h -> h.createQuery("SELECT private_key FROM instance_keys WHERE name = :name")
        .bind("name", JdbcConfigStore.SUBSCRIPTION_KEY_HASHING)
        .map((rs, ctx) -> keys.decrypt(rs.getString("private_key"))).one());
    return new ClusterKeys(Pki.certificate(ca[0]), Pki.ecPrivateKey(keys.decrypt(ca[1])),
        SignedSnapshots.publicKey(Base64.getDecoder().decode(signing[0])),
        SignedSnapshots.privateKey(keys.decrypt(signing[1])), hashing);
  }

  private static String[] row(Jdbi jdbi, MasterKeys keys, String name, String pub, byte[] priv) {
    return jdbi.inTransaction(h -> {
      h.createUpdate("INSERT INTO instance_keys (name, public_key, private_key, created_at) "
              + "VALUES (:name, :pub, :priv, :time) ON CONFLICT (name) DO NOTHING")
          .bind("name", name).bind("pub", pub).bind("priv", keys.encrypt(priv)).bind("time", System.currentTimeMillis())
          .execute();
      return h.createQuery("SELECT public_key, private_key FROM instance_keys WHERE name = :name")
          .bind("name", name)
          .map((rs, ctx) -> new String[] {rs.getString("public_key"), rs.getString("private_key")})
          .one();
    });
  }
}
