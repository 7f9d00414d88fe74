package io.gatehouse.control.cluster.internal;

import io.gatehouse.model.storage.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A gateway node's files in {@code DATA/node/} (directory 0700, files 0600): its id, its private key
 * and client certificate, the node CA certificate, the snapshot verification key, and the last good
 * snapshot encrypted with AES-256-GCM under {@code cache.key}.
 */
public final class NodeFiles {
  private static final byte[] MAGIC = "GHSC1".getBytes(StandardCharsets.US_ASCII);
  private final Path dir;

  /** The node files under {@code dataDir}. */
  public NodeFiles(Path dataDir) {
    this.dir = dataDir.resolve("node");
  }

  /** The directory. */
  public Path dir() {
    return dir;
  }

  /** Whether the node has enrolled (its certificate is on disk). */
  public boolean enrolled() {
    return Files.isRegularFile(dir.resolve("node-cert.pem")) && Files.isRegularFile(dir.resolve("node-key.pem"));
  }

  /**
   * The node's identity as enrolment stored it.
   *
   * @param id its id
   * @param key its private key
   * @param certificate its client certificate
   * @param ca the node CA certificate (the trust anchor of the control plane's listener)
   * @param snapshotKey the control plane's snapshot verification key
   * @param controlPlane the control plane it enrolled with
   */
  public record Identity(String id, PrivateKey key, X509Certificate certificate, X509Certificate ca,
      PublicKey snapshotKey, String controlPlane) {}

  /** Writes a new identity, every file 0600. */
  public void store(String id, PrivateKey key, String certificatePem, String caPem, String snapshotKeyB64,
      String controlPlane) {
    PrivateFiles.directory(dir);
    write("node-key.pem", Pki.pem(key).getBytes(StandardCharsets.US_ASCII));
    write("ca.pem", caPem.getBytes(StandardCharsets.US_ASCII));
    write("snapshot-key.pub", snapshotKeyB64.getBytes(StandardCharsets.US_ASCII));
    write("node-id", (id + "\n" + controlPlane + "\n").getBytes(StandardCharsets.UTF_8));
    write("node-cert.pem", certificatePem.getBytes(StandardCharsets.US_ASCII)); // last: enrolled() reads it
  }

  /** The stored identity. */
  public Identity load() {
    String[] idLines = read("node-id", StandardCharsets.UTF_8).split("\n");
    return new Identity(idLines[0].strip(), Pki.ecPrivateKey(read("node-key.pem", StandardCharsets.US_ASCII)),
        Pki.certificate(read("node-cert.pem", StandardCharsets.US_ASCII)),
        Pki.certificate(read("ca.pem", StandardCharsets.US_ASCII)),
        SignedSnapshots.publicKey(Base64.getDecoder().decode(read("snapshot-key.pub", StandardCharsets.US_ASCII).strip())),
        idLines.length > 1 ? idLines[1].strip() : "");
  }

  /** Writes {@code envelope} (a signed snapshot) encrypted, replacing the cached one atomically. */
  public void writeCache(byte[] envelope, String nodeId) {
    try {
      byte[] nonce = new byte[12];
      new SecureRandom().nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cacheKey(), "AES"), new GCMParameterSpec(128, nonce));
      c.updateAAD(nodeId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(envelope);
      write("snapshot.cache", ByteBuffer.allocate(MAGIC.length + nonce.length + sealed.length).put(MAGIC).put(nonce)
          .put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt the snapshot cache: " + e.getMessage(), e);
    }
  }

  /**
   * The cached envelope, decrypted, or null when there is none.
   *
   * @throws IllegalStateException when the cache does not decrypt (changed, or another node's)
   */
  public byte[] readCache(String nodeId) {
    Path file = dir.resolve("snapshot.cache");
    if (!Files.isRegularFile(file) || !Files.isRegularFile(dir.resolve("cache.key"))) {
      return null;
    }
    try {
      byte[] all = Files.readAllBytes(file);
      if (all.length < MAGIC.length + 12 + 16 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
        throw new IllegalStateException("the snapshot cache " + file + " is not a snapshot cache");
      }
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cacheKey(), "AES"),
          new GCMParameterSpec(128, all, MAGIC.length, 12));
      c.updateAAD(nodeId.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(all, MAGIC.length + 12, all.length - MAGIC.length - 12);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the snapshot cache " + file + " does not decrypt with cache.key: " + e.getMessage(), e);
    }
  }

  private byte[] cacheKey() {
    Path file = dir.resolve("cache.key");
    try {
      if (!Files.isRegularFile(file)) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        write("cache.key", key);
      }
      byte[] key = Files.readAllBytes(file);
      if (key.length != 32) {
        throw new IllegalStateException(file + " must hold 32 bytes but holds " + key.length);
      }
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private void write(String name, byte[] content) {
    PrivateFiles.directory(dir);
    Path target = dir.resolve(name);
    Path tmp = dir.resolve(name + ".tmp");
    try {
      Files.deleteIfExists(tmp);
      PrivateFiles.file(tmp);
      Files.write(tmp, content);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  private String read(String name, java.nio.charset.Charset charset) {
    try {
      return Files.readString(dir.resolve(name), charset);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve(name) + ": " + e.getMessage(), e);
    }
  }
}
