package io.gatehouse.control.backup.internal;

import static java.util.Objects.requireNonNull;

import io.gatehouse.control.backup.Backups.Kdf;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** Encrypts what is written to it into the {@link ArchiveFormat} on {@code out}; {@link #close()} writes the final chunk. Not thread-safe. */
public final class ArchiveWriter extends OutputStream {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final OutputStream out;
  private final byte[] header;
  private final byte[] noncePrefix = new byte[4];
  private final SecretKeySpec key;
  private final byte[] buffer;
  private int used;
  private long index;
  private boolean closed;

  /** Writes the header of a new archive protected by {@code passphrase} to {@code out}. */
  public ArchiveWriter(OutputStream out, char[] passphrase, Kdf kdf) throws IOException {
    this.out = requireNonNull(out, "out");
    requireNonNull(kdf, "kdf");
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(noncePrefix);
    ArchiveFormat.Keys keys = ArchiveFormat.derive(passphrase, salt, kdf);
    this.key = new SecretKeySpec(keys.encryption(), "AES");
    Arrays.fill(keys.encryption(), (byte) 0);
    this.buffer = new byte[ArchiveFormat.DEFAULT_CHUNK];
    ByteBuffer h = ByteBuffer.allocate(ArchiveFormat.HEADER_SIZE)
        .put(ArchiveFormat.MAGIC).putShort((short) ArchiveFormat.VERSION).put((byte) ArchiveFormat.KDF_ARGON2ID)
        .putInt(kdf.memoryKib()).putInt(kdf.passes()).put((byte) kdf.lanes())
        .put(salt).put(noncePrefix).putInt(buffer.length).put(keys.check());
    h.putInt(ArchiveFormat.crc(h.array(), h.position()));
    this.header = h.array();
    out.write(header);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("the archive is closed");
    }
    while (len > 0) {
      if (used == buffer.length) {
        chunk(false);
      }
      int n = Math.min(len, buffer.length - used);
      System.arraycopy(b, off, buffer, used, n);
      used += n;
      off += n;
      len -= n;
    }
  }

  private void chunk(boolean last) throws IOException {
    byte[] sealed;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(ArchiveFormat.TAG * 8, ArchiveFormat.nonce(noncePrefix, index)));
      c.updateAAD(ArchiveFormat.aad(header, index, last));
      sealed = c.doFinal(buffer, 0, used);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed: " + e, e);
    }
    out.write(ByteBuffer.allocate(5).put((byte) (last ? 1 : 0)).putInt(sealed.length).array());
    out.write(sealed);
    Arrays.fill(buffer, 0, used, (byte) 0);
    used = 0;
    index++;
  }

  /** Writes the final chunk and closes {@code out}. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      chunk(true);
      out.flush();
    } finally {
      out.close();
    }
  }
}
