package io.gatehouse.control.backup.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gatehouse.control.backup.BackupException;
import io.gatehouse.control.backup.Backups.Kdf;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the backup archive reader: arbitrary bytes, and arbitrary chunk bytes behind a genuine
 * header, are refused with {@link BackupException} and nothing else; nothing unauthenticated is
 * returned.
 */
class ArchiveReaderFuzzTest {
  private static final char[] PASSPHRASE = "fuzz passphrase".toCharArray();
  private static final byte[] HEADER = genuineHeader();

  private static byte[] genuineHeader() {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ArchiveWriter w = new ArchiveWriter(out, PASSPHRASE, new Kdf(8, 1, 1))) {
        w.write("x".getBytes(StandardCharsets.US_ASCII));
      }
      return Arrays.copyOf(out.toByteArray(), ArchiveFormat.HEADER_SIZE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FuzzTest(maxDuration = "30s")
  @Timeout(10) // per input: JUnit enforces it on each seed, Jazzer passes it to libFuzzer as -timeout
  void refusesDamagedArchives(byte[] input) throws IOException {
    // An odd first byte puts the rest behind a genuine header, so the fuzzer reaches chunk parsing.
    byte[] archive = input;
    if (input.length > 0 && (input[0] & 1) == 1) {
      archive = Arrays.copyOf(HEADER, HEADER.length + input.length - 1);
      System.arraycopy(input, 1, archive, HEADER.length, input.length - 1);
    }
    try (ArchiveReader reader = new ArchiveReader(new ByteArrayInputStream(archive), "fuzz.ghb", PASSPHRASE)) {
      byte[] plain = reader.readAllBytes();
      // Only the fuzzer forging AES-GCM would get here.
      assertThat(plain).as("an archive the fuzzer made up must not authenticate").isNull();
    } catch (BackupException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}
