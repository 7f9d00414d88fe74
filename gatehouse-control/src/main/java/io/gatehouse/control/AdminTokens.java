package io.gatehouse.control;

import static java.util.Objects.requireNonNull;

import io.gatehouse.model.SubscriptionKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Creates the first admin token: from {@code GATEHOUSE_ADMIN_TOKEN} when given, otherwise a
 * random one generated on first start only, whose hash alone is stored.
 */
public final class AdminTokens {
  /** The name of the bootstrap admin token (the author of changes made with it). */
  public static final String ADMIN = "admin";
  /** The file, inside the data directory, that receives a generated token. */
  public static final String FILE_NAME = "admin-token";

  private static final SecureRandom RANDOM = new SecureRandom();

  private AdminTokens() {}

  /**
   * Makes sure the {@value #ADMIN} token exists. When {@code envToken} is non-blank its hash
   * becomes the admin token and nothing is returned. Otherwise, when no admin token exists yet,
   * a random 256-bit token is generated, its hash stored, the token written to
   * {@code <dataDir>/admin-token} with mode 0600, and returned so the caller can show it once;
   * later calls return empty.
   *
   * @param envToken the value of {@code GATEHOUSE_ADMIN_TOKEN}, or {@code null}
   * @return the generated token, or empty when none was generated
   */
  public static Optional<String> bootstrap(ConfigStore store, Path dataDir, String envToken) {
    requireNonNull(store, "store");
    requireNonNull(dataDir, "dataDir");
    if (envToken != null && !envToken.isBlank()) {
      if (envToken.strip().length() < 16) {
        throw new IllegalArgumentException(
            "expected GATEHOUSE_ADMIN_TOKEN of at least 16 characters but got " + envToken.strip().length());
      }
      store.putAdminToken(ADMIN, hash(envToken.strip()));
      return Optional.empty();
    }
    if (store.hasAdminToken(ADMIN)) {
      return Optional.empty();
    }
    String token = generate();
    writeOwnerOnly(dataDir.resolve(FILE_NAME), token + "\n");
    store.putAdminToken(ADMIN, hash(token));
    return Optional.of(token);
  }

  /** A new random token: 32 bytes from a CSPRNG, URL-safe Base64 without padding. */
  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The stored form of {@code token}: {@code sha256:} and the hex digest. */
  public static String hash(String token) {
    return SubscriptionKeys.hash(requireNonNull(token, "token"));
  }

  private static void writeOwnerOnly(Path target, String text) {
    try {
      io.gatehouse.model.storage.PrivateFiles.directory(target.toAbsolutePath().getParent());
      Path tmp = target.resolveSibling(FILE_NAME + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
      try {
        FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        Files.createFile(tmp, ownerOnly);
      } catch (UnsupportedOperationException e) {
        Files.createFile(tmp);
      } catch (FileAlreadyExistsException e) {
        throw new IOException("temporary file already exists: " + tmp, e);
      }
      try {
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
          channel.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the admin token to " + target, e);
    }
  }
}
