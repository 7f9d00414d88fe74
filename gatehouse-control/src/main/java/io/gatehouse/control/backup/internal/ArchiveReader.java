package io.gatehouse.control.backup.internal;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.backup.BackupException;
import io.gatehouse.control.backup.Backups.Kdf;
import io.gatehouse.control.backup.BackupException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decrypts an {@link ArchiveFormat} stream, chunk by chunk; every byte it returns has been authenticated, and it
 * throws {@link BackupException} (wrong passphrase, corrupted, truncated) rather than return unauthenticated or
 * incomplete data. End of stream is reported only after the final chunk, with nothing after it. Not thread-safe.
 */
public final class ArchiveReader extends InputStream {
  private final InputStream in;
  private final String name;
  private final byte[] header;
  private final byte[] noncePrefix;
  private final int chunkSize;
  private final SecretKeySpec key;
  private byte[] plain = new byte[0];
  private int pos;
  private long index;
  private long offset;
  private boolean done;

  /**
   * Reads and checks the header of the archive {@code in} (named {@code name} in messages) and derives the key from
   * {@code passphrase}.
   *
   * @throws BackupException of kind CORRUPTED (not a backup, unknown version, damaged header), TRUNCATED or
   *     WRONG_PASSPHRASE
   */
  public ArchiveReader(InputStream in, String name, char[] passphrase) throws IOException {
    this.in = requireNonNull(in, "in");
    this.name = requireNonNull(name, "name");
    byte[] h = new byte[ArchiveFormat.HEADER_SIZE];
    int n = in.readNBytes(h, 0, h.length);
    int magic = Math.min(n, ArchiveFormat.MAGIC.length);
    if (n == 0 || !Arrays.equals(h, 0, magic, ArchiveFormat.MAGIC, 0, magic)) {
      throw ArchiveFormat.corrupted(name + " is not a Gatehouse backup (it does not start with GHBACKUP)");
    }
    if (n < h.length) {
      throw new BackupException(Kind.TRUNCATED, name + " is truncated: it ends after " + n + " bytes, inside its "
          + h.length + "-byte header");
    }
    offset = n;
    ByteBuffer b = ByteBuffer.wrap(h);
    b.position(ArchiveFormat.MAGIC.length);
    int version = Short.toUnsignedInt(b.getShort());
    int crc = ByteBuffer.wrap(h, h.length - 4, 4).getInt();
    if (crc != ArchiveFormat.crc(h, h.length - 4)) {
      throw ArchiveFormat.corrupted(name + " is corrupted: its header fails its checksum");
    }
    if (version != ArchiveFormat.VERSION) {
      throw ArchiveFormat.corrupted(name + " has backup format version " + version + " but this Gatehouse reads version "
          + ArchiveFormat.VERSION);
    }
    int kdfId = Byte.toUnsignedInt(b.get());
    if (kdfId != ArchiveFormat.KDF_ARGON2ID) {
      throw ArchiveFormat.corrupted(name + " names key derivation " + kdfId + " but expected 1 (Argon2id)");
    }
    Kdf kdf;
    try {
      kdf = new Kdf(b.getInt(), b.getInt(), Byte.toUnsignedInt(b.get()));
    } catch (IllegalArgumentException e) {
      throw ArchiveFormat.corrupted(name + " is corrupted: " + e.getMessage());
    }
    byte[] salt = new byte[16];
    b.get(salt);
    noncePrefix = new byte[4];
    b.get(noncePrefix);
    chunkSize = b.getInt();
    if (chunkSize < 1 || chunkSize > ArchiveFormat.MAX_CHUNK) {
      throw ArchiveFormat.corrupted(name + " is corrupted: chunk size " + chunkSize + " is outside 1.."
          + ArchiveFormat.MAX_CHUNK);
    }
    byte[] check = new byte[32];
    b.get(check);
    this.header = h;
    ArchiveFormat.Keys keys = ArchiveFormat.derive(passphrase, salt, kdf);
    if (!MessageDigest.isEqual(check, keys.check())) {
      throw new BackupException(Kind.WRONG_PASSPHRASE, "the passphrase does not open " + name);
    }
    this.key = new SecretKeySpec(keys.encryption(), "AES");
    Arrays.fill(keys.encryption(), (byte) 0);
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (pos == plain.length) {
      if (done) {
        return -1;
      }
      next();
    }
    int n = Math.min(len, plain.length - pos);
    System.arraycopy(plain, pos, b, off, n);
    pos += n;
    return n;
  }

  private void next() throws IOException {
    long at = offset;
    byte[] frame = in.readNBytes(5);
    if (frame.length < 5) {
      throw truncated(at + frame.length);
    }
    int flag = frame[0];
    int length = ByteBuffer.wrap(frame, 1, 4).getInt();
    if ((flag != 0 && flag != 1) || length < ArchiveFormat.TAG || length > chunkSize + ArchiveFormat.TAG) {
      throw ArchiveFormat.corrupted(name + " is corrupted: chunk " + index + " at byte " + at + " has a malformed frame");
    }
    byte[] sealed = in.readNBytes(length);
    offset += 5 + sealed.length;
    if (sealed.length < length) {
      throw truncated(offset);
    }
    boolean last = flag == 1;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(ArchiveFormat.TAG * 8, ArchiveFormat.nonce(noncePrefix, index)));
      c.updateAAD(ArchiveFormat.aad(header, index, last));
      plain = c.doFinal(sealed);
    } catch (AEADBadTagException e) {
      throw ArchiveFormat.corrupted(name + " is corrupted: chunk " + index + " at byte " + at + " fails authentication");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed: " + e, e);
    }
    pos = 0;
    index++;
    if (last) {
      done = true;
      if (in.read() >= 0) {
        throw ArchiveFormat.corrupted(name + " is corrupted: bytes follow its final chunk at byte " + offset);
      }
    }
  }

  private BackupException truncated(long size) {
    return new BackupException(Kind.TRUNCATED, name + " is truncated: it ends at byte " + size + ", inside or before chunk "
        + index + ", without its final chunk");
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
