package io.gatehouse.control.secrets;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.secrets.internal.OwnerOnlyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master keys of an instance and the envelope encryption built on them: every value is
 * encrypted with AES-256-GCM under a fresh random data key, and the data key is wrapped (AES-GCM)
 * by the active master key, whose id is recorded in the envelope so that readers pick the right key.
 *
 * <p>An envelope reads {@code v1:KEYID:WRAPPED:CIPHERTEXT} (both parts URL-safe Base64 of a
 * 12-byte nonce followed by the GCM output). Master keys never enter the database. Sources, first
 * match wins: {@code GATEHOUSE_PKCS11_CONFIG} (a SunPKCS11 configuration, PIN from
 * {@code GATEHOUSE_PKCS11_PIN}, key label {@code GATEHOUSE_PKCS11_KEY_LABEL}, default
 * {@value #DEFAULT_LABEL}), {@code GATEHOUSE_MASTER_KEY} (Base64 of 32 bytes), else the key file
 * {@code <data>/master.key} (mode 0600, created on first start; one {@code KEYID BASE64} line per
 * key, the first one active). Thread-safe.
 */
public final class MasterKeys {
  /** The key file name inside the data directory. */
  public static final String FILE_NAME = "master.key";
  /** The PKCS#11 key label used when none is configured. */
  public static final String DEFAULT_LABEL = "gatehouse-master";
  /** The prefix of every envelope this version writes. */
  public static final String PREFIX = "v1:";

  private static final Logger LOG = LoggerFactory.getLogger(MasterKeys.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;

  private final String source;
  private final Path file;
  private final Provider provider;
  private final Map<String, Key> keys = new LinkedHashMap<>();
  private String activeId;
  private Object loadedStamp;

  private MasterKeys(String source, Path file, Provider provider) {
    this.source = source;
    this.file = file;
    this.provider = provider;
  }

  /**
   * The master keys for {@code dataDir} from the first configured source in {@code env} (see the
   * class description), creating the key file or the PKCS#11 key on first start.
   *
   * @throws IllegalArgumentException when a configured source is malformed
   * @throws IllegalStateException when the key file or token cannot be read
   */
  public static MasterKeys open(Path dataDir, Map<String, String> env) {
    requireNonNull(dataDir, "dataDir");
    requireNonNull(env, "env");
    String p11 = env.get("GATEHOUSE_PKCS11_CONFIG");
    if (p11 != null && !p11.isBlank()) {
      return pkcs11(Path.of(p11.strip()), env.getOrDefault("GATEHOUSE_PKCS11_PIN", ""),
          env.getOrDefault("GATEHOUSE_PKCS11_KEY_LABEL", DEFAULT_LABEL));
    }
    String b64 = env.get("GATEHOUSE_MASTER_KEY");
    if (b64 != null && !b64.isBlank()) {
      byte[] raw;
      try {
        raw = Base64.getDecoder().decode(b64.strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("expected GATEHOUSE_MASTER_KEY as Base64 of 32 bytes but it is not Base64");
      }
      if (raw.length != 32) {
        throw new IllegalArgumentException("expected GATEHOUSE_MASTER_KEY as Base64 of 32 bytes but got " + raw.length + " bytes");
      }
      SecretKeySpec key = new SecretKeySpec(raw, "AES");
      MasterKeys m = new MasterKeys("env", null, null);
      m.activeId = "env-" + checkValue(key);
      m.keys.put(m.activeId, key);
      return m;
    }
    return keyFile(dataDir.resolve(FILE_NAME));
  }

  /** The master keys held in {@code file}, creating it with one new key when it does not exist. */
  public static MasterKeys keyFile(Path file) {
    requireNonNull(file, "file");
    MasterKeys m = new MasterKeys("file", file, null);
    if (!Files.exists(file)) {
      try {
        OwnerOnlyFile.write(file, format(List.<String[]>of(newFileKey())), true);
        LOG.info("created master key file {} (mode 0600); back it up: without it the secrets cannot be read", file);
      } catch (FileAlreadyExistsException e) {
        // another process created it first: use theirs
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the master key file " + file, e);
      }
    }
    m.reload();
    return m;
  }

  /**
   * The master key labelled {@code label} in the PKCS#11 token that the SunPKCS11 configuration
   * {@code config} names, generated inside the token (unextractable) when missing.
   */
  public static MasterKeys pkcs11(Path config, String pin, String label) {
    requireNonNull(config, "config");
    requireNonNull(pin, "pin");
    requireNonNull(label, "label");
    Provider base = Security.getProvider("SunPKCS11");
    if (base == null) {
      throw new IllegalStateException("the SunPKCS11 provider is not available in this JVM");
    }
    try {
      Provider p = base.configure(config.toString());
      KeyStore store = KeyStore.getInstance("PKCS11", p);
      store.load(null, pin.toCharArray());
      Key key = store.getKey(label, null);
      if (key == null) {
        KeyGenerator gen = KeyGenerator.getInstance("AES", p);
        gen.init(256);
        store.setEntry(label, new KeyStore.SecretKeyEntry(gen.generateKey()), null);
        key = store.getKey(label, null);
        LOG.info("generated master key '{}' in the PKCS#11 token of {}", label, config);
      }
      MasterKeys m = new MasterKeys("pkcs11", null, p);
      m.activeId = "p11-" + label.replaceAll("[^A-Za-z0-9_-]", "_");
      m.keys.put(m.activeId, key);
      return m;
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      throw new IllegalStateException("cannot use the PKCS#11 key '" + label + "' with configuration " + config + ": " + e, e);
    }
  }

  /** Where the keys come from: {@code file}, {@code env} or {@code pkcs11}. */
  public String source() {
    return source;
  }

  /** The key file, or {@code null} when the keys do not come from one. */
  public Path file() {
    return file;
  }

  /** The id of the key new envelopes are wrapped with. */
  public synchronized String activeId() {
    reloadIfChanged();
    return activeId;
  }

  /** Encrypts {@code plaintext} into a new envelope under a fresh data key. */
  public String encrypt(byte[] plaintext) {
    requireNonNull(plaintext, "plaintext");
    byte[] dek = new byte[32];
    RANDOM.nextBytes(dek);
    try {
      String payload = b64(gcm(Cipher.ENCRYPT_MODE, new SecretKeySpec(dek, "AES"), null, plaintext, PREFIX));
      String kid;
      Key master;
      synchronized (this) {
        reloadIfChanged();
        kid = activeId;
        master = keys.get(kid);
      }
      return PREFIX + kid + ":" + b64(gcm(Cipher.ENCRYPT_MODE, master, provider, dek, kid)) + ":" + payload;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed: " + e, e);
    } finally {
      java.util.Arrays.fill(dek, (byte) 0);
    }
  }

  /** {@link #encrypt(byte[])} of UTF-8 text. */
  public String encrypt(String plaintext) {
    return encrypt(requireNonNull(plaintext, "plaintext").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Decrypts an envelope.
   *
   * @throws IllegalArgumentException when it is malformed, names an unknown key or fails authentication
   */
  public byte[] decrypt(String envelope) {
    String[] parts = parts(envelope);
    byte[] dek = unwrap(parts[1], parts[2]);
    try {
      return gcm(Cipher.DECRYPT_MODE, new SecretKeySpec(dek, "AES"), null, unb64(parts[3]), PREFIX);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the envelope under key " + parts[1] + " does not decrypt (corrupt or wrong key)");
    } finally {
      java.util.Arrays.fill(dek, (byte) 0);
    }
  }

  /** {@link #decrypt(String)} as UTF-8 text. */
  public String decryptText(String envelope) {
    return new String(decrypt(envelope), StandardCharsets.UTF_8);
  }

  /** The id of the master key that wraps {@code envelope}'s data key. */
  public static String keyId(String envelope) {
    return parts(envelope)[1];
  }

  /**
   * The same envelope with its data key re-wrapped under the active key (the ciphertext is
   * untouched); returned unchanged when already wrapped by the active key.
   */
  public String rewrap(String envelope) {
    String[] parts = parts(envelope);
    String kid;
    Key master;
    synchronized (this) {
      reloadIfChanged();
      kid = activeId;
      master = keys.get(kid);
    }
    if (parts[1].equals(kid)) {
      return envelope;
    }
    byte[] dek = unwrap(parts[1], parts[2]);
    try {
      return PREFIX + kid + ":" + b64(gcm(Cipher.ENCRYPT_MODE, master, provider, dek, kid)) + ":" + parts[3];
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("re-wrapping failed: " + e, e);
    } finally {
      java.util.Arrays.fill(dek, (byte) 0);
    }
  }

  /** The ids of the keys known now, the active one first. */
  public synchronized List<String> keyIds() {
    reloadIfChanged();
    List<String> ids = new ArrayList<>();
    ids.add(activeId);
    keys.keySet().stream().filter(k -> !k.equals(activeId)).forEach(ids::add);
    return ids;
  }

  // ---- key file ----

  /** A new random key file entry. */
  static String[] newFileKey() {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    byte[] id = new byte[6];
    RANDOM.nextBytes(id);
    return new String[] {"k" + HexFormat.of().formatHex(id), Base64.getEncoder().encodeToString(raw)};
  }

  static String format(List<String[]> entries) {
    StringBuilder out = new StringBuilder("# Gatehouse master keys: KEYID BASE64, the first one active. Keep this file secret and backed up.\n");
    for (String[] e : entries) {
      out.append(e[0]).append(' ').append(e[1]).append('\n');
    }
    return out.toString();
  }

  /** The entries of the key file, the active one first. */
  static List<String[]> readFile(Path file) {
    List<String[]> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        String[] f = l.split("\\s+");
        if (f.length != 2 || !KEY_ID.matcher(f[0]).matches()) {
          throw new IllegalStateException("expected 'KEYID BASE64' lines in " + file + " but found a malformed line");
        }
        byte[] raw = Base64.getDecoder().decode(f[1]);
        if (raw.length != 32) {
          throw new IllegalStateException("expected 32-byte keys in " + file + " but key " + f[0] + " has " + raw.length);
        }
        out.add(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the master key file " + file, e);
    }
    if (out.isEmpty()) {
      throw new IllegalStateException("the master key file " + file + " holds no key");
    }
    return out;
  }

  private synchronized void reload() {
    try {
      Object stamp = stamp(file);
      List<String[]> entries = readFile(file);
      for (String[] e : entries) {
        keys.put(e[0], new SecretKeySpec(Base64.getDecoder().decode(e[1]), "AES"));
      }
      activeId = entries.get(0)[0];
      loadedStamp = stamp;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the master key file " + file, e);
    }
  }

  /** Picks up a key file changed by {@code rotate-keys}; keys once loaded stay known to this process. */
  private void reloadIfChanged() {
    if (file == null) {
      return;
    }
    try {
      if (!stamp(file).equals(loadedStamp)) {
        reload();
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot re-read the master key file {}; keeping the keys loaded: {}", file, e.toString());
    }
  }

  /** The file's identity and time: every atomic replacement makes a new inode. */
  private static Object stamp(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return java.util.Arrays.asList(a.fileKey(), a.lastModifiedTime(), a.size());
  }

  // ---- envelope helpers ----

  private byte[] unwrap(String kid, String wrapped) {
    Key master;
    synchronized (this) {
      master = keys.get(kid);
      if (master == null && file != null) {
        reload();
        master = keys.get(kid);
      }
    }
    if (master == null) {
      throw new IllegalArgumentException("the envelope names master key " + kid + " but the " + source
          + " source holds only " + keys.keySet());
    }
    try {
      return gcm(Cipher.DECRYPT_MODE, master, provider, unb64(wrapped), kid);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the data key wrapped by master key " + kid + " does not unwrap (corrupt or wrong key)");
    }
  }

  private static String[] parts(String envelope) {
    requireNonNull(envelope, "envelope");
    String[] parts = envelope.split(":", -1);
    if (parts.length != 4 || !envelope.startsWith(PREFIX) || !KEY_ID.matcher(parts[1]).matches()) {
      throw new IllegalArgumentException("expected an envelope 'v1:KEYID:WRAPPED:CIPHERTEXT' but got "
          + (envelope.length() > 12 ? envelope.substring(0, 12) + "..." : envelope));
    }
    return parts;
  }

  /** AES-GCM with a random nonce prepended on encryption and read from the front on decryption. */
  private static byte[] gcm(int mode, Key key, Provider provider, byte[] input, String aad) throws GeneralSecurityException {
    Cipher c = provider == null || key instanceof SecretKeySpec
        ? Cipher.getInstance("AES/GCM/NoPadding") : Cipher.getInstance("AES/GCM/NoPadding", provider);
    if (mode == Cipher.ENCRYPT_MODE) {
      byte[] nonce = new byte[NONCE];
      RANDOM.nextBytes(nonce);
      c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      byte[] out = c.doFinal(input);
      return ByteBuffer.allocate(NONCE + out.length).put(nonce).put(out).array();
    }
    if (input.length < NONCE + TAG_BITS / 8) {
      throw new javax.crypto.AEADBadTagException("too short");
    }
    c.init(mode, key, new GCMParameterSpec(TAG_BITS, input, 0, NONCE));
    c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
    return c.doFinal(input, NONCE, input.length - NONCE);
  }

  /** A key check value: the first 4 bytes of the key's encryption of a zero block, in hex. */
  private static String checkValue(SecretKey key) {
    try {
      Cipher c = Cipher.getInstance("AES/ECB/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key);
      return HexFormat.of().formatHex(c.doFinal(new byte[16]), 0, 4);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] unb64(String text) {
    try {
      return Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      return new byte[0];
    }
  }
}
