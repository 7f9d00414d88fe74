package io.gatehouse.control.backup.internal;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.backup.BackupException;
import io.gatehouse.control.backup.Backups.Kdf;
import io.gatehouse.control.backup.BackupException.Kind;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The backup archive layout, version 1: an 80-byte clear header, then AES-256-GCM chunks.
 *
 * <pre>
 * header  "GHBACKUP" | u16 version=1 | u8 kdf=1 (Argon2id v1.3) | u32 memory KiB | u32 passes | u8 lanes
 *         | 16-byte salt | 4-byte nonce prefix | u32 chunk size | 32-byte key check | u32 CRC-32 of the bytes before
 * chunk   u8 final (0 or 1) | u32 ciphertext length | ciphertext (plaintext + 16-byte GCM tag)
 * </pre>
 *
 * The Argon2id output {@code K} gives the encryption key {@code HMAC-SHA256(K, "gatehouse-backup/v1 encryption")}
 * and the key check {@code HMAC-SHA256(K, "gatehouse-backup/v1 check")}, which tells a wrong passphrase from a
 * damaged archive. Chunk {@code i} uses the nonce {@code prefix | u64 i} and the associated data
 * {@code header | u64 i | u8 final}, so a reordered, dropped, altered or re-flagged chunk fails authentication,
 * and an archive that ends before a chunk flagged final is truncated.
 */
public final class ArchiveFormat {
  static final byte[] MAGIC = "GHBACKUP".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int KDF_ARGON2ID = 1;
  static final int HEADER_SIZE = 8 + 2 + 1 + 4 + 4 + 1 + 16 + 4 + 4 + 32 + 4;
  static final int TAG = 16;
  static final int DEFAULT_CHUNK = 1 << 20;
  static final int MAX_CHUNK = 16 << 20;

  private ArchiveFormat() {}

  /** The encryption key and key check derived from a passphrase. */
  record Keys(byte[] encryption, byte[] check) {}

  static Keys derive(char[] passphrase, byte[] salt, Kdf kdf) {
    requireNonNull(passphrase, "passphrase");
    Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withSalt(salt)
        .withMemoryAsKB(kdf.memoryKib())
        .withIterations(kdf.passes())
        .withParallelism(kdf.lanes())
        .build();
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(params);
    byte[] k = new byte[32];
    gen.generateBytes(passphrase, k);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(k, "HmacSHA256"));
      byte[] enc = mac.doFinal("gatehouse-backup/v1 encryption".getBytes(StandardCharsets.US_ASCII));
      byte[] check = mac.doFinal("gatehouse-backup/v1 check".getBytes(StandardCharsets.US_ASCII));
      return new Keys(enc, check);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available: " + e, e);
    } finally {
      Arrays.fill(k, (byte) 0);
    }
  }

  static byte[] nonce(byte[] prefix, long index) {
    return ByteBuffer.allocate(12).put(prefix).putLong(index).array();
  }

  static byte[] aad(byte[] header, long index, boolean last) {
    return ByteBuffer.allocate(header.length + 9).put(header).putLong(index).put((byte) (last ? 1 : 0)).array();
  }

  static int crc(byte[] bytes, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  static BackupException corrupted(String message) {
    return new BackupException(Kind.CORRUPTED, message);
  }
}
