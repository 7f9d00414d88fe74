package io.gatehouse.control.secrets.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/** Writes a file readable by its owner only (mode 0600), atomically: readers see the old or the new content. */
public final class OwnerOnlyFile {
  private static final SecureRandom RANDOM = new SecureRandom();

  private OwnerOnlyFile() {}

  /**
   * Replaces {@code target} with {@code text}; with {@code createOnly} fails with
   * {@link FileAlreadyExistsException} when the target exists (so two first starts cannot both win).
   */
  public static void write(Path target, String text, boolean createOnly) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    io.gatehouse.model.storage.PrivateFiles.directory(dir);
    Path tmp = dir.resolve(target.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (UnsupportedOperationException e) {
      Files.createFile(tmp);
    }
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      if (createOnly) {
        // a hard link fails when the target exists, unlike a rename
        try {
          Files.createLink(target, tmp);
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
          if (e instanceof FileAlreadyExistsException exists) {
            throw exists;
          }
          Files.move(tmp, target); // no hard links here: checks then renames (not atomic against a racing creator)
        }
      } else {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
